"""The runs of one benchmark: python-telegram-bot alone under the load (the baseline), the bot
quiet and under load on a direct connection, the bot quiet behind PgBouncer, and a quiet chat of
the bot beside other people's heavy work."""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.bot_process import BotUnderTest
from bench.environment import (
    BIG_CHAT_ID,
    FILTERED_LIST,
    QUIET_CHAT_ID,
    SMALL_CHAT_ID,
    SMALL_CHAT_TASKS,
    USERS_FIRST_CHAT_ID,
    BenchDatabase,
    CountingProxy,
    bench_database,
    counting_proxy,
    fake_telegram,
    pgbouncer_or_none,
    render,
)
from bench.load import run_load
from bench.neighbours import (
    ApiFlood,
    CsvImport,
    FeedFetchers,
    Neighbour,
    NeighbourSizes,
    neighbour_rounds,
)
from bench.process_stats import cpu_seconds, own_cpu_seconds, peak_rss_bytes
from bench.results import (
    BenchResults,
    Counters,
    ListLatency,
    LoadFigures,
    load_figures,
    medians,
)
from bench.round_trips import list_latencies, round_trips_per_command
from bench.telegram import AnsweringTelegram
from bench.users import ChatUser
from bot.settings import Settings, load_settings
from storage.db import Database
from testkit.fake_telegram import TEST_BOT_TOKEN
from testkit.postgres import free_port

START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class BenchConfig:
    """What to run: the load, the simulated network, the big chat, and the quiet repeats."""

    users: int
    seconds: float
    warmup: float
    telegram_latency: float
    db_delay: float
    big_chat_tasks: int
    repeats: int
    answer_timeout: float
    pgbouncer: bool
    # The neighbours' sizes (bench.neighbours), or None to skip that phase.
    neighbours: NeighbourSizes | None


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@asynccontextmanager
async def _running(
    name: str,
    module: str,
    telegram: AnsweringTelegram,
    results: BenchResults,
    folder: Path,
    **settings: str,
) -> AsyncIterator[BotUnderTest]:
    """`python -m module` polling `telegram`, started and then stopped around the block.

    Calls Telegram would have refused are problems; they are collected before the stop, whose
    last getUpdates meets the long poll it interrupts with a 409, as on Telegram.
    """
    process = BotUnderTest(
        module,
        name=name,
        settings={
            "BOT_TOKEN": TEST_BOT_TOKEN,
            "TELEGRAM_BASE_URL": telegram.base_url,
            **settings,
        },
        folder=folder,
    )
    await process.start()
    try:
        await process.while_running(
            telegram.wait_until_polling(timeout=START_TIMEOUT_SECONDS), "start-up"
        )
        yield process
        rejected = telegram.rejected_calls()
        if rejected:
            shown = "\n  ".join(call.describe() for call in rejected[:5])
            results.problems.append(
                f"{name}: Telegram would have rejected {len(rejected)} call(s):\n  {shown}"
            )
    finally:
        status = await process.stop()
    if status != 0:
        results.problems.append(f"{name} exited with status {status}; log: {process.log_path}")


async def _load(
    config: BenchConfig,
    process: BotUnderTest,
    telegram: AnsweringTelegram,
    proxy: CountingProxy | None,
) -> LoadFigures:
    users = [
        ChatUser(
            telegram,
            USERS_FIRST_CHAT_ID + index,
            reads_replies=proxy is not None,
            timeout=config.answer_timeout,
        )
        for index in range(config.users)
    ]

    def sample() -> Counters:
        return Counters(
            bot_cpu_seconds=cpu_seconds(process.pid),
            driver_cpu_seconds=own_cpu_seconds(),
            db_round_trips=proxy.round_trips if proxy is not None else None,
            db_connections=proxy.connections_opened if proxy is not None else None,
        )

    run = await process.while_running(
        run_load(users, warmup=config.warmup, seconds=config.seconds, sample=sample), "the load"
    )
    return load_figures(run, peak_rss_bytes=peak_rss_bytes(process.pid))


async def measure_baseline(
    config: BenchConfig, folder: Path, results: BenchResults, *, rate_limiter: bool
) -> LoadFigures:
    """The bare python-telegram-bot bot (bench/baseline_bot.py) under the load."""
    name = "baseline-limited" if rate_limiter else "baseline"
    settings = {"BENCH_RATE_LIMITER": "1" if rate_limiter else "0"}
    async with (
        fake_telegram(config.telegram_latency) as telegram,
        _running(name, "bench.baseline_bot", telegram, results, folder, **settings) as bot,
    ):
        _progress(f"{name}: {config.users} users for {config.seconds:g}s")
        return await _load(config, bot, telegram, None)


