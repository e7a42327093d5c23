"""The benchmark's table (for people) and JSON (for tools), with the project's targets."""

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

from bench.environment import FILTERED_LIST
from bench.results import BenchResults, LoadFigures

# What the project optimises toward; reported as pass or miss, never failing the run.
CPU_RATIO_TARGET = 1.2
ROUND_TRIP_TARGETS = {"add": 1.0, "list": 2.0, "press": 1.0, "done": 1.0}
# Polling journals each batch of updates in one statement (bot/polling.py); in the quiet phase
# each command is a batch of its own, so it adds one round trip to each command's target.
JOURNAL_ROUND_TRIPS = 1.0
BIG_LIST_RATIO_TARGET = 1.3
PEAK_MEMORY_TARGET_MB = 150.0

COMMAND_NAMES = {"add": "/add", "list": "/list", "press": "button press", "done": "/done"}


def machine() -> dict[str, Any]:
    """The CPUs, CPU model and memory of this machine."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 2**20, 1),
    }


def _verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def _ratio(bot: float | None, baseline: float | None) -> float | None:
    if bot is None or baseline is None or not baseline or math.isnan(bot) or math.isnan(baseline):
        return None
    return bot / baseline


def targets(results: BenchResults) -> dict[str, bool]:
    """Each target the run could judge: met or not."""
    met: dict[str, bool] = {}
    if results.bot and results.baseline:
        ratio = _ratio(results.bot.cpu_ms_per_update, results.baseline.cpu_ms_per_update)
        if ratio is not None:
            met["cpu_per_update_within_1.2x_of_baseline"] = ratio <= CPU_RATIO_TARGET
    if results.bot:
        met["peak_memory_below_150_mb"] = results.bot.peak_memory_mb < PEAK_MEMORY_TARGET_MB
    for kind, own in ROUND_TRIP_TARGETS.items():
        limit = own + JOURNAL_ROUND_TRIPS
        if results.round_trips_direct and kind in results.round_trips_direct:
            met[f"round_trips_direct_{kind}_at_most_{limit:g}"] = (
                results.round_trips_direct[kind] <= limit
            )
    if results.list_latency:
        met["big_chat_list_within_1.3x"] = results.list_latency.ratio <= BIG_LIST_RATIO_TARGET
    if results.filtered_list_latency:
        ratio = results.filtered_list_latency.ratio
        met["big_chat_filtered_list_within_1.3x"] = ratio <= BIG_LIST_RATIO_TARGET
    return met


def _load_rows(results: BenchResults) -> list[list[str]]:
    bot, baseline = results.bot, results.baseline

    def pick(figures: LoadFigures | None, name: str) -> float | None:
        if figures is None:
            return None
        if name in figures.latency_ms:
            return figures.latency_ms[name]
        value = getattr(figures, name)
        return float(value) if value is not None else None

    rows = []
    lines = [
        ("updates per second", "updates_per_second", 1, ""),
        ("latency p50 (ms)", "p50", 1, ""),
        ("latency p95 (ms)", "p95", 1, ""),
        ("latency p99 (ms)", "p99", 1, ""),
        ("CPU ms per update", "cpu_ms_per_update", 2, f"<= {CPU_RATIO_TARGET}x"),
        ("peak memory (MB)", "peak_memory_mb", 1, f"< {PEAK_MEMORY_TARGET_MB:g} MB"),
        ("DB round trips per update", "db_round_trips_per_update", 2, ""),
        ("DB connections opened", "db_connections_opened", 0, ""),
        ("load driver CPU (% of a core)", "driver_cpu_percent", 0, ""),
    ]
    for label, name, digits, target in lines:
        mine, theirs = pick(bot, name), pick(baseline, name)
        ratio = None if name == "driver_cpu_percent" else _ratio(mine, theirs)
        verdict = ""
        if name == "cpu_ms_per_update" and ratio is not None:
            verdict = _verdict(ratio <= CPU_RATIO_TARGET)
        elif name == "peak_memory_mb" and mine is not None:
            verdict = _verdict(mine < PEAK_MEMORY_TARGET_MB)
        rows.append(
            [
                label,
                _number(mine, digits),
                _number(theirs, digits),
                _number(ratio, 2),
                f"{target} {verdict}".strip(),
            ]
        )
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def render_table(results: BenchResults) -> str:
    """The whole report as text."""
    s, m = results.settings, results.machine
    parts = [
        f"todo-bot benchmark: {s['users']} users in a closed loop, {s['seconds']:g} s measured"
        f" after {s['warmup']:g} s warm-up",
        f"Telegram +{s['telegram_latency'] * 1000:g} ms per Bot API call, database"
        f" +{s['db_delay'] * 1000:g} ms per round trip; {m['cpus']} CPUs ({m['cpu_model']}),"
        f" {m['memory_gb']:g} GB",
    ]
    parts += [
        "bot: `python -m bot` with its default settings, so sends are held to Telegram's 30 a"
        " second (with this many users that limit sets the bot's pace and its latency)",
        "baseline: python-telegram-bot alone, one handler, no database, no send-rate limit: as"
        " fast as it can go",
    ]
    parts += [
        "",
        _table(
            ["Under load", "bot", "baseline", "bot/baseline", "target"],
            _load_rows(results),
        ),
    ]
    if results.bot or results.baseline:
        rows = []
        for kind, name in COMMAND_NAMES.items():
            cells = [name]
            for figures in (results.bot, results.baseline):
                by = figures.latency_ms_by_command[kind] if figures else None
                cells.append("-" if by is None else f"{_number(by['p50'])} / {_number(by['p95'])}")
            rows.append(cells)
        parts += [
            "",
            _table(["Latency by command, p50 / p95 (ms)", "bot", "baseline"], rows),
        ]
    if results.round_trips_direct or results.round_trips_pgbouncer:
        rows = []
        for kind, name in COMMAND_NAMES.items():
            direct = (results.round_trips_direct or {}).get(kind)
            pooled = (results.round_trips_pgbouncer or {}).get(kind)
            own = ROUND_TRIP_TARGETS[kind]
            limit = own + JOURNAL_ROUND_TRIPS
            target = f"{'<= ' if own > 1 else ''}{own:g} + {JOURNAL_ROUND_TRIPS:g}"
            if direct is not None:
                target += f" {_verdict(direct <= limit)}"
            rows.append([name, _number(direct, 2), target, _number(pooled, 2)])
        parts += [
            "",
            _table(["Database round trips per command", "direct", "target", "PgBouncer"], rows),
        ]
    if results.list_latency:
        latency = results.list_latency
        measured = [("median (ms)", latency)]
        if results.filtered_list_latency:
            measured.append((f"{FILTERED_LIST}, median", results.filtered_list_latency))
        rows = [
            [
                name,
                _number(figures.small_ms),
                _number(figures.big_ms),
                _number(figures.ratio, 2),
                f"<= {BIG_LIST_RATIO_TARGET}x {_verdict(figures.ratio <= BIG_LIST_RATIO_TARGET)}",
            ]
            for name, figures in measured
        ]
        header = [
            "/list latency",
            f"{latency.small_chat_tasks:,}-task chat",
            f"{latency.big_chat_tasks:,}-task chat",
            "ratio",
            "target",
        ]
        parts += ["", _table(header, rows)]
    if results.neighbours:
        rows = [
            [
                figures.neighbour,
                _number(figures.quiet_median_ms),
                _number(figures.during_median_ms),
                _number(figures.during_max_ms),
                _number(figures.ratio, 2),
            ]
            for figures in results.neighbours.values()
        ]
        header = ["A quiet chat's /add (ms) while", "alone", "during", "max during", "ratio"]
        parts += ["", _table(header, rows)]
    parts += [f"note: {note}" for note in results.notes]
    return "\n".join(parts)


def to_json(results: BenchResults) -> dict[str, Any]:
    """The report as plain JSON values (NaN as null)."""
    data = dataclasses.asdict(results)
    if results.list_latency:
        data["list_latency"]["ratio"] = results.list_latency.ratio
    if results.filtered_list_latency:
        data["filtered_list_latency"]["ratio"] = results.filtered_list_latency.ratio
    for name, figures in results.neighbours.items():
        data["neighbours"][name].update(
            quiet_median_ms=figures.quiet_median_ms,
            during_median_ms=figures.during_median_ms,
            during_max_ms=figures.during_max_ms,
            ratio=figures.ratio,
        )
    data["targets_met"] = targets(results)
    return _without_nan(data)


def _without_nan(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nan(item) for item in value]
    return value


def write_json(results: BenchResults, path: Path) -> None:
    """Write the report to `path` as JSON."""
    path.write_text(json.dumps(to_json(results), indent=2, ensure_ascii=False) + "\n")
