"""The versioned standards file: a TOML customer charter, validated, resolved per scope.

Shape (``standards/default.toml`` is the commented example)::

    version = "charter-2026.1"         # required; every figure and alert names it
    allowed_lateness_s = 300
    [calendar]                         # the default site's working hours and holidays
    [phone] [email] [visit] [complaint] [resolution] [satisfaction] [alerts]
    [[sites]]      name, queues, and any calendar field (the rest come from [calendar])
    [[overrides]]  queue and/or customer_segment, then ``section.field = value`` lines

Missing sections and fields take the defaults of ``core.standards``. A scope's standards:
the queue's site gives the calendar; overrides then apply field by field from the least to
the most specific (segment only, queue only, queue and segment), later entries of equal rank
winning.

Errors: every problem is a ``StandardsIssue``; ``StandardsFileError(ValueError)`` carries
them, one ``file:line: field.path: rule`` line each.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)

from ct_sla_monitor.core.standards import (
    AlertPolicy,
    CallStandards,
    ComplaintStandards,
    EmailStandards,
    PhoneTargets,
    ResolutionStandards,
    SatisfactionStandards,
    Standards,
    VisitStandards,
)
from ct_sla_monitor.core.working_time import WorkingCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY_YEARS = range(2000, 2051)
Loc = tuple[str | int, ...]


def _clock(v: object) -> object:
    if isinstance(v, str):
        try:
            return time.fromisoformat(v)
        except ValueError:
            raise ValueError(f'expected a local time like "09:00", got {v!r}') from None
    return v


def _local(v: time) -> time:
    if v.tzinfo is not None:
        raise ValueError("opening hours are local wall times, without an offset")
    return v


def _day(v: object) -> object:
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise ValueError(f'expected a date like "2026-12-24", got {v!r}') from None
    return v


def _zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {v!r} (an IANA name like 'Europe/London')") from None
    return v


@cache
def _supported_holiday_calendars() -> dict[str, list[str]]:
    return dict(holiday_calendars.list_supported_countries())


def _holiday_code(v: str) -> str:
    if v.lower() == "none":
        return "none"
    country, _, subdiv = v.upper().partition("-")
    known = _supported_holiday_calendars()
    if country not in known or (subdiv and subdiv not in known[country]):
        raise ValueError(
            f"unknown holiday calendar {v!r} (a country code with an optional subdivision, "
            "like 'GB-ENG', or 'none')"
        )
    return v.upper()


def _distinct(v: list[str]) -> list[str]:
    if len(set(v)) != len(v):
        raise ValueError("each entry may appear only once")
    return v


def _hhmm(t: time) -> str:
    return t.isoformat(timespec="minutes" if not (t.second or t.microsecond) else "auto")


Ratio = Annotated[float, Field(ge=0, le=1)]
Seconds = Annotated[float, Field(gt=0)]
SecondsOrZero = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=1)]
Name = Annotated[str, Field(min_length=1)]
Zone = Annotated[str, AfterValidator(_zone)]
HolidayCode = Annotated[str, AfterValidator(_holiday_code)]
ClockTime = Annotated[
    time, BeforeValidator(_clock), AfterValidator(_local), PlainSerializer(_hhmm, when_used="json")
]
Day = Annotated[date, BeforeValidator(_day)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Weekdays = Annotated[list[Weekday], Field(min_length=1), AfterValidator(_distinct)]
Variant = Literal["answered", "offered", "ignore_abandons", "positive_abandons"]

_CALL, _PHONE, _EMAIL, _VISIT = CallStandards(), PhoneTargets(), EmailStandards(), VisitStandards()
_COMPLAINT, _RESOLUTION = ComplaintStandards(), ResolutionStandards()
_SATISFACTION, _ALERTS = SatisfactionStandards(), AlertPolicy()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CalendarSection(_Strict):
    """Working hours of a site, in its local wall time."""

    timezone: Zone = "Europe/London"
    weekdays: Weekdays = ["mon", "tue", "wed", "thu", "fri"]
    opens: ClockTime = time(9)
    closes: ClockTime = time(17)
    holidays: HolidayCode = "GB-ENG"
    extra_holidays: list[Day] = []


class PhoneSection(_Strict):
    service_level_threshold_s: Seconds = _CALL.service_level_threshold_s
    short_abandon_s: SecondsOrZero = _CALL.short_abandon_s
    ring_cycle_s: Seconds = _CALL.ring_cycle_s
    answer_within_rings: Count = _CALL.answer_within_rings
    service_level_variant: Variant = "offered"
    answer_rings_target: Ratio = _PHONE.answer_rings_target
    abandonment_max: Ratio = _PHONE.abandonment_max
    service_level_target: Ratio = _PHONE.service_level_target


class EmailSection(_Strict):
    acknowledge_within_s: Seconds = _EMAIL.acknowledge_within_s
    follow_up_working_hours: Seconds = _EMAIL.follow_up_working_hours
    at_risk_fraction: Ratio = _EMAIL.at_risk_fraction


class VisitSection(_Strict):
    queue_time_s: Seconds = _VISIT.queue_time_s
    target: Ratio = _VISIT.target


class ComplaintSection(_Strict):
    stage_response_working_hours: Annotated[list[Seconds], Field(min_length=3, max_length=3)] = (
        list(_COMPLAINT.stage_response_working_hours)
    )


class ResolutionSection(_Strict):
    fcr_target: Ratio = _RESOLUTION.fcr_target
    recontact_window_s: Seconds = _RESOLUTION.recontact_window_s


class SatisfactionSection(_Strict):
    nps_floor: Annotated[float, Field(ge=-100, le=100)] = _SATISFACTION.nps_floor


class AlertsSection(_Strict):
    clear_margin: Ratio = _ALERTS.clear_margin
    clear_after_s: SecondsOrZero = _ALERTS.clear_after_s
    min_volume: Count = _ALERTS.min_volume
    escalate_after_s: Seconds = _ALERTS.escalate_after_s
    max_provenance: Count = _ALERTS.max_provenance


SECTIONS: dict[str, type[_Strict]] = {
    "phone": PhoneSection, "email": EmailSection, "visit": VisitSection,
    "complaint": ComplaintSection, "resolution": ResolutionSection,
    "satisfaction": SatisfactionSection, "alerts": AlertsSection,
}  # fmt: skip


class SiteSection(_Strict):
    """A site with its own calendar; unset calendar fields come from [calendar]."""

    name: Name
    queues: Annotated[list[Name], Field(min_length=1), AfterValidator(_distinct)]
    timezone: Zone | None = None
    weekdays: Weekdays | None = None
    opens: ClockTime | None = None
    closes: ClockTime | None = None
    holidays: HolidayCode | None = None
    extra_holidays: list[Day] | None = None


class OverrideEntry(_Strict):
    """Changes to some standards for a queue, a customer segment, or both."""

    queue: Name | None = None
    customer_segment: Name | None = None
    phone: dict[str, Any] | None = None
    email: dict[str, Any] | None = None
    visit: dict[str, Any] | None = None
    complaint: dict[str, Any] | None = None
    resolution: dict[str, Any] | None = None
    satisfaction: dict[str, Any] | None = None
    alerts: dict[str, Any] | None = None


class StandardsDocument(_Strict):
    """The whole file."""

    version: Name
    allowed_lateness_s: SecondsOrZero = 300.0
    calendar: CalendarSection = CalendarSection()
    phone: PhoneSection = PhoneSection()
    email: EmailSection = EmailSection()
    visit: VisitSection = VisitSection()
    complaint: ComplaintSection = ComplaintSection()
    resolution: ResolutionSection = ResolutionSection()
    satisfaction: SatisfactionSection = SatisfactionSection()
    alerts: AlertsSection = AlertsSection()
    sites: list[SiteSection] = []
    overrides: list[OverrideEntry] = []


@dataclass(frozen=True, slots=True)
class StandardsIssue:
    """One problem in a standards file: where (field path, line when known) and which rule."""

    path: Loc
    message: str
    line: int | None = None

    @property
    def field(self) -> str:
        """The field path, like ``overrides[1].phone.service_level_target``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
        return out

    def render(self, source: str) -> str:
        """``file:line: field: rule``."""
        where = f"{source}:{self.line}" if self.line is not None else source
        return ": ".join(p for p in (where, self.field, self.message) if p)


