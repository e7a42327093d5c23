"""What other people's heavy work costs a quiet chat: its /add answer time while 20 members
fetch a big calendar feed, while someone imports a 5 MB CSV, and while someone floods the task
API, against the same chat's /add with nothing else going on (in the same bot, the same run).

Each neighbour runs `repeats` rounds. A round first times a few /adds in the quiet chat alone,
then starts the neighbour and times /adds until the neighbour is done. The three take turns
round by round, so that drift on the machine touches each alike. Whatever a round needs (a
group of tasks and its members' feed addresses, the importing chat, the attacking user) is made
before it starts, and each round's neighbour is new: its feed is rendered once, its importer and
its attacker are within their rate limits.
"""

import asyncio
import itertools
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from bench.bot_process import BenchError
from bench.results import NeighbourFigures
from bench.telegram import AnsweringTelegram, reply_key
from bench.users import ChatUser
from bot.web.init_data import user_init_data
from handlers.rate_limits import TASKS_ADDED_PER_MINUTE
from storage.calendar import feed_address
from storage.db import Database
from storage.transfer import import_tasks
from storage.users import remember_user
from testkit.attacker import run_attacker
from testkit.big_inputs import csv_file, repeating_tasks
from testkit.fake_telegram import TEST_BOT_TOKEN

# The quiet chat sends one /add at a time, and starts one at most every ADD_EVERY_SECONDS: the
# pace at which the bot's default /add limit (300 a minute per user) gives tasks back, so that
# however long the phase runs, the quiet chat is never told to wait.
ADD_EVERY_SECONDS = 60 / TASKS_ADDED_PER_MINUTE
# Ids of the phase's chats and users (bench.environment's are below 5,000,000,000 + users).
FEED_GROUP_FIRST_ID = -1_009_000_000_000
FEED_MEMBER_FIRST_ID = 6_100_000_000
IMPORTER_FIRST_ID = 6_200_000_000
ATTACKER_FIRST_ID = 6_300_000_000
FOREIGN_GROUP_IDS = (-1_008_999_999_999, -1_001_000_000_000)
# Answers a flood of requests for other people's groups may get: not theirs (403), over the
# user's rate (429), or past the server's connection limit (503).
REFUSED = frozenset({"403", "429", "503"})


@dataclass(frozen=True)
class NeighbourSizes:
    """How heavy each neighbour is, and how many /adds of the quiet chat alone each round times."""

    quiet_adds: int
    feed_tasks: int
    feed_members: int
    import_rows: int
    api_requests: int


FULL_SIZES = NeighbourSizes(
    quiet_adds=3, feed_tasks=1000, feed_members=20, import_rows=5000, api_requests=600
)
SHORT_SIZES = NeighbourSizes(
    quiet_adds=2, feed_tasks=100, feed_members=5, import_rows=300, api_requests=60
)


class Neighbour(Protocol):
    """Someone else's heavy work, one round at a time."""

    name: str
    described: str

    async def prepare(self, round_number: int) -> None:
        """Make what the round needs (not measured)."""

    async def start(self) -> "asyncio.Task[None]":
        """Start the work; returns once it is under way, with a task that ends with it
        (BenchError when the bot's answers are not what they should be)."""


class FeedFetchers:
    """The members of a group of `feed_tasks` repeating tasks fetch its feed, all at once.

    The feed's file is made once per change of the list and then kept, so each round has a new
    group: its file is rendered once, for the first fetch, and the others wait for it.
    """

    name = "feed"

    def __init__(
        self, database: Database, *, base_url: str, calendar_key: bytes, sizes: NeighbourSizes
    ) -> None:
        self.database = database
        self.base_url = base_url
        self.calendar_key = calendar_key
        self.sizes = sizes
        self.described = (
            f"{sizes.feed_members} members fetch a {sizes.feed_tasks:,}-task calendar feed"
        )
        self._members = itertools.count(FEED_MEMBER_FIRST_ID)
        self._paths: list[str] = []

    async def prepare(self, round_number: int) -> None:
        group = FEED_GROUP_FIRST_ID - round_number
        tasks = repeating_tasks(self.sizes.feed_tasks)
        await import_tasks(self.database, chat_id=group, tasks=tasks, created_by=None)
        self._paths = []
        for member in itertools.islice(self._members, self.sizes.feed_members):
            await remember_user(
                self.database, user_id=member, username=None, first_name="M", started=True
            )
            address = await feed_address(
                self.database,
                key=self.calendar_key,
                list_id=group,
                chat_id=group,
                user_id=member,
                private=False,
            )
            if address.token is None:
                raise BenchError(f"no feed address for member {member} of {group}")
            self._paths.append(f"/calendar/{address.token}.ics")

    async def start(self) -> "asyncio.Task[None]":
        fetches = [("GET", path, {}, None) for path in self._paths]
        _, statuses = await run_attacker(self.base_url, fetches, concurrency=len(fetches))
        return asyncio.create_task(_expect(statuses, {"200": len(fetches)}, self.described))