async def measure_bot(
    config: BenchConfig, database: BenchDatabase, folder: Path, results: BenchResults
) -> None:
    """The bot on a direct connection: quiet round trips, /list small against big, the load."""
    async with (
        fake_telegram(config.telegram_latency) as telegram,
        counting_proxy(database, delay=config.db_delay) as (proxy, url),
        _running("bot", "bot", telegram, results, folder, DATABASE_URL=url) as bot,
    ):
        _progress("bot: round trips per command, /list in a small and in a big chat")
        quiet = ChatUser(
            telegram, QUIET_CHAT_ID, reads_replies=True, timeout=config.answer_timeout
        )
        samples = await bot.while_running(
            round_trips_per_command(quiet, proxy, repeats=config.repeats), "round trips"
        )
        results.round_trip_samples["direct"] = samples
        results.round_trips_direct = medians(samples)
        small, big = (
            ChatUser(telegram, chat, reads_replies=True, timeout=config.answer_timeout)
            for chat in (SMALL_CHAT_ID, BIG_CHAT_ID)
        )
        small_latency, big_latency = await bot.while_running(
            list_latencies(small, big, repeats=config.repeats * 2), "/list latency"
        )
        results.list_latency = ListLatency(
            small_chat_tasks=SMALL_CHAT_TASKS,
            big_chat_tasks=config.big_chat_tasks,
            small_ms=small_latency * 1000,
            big_ms=big_latency * 1000,
        )
        small_latency, big_latency = await bot.while_running(
            list_latencies(small, big, repeats=config.repeats * 2, command=FILTERED_LIST),
            "filtered /list latency",
        )
        results.filtered_list_latency = ListLatency(
            small_chat_tasks=SMALL_CHAT_TASKS,
            big_chat_tasks=config.big_chat_tasks,
            small_ms=small_latency * 1000,
            big_ms=big_latency * 1000,
        )
        _progress(f"bot: {config.users} users for {config.seconds:g}s")
        results.bot = await _load(config, bot, telegram, proxy)


async def measure_pooled_round_trips(
    config: BenchConfig, database: BenchDatabase, folder: Path, results: BenchResults
) -> None:
    """Round trips per command with the bot behind PgBouncer in transaction mode."""
    with pgbouncer_or_none(database) as bouncer:
        if bouncer is None:
            results.notes.append("PgBouncer is not installed: no round trips through it")
            return
        async with (
            fake_telegram(config.telegram_latency) as telegram,
            counting_proxy(database, delay=config.db_delay, through=bouncer) as (proxy, url),
            _running("bot-pgbouncer", "bot", telegram, results, folder, DATABASE_URL=url) as bot,
        ):
            _progress("bot behind PgBouncer: round trips per command")
            quiet = ChatUser(
                telegram, QUIET_CHAT_ID + 1, reads_replies=True, timeout=config.answer_timeout
            )
            samples = await bot.while_running(
                round_trips_per_command(quiet, proxy, repeats=config.repeats), "round trips"
            )
            results.round_trip_samples["pgbouncer"] = samples
            results.round_trips_pgbouncer = medians(samples)


async def measure_neighbours(
    config: BenchConfig, database: BenchDatabase, folder: Path, results: BenchResults
) -> None:
    """A quiet chat's /add while others do heavy things, and alone (bench.neighbours), in a bot
    of its own with its web server on (PUBLIC_URL and a port), as a Mini App and feeds need."""
    sizes = config.neighbours
    assert sizes is not None
    port = free_port()
    web = {"PUBLIC_URL": "https://bench.invalid", "PORT": str(port), "WEBHOOK_LISTEN": "127.0.0.1"}
    base_url = f"http://127.0.0.1:{port}"
    # The key the bot makes feed addresses with: from the bot token (or CALENDAR_SECRET, which
    # the bot's environment keeps); read without a .env file, as the bot runs without one.
    calendar_key = load_settings(Settings, bot_token=TEST_BOT_TOKEN, _env_file=None).calendar_key()
    storage = Database.from_url(render(database.url), pool_size=2)
    try:
        async with (
            fake_telegram(config.telegram_latency) as telegram,
            counting_proxy(database, delay=config.db_delay) as (_, url),
            _running(
                "bot-neighbours", "bot", telegram, results, folder, DATABASE_URL=url, **web
            ) as bot,
        ):
            _progress(f"bot: a quiet chat's /add beside heavy neighbours, {config.repeats} rounds")
            neighbours: list[Neighbour] = [
                FeedFetchers(storage, base_url=base_url, calendar_key=calendar_key, sizes=sizes),
                CsvImport(telegram, timeout=config.answer_timeout, sizes=sizes),
                ApiFlood(base_url=base_url, sizes=sizes),
            ]
            quiet = ChatUser(
                telegram, QUIET_CHAT_ID + 2, reads_replies=True, timeout=config.answer_timeout
            )
            results.neighbours = await bot.while_running(
                neighbour_rounds(
                    quiet, neighbours, repeats=config.repeats, quiet_adds=sizes.quiet_adds
                ),
                "the neighbours",
            )
    finally:
        await storage.close()


async def run_benchmark(config: BenchConfig, folder: Path, results: BenchResults) -> None:
    """Every phase, filling `results`; BenchError when one cannot measure."""
    _progress(f"PostgreSQL with a chat of {config.big_chat_tasks:,} tasks")
    async with bench_database(config.big_chat_tasks) as database:
        results.baseline = await measure_baseline(config, folder, results, rate_limiter=False)
        await measure_bot(config, database, folder, results)
        if config.pgbouncer:
            await measure_pooled_round_trips(config, database, folder, results)
        if config.neighbours is not None:
            await measure_neighbours(config, database, folder, results)
    loads = [
        ("baseline", results.baseline),
        ("bot", results.bot),
    ]
    for name, figures in loads:
        if figures is not None and figures.errors:
            samples = "\n  ".join(figures.error_samples)
            results.problems.append(
                f"{name}: {figures.errors} failed action(s), e.g.\n  {samples}"
            )