class StandardsFileError(ValueError):
    """A standards file that cannot be used; the message lists every problem found."""

    def __init__(self, source: str, issues: Sequence[StandardsIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        super().__init__("\n".join(issue.render(source) for issue in self.issues))


@dataclass(frozen=True, slots=True)
class _Override:
    queue: str | None
    segment: str | None
    patch: Mapping[str, Mapping[str, Any]]

    def applies(self, queue: str | None, segment: str | None) -> bool:
        return (self.queue is None or self.queue == queue) and (
            self.segment is None or self.segment == segment
        )


_CACHE_LIMIT = 4096


class StandardsBook:
    """One version of the charter: the default standards and those of every scope."""

    def __init__(self, document: StandardsDocument, patches: Sequence[dict[str, Any]]) -> None:
        self._doc = document
        self.version: str = document.version
        ranked = sorted(
            enumerate(zip(document.overrides, patches, strict=True)),
            key=lambda p: (_rank(p[1][0]), p[0]),
        )
        self._overrides = tuple(_Override(o.queue, o.customer_segment, p) for _, (o, p) in ranked)
        self._default_calendar = _working_calendar(document.calendar)
        self._calendars: dict[str, WorkingCalendar] = {}
        for site in document.sites:
            calendar = _working_calendar(_site_calendar(document.calendar, site))
            self._calendars.update(dict.fromkeys(site.queues, calendar))
        self._document = _document_data(document, patches)
        self._cache: dict[tuple[str | None, str | None], Standards] = {}
        self.default: Standards = self.for_scope()

    def for_scope(self, queue: str | None = None, customer_segment: str | None = None) -> Standards:
        """The standards for a queue and/or customer segment (None: not specific)."""
        key = (queue, customer_segment)
        found = self._cache.get(key)
        if found is not None:
            return found
        sections = {name: getattr(self._doc, name).model_dump() for name in SECTIONS}
        for override in self._overrides:
            if override.applies(queue, customer_segment):
                for name, patch in override.patch.items():
                    sections[name].update(patch)
        calendar = self._calendars.get(queue or "", self._default_calendar)
        standards = _standards(self.version, self._doc.allowed_lateness_s, calendar, sections)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = standards
        return standards

    def to_document(self) -> dict[str, Any]:
        """The validated file as plain JSON-safe data; ``parse_document`` reads it back."""
        return copy.deepcopy(self._document)

    def public_view(self) -> dict[str, Any]:
        """The published charter (``GET /v1/standards``): the same data as ``to_document``."""
        return self.to_document()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StandardsBook):
            return NotImplemented
        return self._document == other._document

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StandardsBook(version={self.version!r})"


def _rank(o: OverrideEntry) -> int:
    """Segment only < queue only < queue and segment."""
    return 2 if o.queue is not None and o.customer_segment is not None else int(o.queue is not None)


def load_standards(path: Path) -> StandardsBook:
    """Read and validate the standards file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        issue = StandardsIssue((), f"cannot read: {reason}")
        raise StandardsFileError(str(path), [issue]) from None
    return load_standards_text(text, source=str(path))


def load_standards_text(text: str, source: str = "<text>") -> StandardsBook:
    """Validate standards given as TOML text; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        issue = StandardsIssue((), f"not valid TOML: {exc}", int(found[1]) if found else None)
        raise StandardsFileError(source, [issue]) from None
    return _build(data, source, text)


def parse_document(document: Mapping[str, Any], source: str = "<document>") -> StandardsBook:
    """Validate standards given as plain data (as ``StandardsBook.to_document`` gives)."""
    return _build(document, source, None)


@cache
def default_standards() -> StandardsBook:
    """The packaged default charter (``standards/default.toml``)."""
    packaged = resources.files("ct_sla_monitor.standards").joinpath("default.toml")
    return load_standards_text(packaged.read_text(encoding="utf-8"), source="default.toml")


def _build(data: Mapping[str, Any], source: str, text: str | None) -> StandardsBook:
    try:
        document = StandardsDocument.model_validate(data)
    except ValidationError as exc:
        raise _error(source, text, _issues(exc)) from None
    issues, patches = _check(document)
    if not issues:
        try:
            book = StandardsBook(document, patches)
            for o in document.overrides:  # build every named scope now, so it fails at load
                book.for_scope(o.queue, o.customer_segment)
            for site in document.sites:
                book.for_scope(site.queues[0])
        except ValueError as exc:
            issues.append(StandardsIssue((), f"standards cannot be built: {exc}"))
    if issues:
        raise _error(source, text, issues)
    return book


_RULES = {"extra_forbidden": "unknown key", "missing": "required but missing"}


def _issues(exc: ValidationError, prefix: Loc = ()) -> list[StandardsIssue]:
    return [
        StandardsIssue(
            prefix + tuple(e["loc"]), _RULES.get(e["type"], e["msg"]).removeprefix("Value error, ")
        )
        for e in exc.errors(include_url=False)
    ]


def _check(doc: StandardsDocument) -> tuple[list[StandardsIssue], list[dict[str, Any]]]:
    """Rules across fields; the overrides' changes validated against the defaults."""
    issues: list[StandardsIssue] = []
    if not doc.calendar.opens < doc.calendar.closes:
        rule = f"closes must be after opens ({_hhmm(doc.calendar.opens)})"
        issues.append(StandardsIssue(("calendar", "closes"), rule))
    site_of: dict[str, str] = {}
    names: set[str] = set()
    for i, site in enumerate(doc.sites):
        if site.name in names:
            issues.append(StandardsIssue(("sites", i, "name"), f"site {site.name!r} named twice"))
        names.add(site.name)
        calendar = _site_calendar(doc.calendar, site)
        if not calendar.opens < calendar.closes:
            opens, closes = _hhmm(calendar.opens), _hhmm(calendar.closes)
            rule = f"closes ({closes}) must be after opens ({opens})"
            field = "closes" if site.closes is not None else "opens"
            issues.append(StandardsIssue(("sites", i, field), rule))
        for j, queue in enumerate(site.queues):
            if queue in site_of:
                rule = f"queue {queue!r} already belongs to site {site_of[queue]!r}"
                issues.append(StandardsIssue(("sites", i, "queues", j), rule))
            site_of.setdefault(queue, site.name)
    patches: list[dict[str, Any]] = []
    seen: dict[tuple[str | None, str | None], int] = {}
    for i, o in enumerate(doc.overrides):
        scope = (o.queue, o.customer_segment)
        if scope == (None, None):
            rule = "an override must name a queue, a customer_segment, or both"
            issues.append(StandardsIssue(("overrides", i), rule))
        elif scope in seen:
            rule = f"same queue and customer_segment as overrides[{seen[scope]}]"
            issues.append(StandardsIssue(("overrides", i), rule))
        seen.setdefault(scope, i)
        patch: dict[str, Any] = {}
        for name, model in SECTIONS.items():
            given: dict[str, Any] | None = getattr(o, name)
            if given is None:
                continue
            try:
                full = model.model_validate({**getattr(doc, name).model_dump(), **given})
            except ValidationError as exc:
                issues.extend(_issues(exc, ("overrides", i, name)))
                continue
            patch[name] = {k: v for k, v in full.model_dump().items() if k in given}
        if not any(getattr(o, name) for name in SECTIONS):
            rule = "an override must change at least one standard, e.g. phone.service_level_target"
            issues.append(StandardsIssue(("overrides", i), rule))
        patches.append(patch)
    return issues, patches


def _site_calendar(base: CalendarSection, site: SiteSection) -> CalendarSection:
    given = {k: getattr(site, k) for k in CalendarSection.model_fields}
    return base.model_copy(update={k: v for k, v in given.items() if v is not None})


@cache
def _holiday_dates(code: str) -> frozenset[date]:
    if code == "none":
        return frozenset()
    country, _, subdiv = code.partition("-")
    found = holiday_calendars.country_holidays(country, subdiv=subdiv or None, years=HOLIDAY_YEARS)
    return frozenset(found)


def _working_calendar(c: CalendarSection) -> WorkingCalendar:
    return WorkingCalendar(
        timezone=c.timezone,
        weekdays=tuple(sorted(WEEKDAYS.index(d) for d in c.weekdays)),
        opens=c.opens,
        closes=c.closes,
        holidays=_holiday_dates(c.holidays) | frozenset(c.extra_holidays),
    )


def _pick(cls: type[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: values[f.name] for f in fields(cls) if f.name in values}


def _standards(
    version: str, lateness_s: float, calendar: WorkingCalendar, sections: Mapping[str, Any]
) -> Standards:
    phone, hours = sections["phone"], sections["complaint"]["stage_response_working_hours"]
    return Standards(
        version=version,
        calendar=calendar,
        calls=CallStandards(
            version=version, site_timezone=calendar.timezone, **_pick(CallStandards, phone)
        ),
        phone=PhoneTargets(**_pick(PhoneTargets, phone)),
        email=EmailStandards(**sections["email"]),
        visit=VisitStandards(**sections["visit"]),
        complaint=ComplaintStandards(stage_response_working_hours=(hours[0], hours[1], hours[2])),
        resolution=ResolutionStandards(**sections["resolution"]),
        satisfaction=SatisfactionStandards(**sections["satisfaction"]),
        alerts=AlertPolicy(**sections["alerts"]),
        allowed_lateness_s=lateness_s,
    )


def _document_data(doc: StandardsDocument, patches: Sequence[dict[str, Any]]) -> dict[str, Any]:
    data = doc.model_dump(mode="json", exclude_none=True)
    data["overrides"] = [
        {
            **({"queue": o.queue} if o.queue is not None else {}),
            **({"customer_segment": o.customer_segment} if o.customer_segment else {}),
            **copy.deepcopy(patch),
        }
        for o, patch in zip(doc.overrides, patches, strict=True)
    ]
    return data


# -- finding the line of a field in the TOML text -------------------------------------------

_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_DOTTED})\s*\]")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=(.*)")
_PART = re.compile(_KEY)


