"""The figures a benchmark run produces, computed from what the load and the kernel saw."""

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.load import LoadRun
from bench.users import COMMAND_KINDS


@dataclass(frozen=True)
class Counters:
    """Running totals sampled at each end of the measured window."""

    bot_cpu_seconds: float
    driver_cpu_seconds: float
    db_round_trips: int | None
    db_connections: int | None


@dataclass(frozen=True)
class LoadFigures:
    """One bot under the closed-loop load, over the measured window."""

    updates: int
    window_seconds: float
    updates_per_second: float
    latency_ms: dict[str, float]
    latency_ms_by_command: dict[str, dict[str, float]]
    cpu_ms_per_update: float
    peak_memory_mb: float
    driver_cpu_percent: float
    db_round_trips_per_update: float | None
    db_connections_opened: int | None
    errors: int
    error_samples: list[str]


@dataclass(frozen=True)
class ListLatency:
    """Median /list latency in a small chat and in a big one."""

    small_chat_tasks: int
    big_chat_tasks: int
    small_ms: float
    big_ms: float

    @property
    def ratio(self) -> float:
        return self.big_ms / self.small_ms


@dataclass(frozen=True)
class NeighbourFigures:
    """A quiet chat's /add answer times (ms) with nothing else going on, and while a neighbour
    did its heavy work (one list per round)."""

    neighbour: str
    quiet_ms: list[float]
    during_ms: list[list[float]]

    @property
    def quiet_median_ms(self) -> float:
        return statistics.median(self.quiet_ms)

    @property
    def during_median_ms(self) -> float:
        return statistics.median(ms for times in self.during_ms for ms in times)

    @property
    def during_max_ms(self) -> float:
        return max(ms for times in self.during_ms for ms in times)

    @property
    def ratio(self) -> float:
        return self.during_median_ms / self.quiet_median_ms


@dataclass
class BenchResults:
    """Everything one run measured, and what kept it from measuring."""

    settings: dict[str, Any]
    machine: dict[str, Any]
    baseline: LoadFigures | None = None
    bot: LoadFigures | None = None
    # Medians per command type; every execution's count in round_trip_samples.
    round_trips_direct: dict[str, float] | None = None
    round_trips_pgbouncer: dict[str, float] | None = None
    round_trip_samples: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    list_latency: ListLatency | None = None
    # The same for FILTERED_LIST (bench.environment): a label, a priority and a due filter.
    filtered_list_latency: ListLatency | None = None
    # By neighbour (bench.neighbours): "feed", "import", "api".
    neighbours: dict[str, NeighbourFigures] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def medians(samples: dict[str, list[int]]) -> dict[str, float]:
    """The median of each command type's round-trip counts."""
    return {kind: float(statistics.median(counts)) for kind, counts in samples.items()}


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile of `values` (not empty)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _latency_ms(latencies: list[float], percents: tuple[int, ...]) -> dict[str, float]:
    if not latencies:
        return {f"p{p}": math.nan for p in percents}
    return {f"p{p}": percentile(latencies, p) * 1000 for p in percents}


def load_figures(run: LoadRun[Counters], *, peak_rss_bytes: int) -> LoadFigures:
    """The figures of a load run whose window was sampled with Counters."""
    assert run.start_sample is not None and run.end_sample is not None
    answered = run.in_window()
    updates = len(answered)
    seconds = run.window_seconds
    start, end = run.start_sample, run.end_sample
    by_command = {}
    for kind in COMMAND_KINDS:
        latencies = [o.latency for o in answered if o.kind == kind and o.latency is not None]
        by_command[kind] = {"count": len(latencies), **_latency_ms(latencies, (50, 95))}
    round_trips = connections = None
    if start.db_round_trips is not None and end.db_round_trips is not None and updates:
        round_trips = (end.db_round_trips - start.db_round_trips) / updates
    if start.db_connections is not None and end.db_connections is not None:
        connections = end.db_connections - start.db_connections
    errors = run.errors()
    return LoadFigures(
        updates=updates,
        window_seconds=seconds,
        updates_per_second=updates / seconds,
        latency_ms=_latency_ms([o.latency for o in answered if o.latency], (50, 95, 99)),
        latency_ms_by_command=by_command,
        cpu_ms_per_update=(end.bot_cpu_seconds - start.bot_cpu_seconds) * 1000 / max(updates, 1),
        peak_memory_mb=peak_rss_bytes / 2**20,
        driver_cpu_percent=(end.driver_cpu_seconds - start.driver_cpu_seconds) / seconds * 100,
        db_round_trips_per_update=round_trips,
        db_connections_opened=connections,
        errors=len(errors),
        error_samples=sorted({f"{o.kind}: {o.error}" for o in errors})[:5],
    )
