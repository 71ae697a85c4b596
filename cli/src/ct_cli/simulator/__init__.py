"""A realistic, reproducible contact-centre traffic simulator (``ct simulate``).

:func:`generate` turns a :class:`SimConfig` into canonical contract events in event-time
order: phone calls through Erlang A queues (Poisson arrivals on a daily profile, agents on
shifts, caller patience, rings, transfers), emails and web forms, reception visitors,
cases with first-contact resolution and re-contacts, complaints and surveys. The
:mod:`~ct_cli.simulator.output` sinks write them to a JSON-lines file or post them to
ingest at a chosen speed.
"""

from ct_cli.simulator.config import (
    DEFAULT_MIX,
    QueueSpec,
    Rates,
    SimConfig,
    default_queues,
    parse_duration,
    parse_mix,
    parse_queues,
)
from ct_cli.simulator.engine import generate

__all__ = [
    "DEFAULT_MIX",
    "QueueSpec",
    "Rates",
    "SimConfig",
    "default_queues",
    "generate",
    "parse_duration",
    "parse_mix",
    "parse_queues",
]
