"""The October 1999 call figures computed straight from the raw Anonymous Bank file,
independently of the pipeline (no import of its code): a check on ``ct replay``.

Run it: ``python tests/audit/october_figures.py ../shared/data/anonymous-bank-1999/october.txt``
prints JSON per queue and for all queues.

Reading, from the data's README: tab-separated with a header, one call per line; a line
without 17 fields is malformed and skipped; PHANTOM calls are not calls. A call that queued
(``q_start`` is not 0:00:00) or was served (AGENT) was offered to the centre. AGENT is
answered, with wait ``q_time`` (0 when served straight from the voice-response unit).
HANG after queueing is abandoned, with wait ``q_time``; HANG without queueing never reached
a queue. The charter's definitions (METRICS.md): an abandon shorter than 5 s is a short
abandon, left out of offered and of every ratio; offered = answered + abandoned; service
level "answered within 20 s" in four variants; ASA = mean wait of answered calls. Ratios
are rounded to 6 places and seconds to 3, as the figures are published.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

QUEUES = {
    "PS": "regular",
    "PE": "regular_english",
    "IN": "internet_support",
    "NE": "stock_exchange",
    "NW": "prospects",
    "TT": "returned_calls",
}
SHORT_ABANDON_S = 5
THRESHOLD_S = 20


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 6)


def read_calls(path: Path) -> dict[str, dict[str, list[int]]]:
    """Per queue: the waits of answered calls and of abandoned calls, in seconds."""
    calls: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"answered": [], "abandoned": []})
    lines = path.read_bytes().split(b"\n")[1:]
    for raw in lines:
        cells = raw.rstrip(b"\r").decode().split("\t")
        if len(cells) != 17:
            continue
        queue, q_start, q_time, outcome = cells[4], cells[9], int(cells[11]), cells[12]
        queued = q_start != "0:00:00"
        name = QUEUES[queue]
        if outcome == "AGENT":
            calls[name]["answered"].append(q_time if queued else 0)
        elif outcome == "HANG" and queued:
            calls[name]["abandoned"].append(q_time)
    return calls


def figures(answered: list[int], abandoned: list[int]) -> dict[str, object]:
    """The published call figures of one set of calls."""
    kept = [w for w in abandoned if w >= SHORT_ABANDON_S]
    offered = len(answered) + len(kept)
    ans_in = sum(1 for w in answered if w <= THRESHOLD_S)
    abn_in = sum(1 for w in kept if w <= THRESHOLD_S)
    return {
        "offered": offered,
        "answered": len(answered),
        "abandoned": len(kept),
        "short_abandoned": len(abandoned) - len(kept),
        "asa_seconds": round(sum(answered) / len(answered), 3) if answered else None,
        "service_level": {
            "answered": _ratio(ans_in, len(answered)),
            "offered": _ratio(ans_in, offered),
            "ignore_abandons": _ratio(ans_in, offered - abn_in),
            "positive_abandons": _ratio(ans_in + abn_in, offered),
        },
    }


def all_figures(path: Path) -> dict[str, dict[str, object]]:
    """Figures per scope key (``phone/<queue>`` and ``phone/all``)."""
    calls = read_calls(path)
    out = {f"phone/{q}": figures(c["answered"], c["abandoned"]) for q, c in sorted(calls.items())}
    every_answered = [w for c in calls.values() for w in c["answered"]]
    every_abandoned = [w for c in calls.values() for w in c["abandoned"]]
    out["phone/all"] = figures(every_answered, every_abandoned)
    return out


if __name__ == "__main__":
    print(json.dumps(all_figures(Path(sys.argv[1])), indent=2, sort_keys=True))