def _error(source: str, text: str | None, issues: Sequence[StandardsIssue]) -> StandardsFileError:
    if text is None:
        return StandardsFileError(source, issues)
    lines = _line_map(text)
    located = [
        StandardsIssue(i.path, i.message, i.line if i.line is not None else _line_of(i.path, lines))
        for i in issues
    ]
    return StandardsFileError(source, sorted(located, key=lambda i: i.line or 0))


def _line_of(path: Loc, lines: Mapping[Loc, int]) -> int:
    """The line of the deepest part of ``path`` written in the file (1 when none is)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def _line_map(text: str) -> dict[Loc, int]:
    """Where each table and key is written: field path -> first line number."""
    lines: dict[Loc, int] = {}
    arrays: dict[Loc, int] = {}  # array-of-tables path -> entries so far
    table: Loc = ()
    depth, multiline = 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        if multiline:
            if line.count(multiline) % 2:
                multiline = ""
            continue
        if depth > 0:
            depth += _bracket_depth(line)
            continue
        if header := _HEADER.match(line):
            table = _table_path(_split_key(header[2]), arrays, header[1] == "[[")
            lines.setdefault(table, number)
        elif assign := _ASSIGN.match(line):
            key = _split_key(assign[1])
            for end in range(1, len(key) + 1):
                lines.setdefault(table + key[:end], number)
            value = assign[2]
            multiline = next((q for q in ('"""', "'''") if value.count(q) % 2), "")
            depth = 0 if multiline else _bracket_depth(value)
    return lines


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in _PART.findall(dotted))


def _table_path(keys: tuple[str, ...], arrays: dict[Loc, int], is_array: bool) -> Loc:
    path: Loc = ()
    for n, key in enumerate(keys, start=1):
        path += (key,)
        if is_array and n == len(keys):
            arrays[path] = arrays.get(path, 0) + 1
            path += (arrays[path] - 1,)
        elif path in arrays:
            path += (arrays[path] - 1,)
    return path


def _bracket_depth(fragment: str) -> int:
    """Brackets opened minus closed in a line, outside strings and comments."""
    depth, quote, escaped = 0, "", False
    for c in fragment:
        if quote:
            if escaped:
                escaped = False
            elif c == "\\" and quote == '"':
                escaped = True
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
    return depth
