"""A TCP proxy in front of PostgreSQL that counts round trips, can add latency, can cut every
connection, and can act as a Neon compute that suspends when idle and takes a while to wake.

A round trip is counted each time the client sends after the server last spoke (or first): the
client cannot go on until the answer is back, which is what costs time on a remote database.
Those that only prepare a statement (a Parse without an Execute: asyncpg's first use of a
statement on a connection) are counted in `prepares` too, and `executed` holds the text of each
statement run, so a test can tell a connection's set-up from the statements the bot runs.

Neon suspends a compute after a while without queries (5 minutes by default): every connection
is closed, and the next one to arrive waits while the compute starts (about a second or more)
before the server answers it. `suspend()` does that at once; with `suspend_after` the proxy
does it by itself after that many seconds without traffic.
"""

import asyncio
import contextlib
from dataclasses import dataclass, field

from sqlalchemy.engine import URL

from testkit.pg_messages import ClientMessages


@dataclass(eq=False)
class _Link:
    client_writer: asyncio.StreamWriter
    server_writer: asyncio.StreamWriter
    reader: ClientMessages
    server_spoke_last: bool = True
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class PgProxy:
    """Listens on 127.0.0.1 and forwards to a PostgreSQL TCP address or Unix socket path."""

    def __init__(
        self,
        *,
        target_host: str | None = None,
        target_port: int = 5432,
        target_socket: str | None = None,
        delay: float = 0.0,
        suspend_after: float | None = None,
        wake_delay: float = 0.0,
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.target_socket = target_socket
        self.delay = delay
        self.round_trips = 0
        self.prepares = 0
        # The text of every statement run through the proxy (connection set-up and the
        # driver's type look-ups included), in order.
        self.executed: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self.down = False
        self._drop_next_answer = False
        # Neon's compute: asleep after `suspend_after` idle seconds, `wake_delay` to start.
        self.suspend_after = suspend_after
        self.wake_delay = wake_delay
        self.suspended = False
        self.suspensions = 0
        self.wake_ups = 0
        self.asleep = asyncio.Event()
        self._waking: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._last_traffic = 0.0

    @classmethod
    def in_front_of(
        cls, server: URL, *, suspend_after: float | None = None, wake_delay: float = 0.0
    ) -> "PgProxy":
        """A proxy to the server of `server` (a URL whose `host` query names a Unix socket
        folder, as the embedded server's does, or a TCP host and port)."""
        socket_dir = server.query.get("host")
        if isinstance(socket_dir, str):
            return cls(
                target_socket=f"{socket_dir}/.s.PGSQL.{server.port or 5432}",
                suspend_after=suspend_after,
                wake_delay=wake_delay,
            )
        return cls(
            target_host=server.host,
            target_port=server.port or 5432,
            suspend_after=suspend_after,
            wake_delay=wake_delay,
        )

    def url_for(self, database: URL) -> URL:
        """`database`'s URL, reached through this proxy."""
        return database.set(host="127.0.0.1", port=self.port).difference_update_query(["host"])

    async def start(self) -> None:
        """Start listening on a free port (see `port`)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._last_traffic = asyncio.get_running_loop().time()
        if self.suspend_after is not None:
            self._watch = asyncio.create_task(self._suspend_when_idle(self.suspend_after))

    async def stop(self) -> None:
        """Stop listening and cut every connection."""
        for task in (self._watch, self._waking):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._server is not None:
            self._server.close()
        await self.cut_all()
        if self._server is not None:
            await self._server.wait_closed()

    async def suspend(self) -> None:
        """Act as Neon suspending the compute: cut every connection; the next connection waits
        `wake_delay` seconds (the compute starting) before the server answers it."""
        self.suspended = True
        self.suspensions += 1
        self.asleep.set()
        await self.cut_all()

    async def _suspend_when_idle(self, idle_seconds: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            idle_until = self._last_traffic + idle_seconds
            if loop.time() >= idle_until and not self.suspended:
                await self.suspend()
            # The timer of the simulated compute, not a test waiting on an outcome.
            await asyncio.sleep(max(idle_until - loop.time(), idle_seconds / 10))

    async def _wake(self) -> None:
        """The compute starting: every connection that arrived meanwhile waits for it."""
        if self._waking is None:

            async def start_compute() -> None:
                await asyncio.sleep(self.wake_delay)  # simulated start-up time
                self.suspended = False
                self.wake_ups += 1
                self.asleep.clear()
                self._waking = None

            self._waking = asyncio.create_task(start_compute())
        await asyncio.shield(self._waking)

    async def cut_all(self) -> None:
        """Close every proxied connection at once, both ways."""
        links = list(self._links)
        self._links.clear()
        for link in links:
            for task in link.tasks:
                task.cancel()
            for writer in (link.client_writer, link.server_writer):
                writer.close()
        for link in links:
            for task in link.tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def go_down(self) -> None:
        """Act as a database that went away: cut every connection and refuse new ones."""
        self.down = True
        await self.cut_all()

    def drop_next_answer(self) -> None:
        """Cut the connection that next gets an answer from the server, instead of passing the
        answer on: the statement ran, but the client never hears so."""
        self._drop_next_answer = True

    def come_back(self) -> None:
        """Accept connections again."""
        self.down = False

    def reset(self) -> None:
        """Start counting round trips (and prepares, and statements run) from zero."""
        self.round_trips = 0
        self.prepares = 0
        self.executed.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.close()
            return
        self._last_traffic = asyncio.get_running_loop().time()
        if self.suspended:
            try:
                await self._wake()
            except asyncio.CancelledError:
                writer.close()
                raise
        try:
            if self.target_socket is not None:
                server_reader, server_writer = await asyncio.open_unix_connection(
                    self.target_socket
                )
            else:
                server_reader, server_writer = await asyncio.open_connection(
                    self.target_host, self.target_port
                )
        except OSError:
            writer.close()
            return
        link = _Link(
            client_writer=writer,
            server_writer=server_writer,
            reader=ClientMessages(executed=self.executed),
        )
        self._links.add(link)
        link.tasks = [
            asyncio.create_task(self._pump(reader, server_writer, link, from_client=True)),
            asyncio.create_task(self._pump(server_reader, writer, link, from_client=False)),
        ]

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        link: _Link,
        *,
        from_client: bool,
    ) -> None:
        loop = asyncio.get_running_loop()
        try:
            while data := await reader.read(65536):
                self._last_traffic = loop.time()
                if from_client:
                    link.reader.feed(data)
                    if link.server_spoke_last:
                        self.round_trips += 1
                        link.server_spoke_last = False
                        if self.delay:
                            await asyncio.sleep(self.delay)  # simulated network distance
                else:
                    if not link.server_spoke_last and link.reader.end_flight():
                        self.prepares += 1
                    link.server_spoke_last = True
                    if self._drop_next_answer:
                        self._drop_next_answer = False
                        link.client_writer.close()
                        link.server_writer.close()
                        return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
