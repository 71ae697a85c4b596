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
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import holidays as holiday_calendars
from pydantic import (
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
from ct_sla_monitor.standards_schema import (
    SECTIONS,
    WEEKDAYS,
    CalendarSection,
    OverrideEntry,
    SiteSection,
    StandardsDocument,
    hhmm,
)
from ct_sla_monitor.toml_lines import line_map, line_of

HOLIDAY_YEARS = range(2000, 2051)
Loc = tuple[str | int, ...]


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
        rule = f"closes must be after opens ({hhmm(doc.calendar.opens)})"
        issues.append(StandardsIssue(("calendar", "closes"), rule))
    site_of: dict[str, str] = {}
    names: set[str] = set()
    for i, site in enumerate(doc.sites):
        if site.name in names:
            issues.append(StandardsIssue(("sites", i, "name"), f"site {site.name!r} named twice"))
        names.add(site.name)
        calendar = _site_calendar(doc.calendar, site)
        if not calendar.opens < calendar.closes:
            opens, closes = hhmm(calendar.opens), hhmm(calendar.closes)
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


def _error(source: str, text: str | None, issues: Sequence[StandardsIssue]) -> StandardsFileError:
    if text is None:
        return StandardsFileError(source, issues)
    lines = line_map(text)
    located = [
        StandardsIssue(i.path, i.message, i.line if i.line is not None else line_of(i.path, lines))
        for i in issues
    ]
    return StandardsFileError(source, sorted(located, key=lambda i: i.line or 0))
