"""The quiet phase: one user at a time, database round trips per command type, and /list in a
small chat against a big one."""

import statistics

from bench.bot_process import BenchError
from bench.users import COMMAND_KINDS, ChatUser, Outcome
from testkit.pgproxy import PgProxy

# Enough open tasks that every press and /done of the phase finds one.
QUIET_TASKS = 60
# The pool hands out its connections in turn, and each prepares a statement on first use: a few
# rounds let every connection the bot has opened see every command.
WARMUP_ROUNDS = 5


def _checked(outcome: Outcome) -> float:
    if outcome.error is not None or outcome.latency is None:
        raise BenchError(f"{outcome.kind} failed in the quiet phase: {outcome.error}")
    return outcome.latency


async def round_trips_per_command(
    user: ChatUser, proxy: PgProxy, *, repeats: int
) -> dict[str, list[int]]:
    """Database round trips of each execution of each command type, `repeats` of each.

    Each type runs WARMUP_ROUNDS times first, so that the connections exist and have prepared
    their statements (what a running bot has long done). Then the proxy's count is reset before
    each execution and read after its answer. The bot's background work (the reminder
    scheduler's ticks) may land in one execution's count now and then: take the median.
    """
    _checked(await user.add(QUIET_TASKS))
    for _ in range(WARMUP_ROUNDS):
        for kind in COMMAND_KINDS:
            _checked(await user.act(kind))
    counts: dict[str, list[int]] = {}
    for kind in COMMAND_KINDS:
        if kind == "press":
            _checked(await user.show_list())  # a list with a full page to tick tasks in
        counts[kind] = []
        for _ in range(repeats):
            proxy.reset()
            _checked(await user.act(kind))
            counts[kind].append(proxy.round_trips)
    return counts


async def list_latencies(
    small: ChatUser, big: ChatUser, *, repeats: int, command: str = "/list"
) -> tuple[float, float]:
    """Median seconds from /list (or `command`, a filtered one) to its reply in the small chat
    and in the big one.

    The two alternate, so that drift on the machine touches both alike.
    """
    for user in (small, big, small, big):
        _checked(await user.show_list(command))
    small_times, big_times = [], []
    for _ in range(repeats):
        small_times.append(_checked(await small.show_list(command)))
        big_times.append(_checked(await big.show_list(command)))
    return statistics.median(small_times), statistics.median(big_times)
