"""One measured figure of the benchmark: ours, the stack's own baseline, the ratio, the target."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    """A benchmark result. `value` and `baseline` are in `unit` (s, ms, MB, spans/s...)."""

    key: str  # stable JSON key, e.g. "import_100k"
    label: str  # what a person reads in the table
    value: float
    unit: str
    target: str = ""  # e.g. "< 60 s and <= 1.5x baseline"
    met: bool | None = None  # None when there is no target for this figure
    baseline: float | None = None
    baseline_label: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """ours / baseline (for rates, baseline / ours, so above 1 always means slower)."""
        if self.baseline in (None, 0) or self.value == 0:
            return None
        if self.unit.endswith("/s"):
            return self.baseline / self.value  # type: ignore[operator]
        return self.value / self.baseline  # type: ignore[operator]

    def as_dict(self) -> dict[str, Any]:
        """The figure as JSON-ready data, ratio included."""
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return data


def median_time(work: Callable[[], object], repeats: int) -> float:
    """The median wall time of `work` over `repeats` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
