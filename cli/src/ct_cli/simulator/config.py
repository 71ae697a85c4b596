"""What a simulation is made of: its seed, period, volume, channel mix and queues.

:class:`SimConfig` is a frozen dataclass, so the same config and seed always describe the
same traffic. The ``parse_*`` helpers read the command line's compact forms
(``8h``, ``f2f=0.28,phone=0.28,web=0.44``, ``council_tax,housing`` or ``1000``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

#: The council's published channel mix; ``web`` is emails and web forms together.
DEFAULT_MIX: Mapping[str, float] = MappingProxyType(
    {"face_to_face": 0.28, "phone": 0.28, "web": 0.44}
)
MIX_CHANNELS = ("face_to_face", "phone", "web")
_MIX_ALIASES = {"f2f": "face_to_face", "face_to_face": "face_to_face", "phone": "phone"}
_MIX_ALIASES |= {"web": "web"}
SERVICE_TYPES = ("council_tax", "housing", "benefits", "waste", "general")
PROFILES = ("council", "flat")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """One queue (phone line, mailbox, web form, reception desk).

    ``weight``: its share of its channel's contacts (relative to the channel's other
    queues). ``agents``: agents (or desks) on duty; None sizes them per hour from the
    demand with the Erlang C formula. ``handle_s``: mean handling time; ``patience_s``: mean
    patience of a waiting caller or visitor; ``transfer_rate``: share of answered calls
    passed on to another phone queue. ``service_type`` None: drawn per contact.
    """

    name: str
    channel: str
    service_type: str | None
    weight: float = 1.0
    agents: int | None = None
    handle_s: float = 300.0
    patience_s: float = 150.0
    transfer_rate: float = 0.04


def default_queues() -> tuple[QueueSpec, ...]:
    """A council's lines, mailboxes, forms and its reception desk."""
    phone = (
        QueueSpec("switchboard", "phone", "general", 0.2, handle_s=90, transfer_rate=0.3),
        QueueSpec("council_tax", "phone", "council_tax", 0.35, handle_s=300),
        QueueSpec("housing", "phone", "housing", 0.25, handle_s=360),
        QueueSpec("benefits", "phone", "benefits", 0.2, handle_s=420),
    )
    mail = tuple(
        QueueSpec(name, channel, name, weight)
        for channel in ("email", "web")
        for name, weight in (("council_tax", 0.35), ("housing", 0.25), ("benefits", 0.2))
    )
    extra = (QueueSpec("waste", "web", "waste", 0.3), QueueSpec("general", "email", "general", 0.2))
    desk = (QueueSpec("reception", "face_to_face", None, handle_s=420, patience_s=1500),)
    return (*phone, *mail, *extra, *desk)


def numbered_queues(count: int) -> tuple[QueueSpec, ...]:
    """``count`` queues on each channel (phone, email, web, reception desks), named
    ``<channel>-q0001``..., with service types taken in turn."""
    if count < 1:
        raise ValueError("the number of queues must be at least 1")
    out: list[QueueSpec] = []
    prefixes = {"phone": "phone", "email": "email", "web": "web", "face_to_face": "desk"}
    for channel, prefix in prefixes.items():
        for n in range(count):
            service = SERVICE_TYPES[n % len(SERVICE_TYPES)]
            patience = 1500.0 if channel == "face_to_face" else 150.0
            out.append(QueueSpec(f"{prefix}-q{n + 1:04d}", channel, service, patience_s=patience))
    return tuple(out)


