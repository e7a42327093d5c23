"""`python -m bench`: the bot under load against a bare python-telegram-bot, as a table."""

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from bench.bot_process import BenchError
from bench.neighbours import FULL_SIZES, SHORT_SIZES
from bench.phases import BenchConfig, run_benchmark
from bench.report import machine, render_table, write_json
from bench.results import BenchResults

FULL = {"users": 200, "seconds": 20.0, "warmup": 5.0, "big_chat_tasks": 100_000, "repeats": 10}
SHORT = {"users": 10, "seconds": 1.5, "warmup": 0.5, "big_chat_tasks": 2_000, "repeats": 3}


def parse_config(argv: list[str] | None) -> tuple[BenchConfig, Path | None]:
    """The run's settings from the command line, and where to write JSON (if anywhere)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--users", type=int, help="simulated users, each in its own chat (200)")
    parser.add_argument("--seconds", type=float, help="measured load per bot, seconds (20)")
    parser.add_argument("--warmup", type=float, help="unmeasured load before that, seconds (5)")
    parser.add_argument(
        "--telegram-latency", type=float, default=0.03, help="seconds added per Bot API call"
    )
    parser.add_argument(
        "--db-delay", type=float, default=0.005, help="seconds added per database round trip"
    )
    parser.add_argument("--big-chat-tasks", type=int, help="tasks in the big chat (100000)")
    parser.add_argument("--repeats", type=int, help="repeats per command in the quiet phase (10)")
    parser.add_argument(
        "--answer-timeout", type=float, default=60.0, help="seconds a user waits for an answer"
    )
    parser.add_argument(
        "--short",
        action="store_true",
        help="about 35 s in all (10 users, 1.5 s, 2,000-task chat, smaller phases):"
        " checks that it works",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the report here")
    parser.add_argument(
        "--no-pgbouncer", action="store_true", help="skip the round trips through PgBouncer"
    )
    parser.add_argument(
        "--no-neighbours",
        action="store_true",
        help="skip the quiet chat's /add beside heavy neighbours (about 2 minutes)",
    )

    args = parser.parse_args(argv)
    profile = SHORT if args.short else FULL
    chosen = {name: getattr(args, name) for name in profile}
    values = {name: profile[name] if value is None else value for name, value in chosen.items()}
    if values["users"] < 1 or values["seconds"] <= 0 or values["repeats"] < 1:
        parser.error("--users, --seconds and --repeats must be positive")
    config = BenchConfig(
        users=int(values["users"]),
        seconds=float(values["seconds"]),
        warmup=float(values["warmup"]),
        telegram_latency=args.telegram_latency,
        db_delay=args.db_delay,
        big_chat_tasks=int(values["big_chat_tasks"]),
        repeats=int(values["repeats"]),
        answer_timeout=args.answer_timeout,
        pgbouncer=not args.no_pgbouncer,
        neighbours=None if args.no_neighbours else SHORT_SIZES if args.short else FULL_SIZES,
    )
    return config, args.json


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; 1 when something is broken (never for timings)."""
    config, json_path = parse_config(argv)
    folder = Path(tempfile.mkdtemp(prefix="todo-bench-"))
    settings = {name: getattr(config, name) for name in BenchConfig.__dataclass_fields__}
    results = BenchResults(settings=settings, machine=machine())
    try:
        asyncio.run(run_benchmark(config, folder, results))
    except BenchError as error:
        results.problems.append(str(error))
    print(render_table(results))
    if json_path is not None:
        write_json(results, json_path)
    if results.problems:
        print("\nBROKEN:\n" + "\n".join(results.problems), file=sys.stderr)
        print(f"(the bots' logs are in {folder})", file=sys.stderr)
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
