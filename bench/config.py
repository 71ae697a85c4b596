"""What every benchmark is given: the run's mode, sizes and log folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """Sizes and durations of one run. ``quick`` shrinks everything to smoke-test size
    (the harness test and ``--quick``); figures from it are not comparable."""

    logs: Path
    quick: bool = False
    tiny: bool = False  # the harness test: the smallest sizes that still exercise every path
    #: events of state behind the start-up and recovery benchmark (issue 7 asks for 1M)
    state_events: int = 20_000

    def size(self, full: int, quick: int, tiny: int) -> int:
        """Pick a size for the mode."""
        return tiny if self.tiny else quick if self.quick else full

    def seconds(self, full: float, quick: float, tiny: float) -> float:
        """Pick a duration for the mode."""
        return tiny if self.tiny else quick if self.quick else full