class CsvImport:
    """Someone imports a CSV of `import_rows` rows (5,000: 5 MB) into a chat of their own."""

    name = "import"

    def __init__(self, telegram: AnsweringTelegram, *, timeout: float, sizes: NeighbourSizes):
        self.telegram = telegram
        self.timeout = timeout
        self.rows = sizes.import_rows
        self.data = csv_file(sizes.import_rows)
        megabytes = len(self.data) / 2**20
        self.described = f"a {megabytes:.1f} MB CSV /import ({self.rows:,} tasks) in another chat"
        self._chat = IMPORTER_FIRST_ID

    async def prepare(self, round_number: int) -> None:
        # Each round's importer is new: imports are limited per user (6 an hour).
        self._chat = IMPORTER_FIRST_ID + round_number

    async def start(self) -> "asyncio.Task[None]":
        answered = self.telegram.expect(reply_key(self._chat))
        self.telegram.send_document(
            self._chat, "tasks.csv", self.data, user_id=self._chat, caption="/import"
        )
        return asyncio.create_task(self._imported(answered))

    async def _imported(self, answered: "asyncio.Future[Any]") -> None:
        try:
            answer = await asyncio.wait_for(answered, self.timeout)
        except TimeoutError:
            self.telegram.forget(reply_key(self._chat))
            raise BenchError(f"no answer to the /import within {self.timeout}s") from None
        text = str(answer.call.params.get("text"))
        if not text.startswith(f"📥 Imported {self.rows} tasks"):
            raise BenchError(f"the /import was answered {text[:100]!r}")


class ApiFlood:
    """One signed-in user sends `api_requests` task API requests for random groups not theirs,
    400 at a time (the issue's flood)."""

    name = "api"

    def __init__(self, *, base_url: str, sizes: NeighbourSizes) -> None:
        self.base_url = base_url
        self.count = sizes.api_requests
        self.described = f"{self.count} task API requests for others' groups"
        self._requests: list[tuple[str, str, dict[str, str], Any]] = []
        self._random = random.Random(0)

    async def prepare(self, round_number: int) -> None:
        # Each round's attacker is new, so each round is turned away alike (by the same
        # checks and the same per-user rate).
        user = ATTACKER_FIRST_ID + round_number
        headers = {"Authorization": f"tma {user_init_data(user, bot_token=TEST_BOT_TOKEN)}"}
        low, high = FOREIGN_GROUP_IDS
        self._requests = [
            ("GET", f"/api/{self._random.randint(low, high)}/tasks", headers, None)
            for _ in range(self.count)
        ]

    async def start(self) -> "asyncio.Task[None]":
        # 400 at a time: below the server's connection limit (bot.web.server.MAX_CONNECTIONS).
        concurrency = min(400, self.count)
        _, statuses = await run_attacker(self.base_url, self._requests, concurrency=concurrency)
        return asyncio.create_task(_expect(statuses, None, self.described))


async def _expect(
    statuses: "asyncio.Task[dict[str, int]]", wanted: dict[str, int] | None, what: str
) -> None:
    """The attacker's statuses: exactly `wanted`, or (None) only refusals."""
    got = await statuses
    if wanted is not None and got != wanted:
        raise BenchError(f"{what}: answered {got}, not {wanted}")
    wrong = {status: n for status, n in got.items() if status.isdigit() and status not in REFUSED}
    if wanted is None and wrong:
        raise BenchError(f"{what}: answered {got}; only refusals ({sorted(REFUSED)}) are right")


class PacedAdds:
    """The quiet chat's /adds, one at a time, one started every ADD_EVERY_SECONDS at most."""

    def __init__(self, user: ChatUser) -> None:
        self.user = user
        self._next = 0.0

    async def add(self) -> float:
        """Seconds from one /add to its answer (BenchError when it fails)."""
        await asyncio.sleep(max(0.0, self._next - time.perf_counter()))
        self._next = time.perf_counter() + ADD_EVERY_SECONDS
        outcome = await self.user.add()
        if outcome.error is not None or outcome.latency is None:
            raise BenchError(f"the quiet chat's /add failed: {outcome.error}")
        return outcome.latency

    async def during(self, work: "asyncio.Task[None]") -> list[float]:
        """/adds from the start of `work` to its end (at least one): their answer times."""
        times = [await self.add()]
        while not work.done():
            # Wait out the pace, but no longer than the work lasts.
            await asyncio.wait({work}, timeout=max(0.0, self._next - time.perf_counter()))
            if not work.done():
                times.append(await self.add())
        await work  # (its BenchError, if any)
        return times


async def neighbour_rounds(
    quiet_chat: ChatUser, neighbours: list[Neighbour], *, repeats: int, quiet_adds: int
) -> dict[str, NeighbourFigures]:
    """Each neighbour's figures over `repeats` rounds, the neighbours taking turns."""
    adds = PacedAdds(quiet_chat)
    await adds.add()  # the chat's first /add makes its rows: not timed
    quiet: dict[str, list[float]] = {n.name: [] for n in neighbours}
    during: dict[str, list[list[float]]] = {n.name: [] for n in neighbours}
    for round_number in range(repeats):
        for neighbour in neighbours:
            await neighbour.prepare(round_number)
            quiet[neighbour.name] += [await adds.add() for _ in range(quiet_adds)]
            work = await neighbour.start()
            try:
                during[neighbour.name].append(await adds.during(work))
            finally:
                work.cancel()
    return {
        n.name: NeighbourFigures(
            neighbour=n.described,
            quiet_ms=[seconds * 1000 for seconds in quiet[n.name]],
            during_ms=[[seconds * 1000 for seconds in times] for times in during[n.name]],
        )
        for n in neighbours
    }