def named_queues(names: list[str]) -> tuple[QueueSpec, ...]:
    """A phone line, a mailbox and a web form per name (its service type is the name), and
    one reception desk."""
    out: list[QueueSpec] = []
    for name in names:
        if not _NAME.match(name) or name == "all":
            raise ValueError(f"not a usable queue name: {name!r}")
        out += [QueueSpec(name, channel, name) for channel in ("phone", "email", "web")]
    out.append(QueueSpec("reception", "face_to_face", None, handle_s=420, patience_s=1500))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Rates:
    """How contacts turn out: shares between 0 and 1."""

    webform_share: float = 0.5  # of web contacts, the share that are web forms (else emails)
    case: float = 0.55  # handled contacts that open a case
    first_contact: float = 0.8  # cases resolved during the contact itself
    recontact_resolved: float = 0.1  # customers who come back although it was resolved
    recontact_unresolved: float = 0.35  # customers who come back while it is open
    complaint: float = 0.5  # contacts about a complaint that raise one
    survey: float = 0.2  # handled contacts answering a survey
    short_patience: float = 0.06  # callers who give up within seconds if not answered


@dataclass(frozen=True, slots=True)
class SimConfig:
    """A simulation: same config (seed included) gives byte-identical events.

    ``start``: an aware datetime. The run stops at ``start + duration`` or after
    ``max_events`` events, whichever comes first (neither: it never stops).
    ``daily_contacts``: contacts on a working day, before re-contacts. ``profile``:
    ``council`` (working-hours peak, quiet nights, reception open in working hours only,
    quieter weekends) or ``flat`` (the same rate at every hour, every channel open).
    ``staffing``: multiplies the agents sized per hour (below 1: understaffed).
    """

    seed: int = 1
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC)
    duration: timedelta | None = timedelta(days=1)
    max_events: int | None = None
    mix: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    daily_contacts: float = 3000.0
    queues: tuple[QueueSpec, ...] = field(default_factory=default_queues)
    profile: str = "council"
    staffing: float = 1.0
    service_level_target: float = 0.8
    service_level_threshold_s: float = 20.0
    rates: Rates = field(default_factory=Rates)
    source: str = "simulator"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}")
        if self.daily_contacts <= 0 or self.staffing <= 0:
            raise ValueError("daily_contacts and staffing must be positive")
        if set(self.mix) - set(MIX_CHANNELS) or any(v < 0 for v in self.mix.values()):
            raise ValueError(f"mix channels are {MIX_CHANNELS}, with shares >= 0")
        if sum(self.mix.values()) <= 0:
            raise ValueError("the mix needs at least one channel with a positive share")
        if self.max_events is not None and self.max_events < 1:
            raise ValueError("max_events must be at least 1")
        if not self.queues:
            raise ValueError("at least one queue is needed")

    @property
    def end(self) -> datetime | None:
        """When the run stops by time (None: it does not)."""
        return None if self.duration is None else self.start + self.duration


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``8h``, ``1d``, ``2w`` (decimals allowed) as a timedelta."""
    found = _DURATION.match(text.lower())
    if not found:
        raise ValueError(f"not a duration: {text!r} (examples: 90s, 15m, 8h, 1d, 2w)")
    return timedelta(seconds=float(found.group(1)) * _UNIT_S[found.group(2)])


def parse_mix(text: str) -> dict[str, float]:
    """``f2f=0.28,phone=0.28,web=0.44`` (shares or percentages, normalised to sum 1);
    channels left out get 0."""
    shares = dict.fromkeys(MIX_CHANNELS, 0.0)
    for part in text.split(","):
        name, _, value = part.partition("=")
        channel = _MIX_ALIASES.get(name.strip().lower())
        if channel is None or not value:
            raise ValueError(f"not a mix entry: {part!r} (use f2f=0.28,phone=0.28,web=0.44)")
        shares[channel] = float(value)
    total = sum(shares.values())
    if total <= 0 or any(v < 0 for v in shares.values()):
        raise ValueError("mix shares must be >= 0 and not all 0")
    return {k: v / total for k, v in shares.items()}


def parse_queues(text: str) -> tuple[QueueSpec, ...]:
    """A number N (N numbered queues per channel) or a comma list of names."""
    text = text.strip()
    if text.isdigit():
        return numbered_queues(int(text))
    return named_queues([name.strip() for name in text.split(",") if name.strip()])
