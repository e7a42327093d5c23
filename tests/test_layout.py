"""Which part of the code may import which (the README's code map): the Telegram side never
reaches into the web side, and neither the benchmark nor testkit/ reaches into the tests."""

import ast
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEB_SIDE = PROJECT_ROOT / "bot" / "web"
# bot/runner.py starts the web server beside the bot: the one module of bot/ that may.
WEB_STARTER = PROJECT_ROOT / "bot" / "runner.py"


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (`from a import b` counts as a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _importers(paths: list[Path], package: str) -> list[str]:
    """`file: module` for each import of `package` (or a module of it) by `paths`."""
    return [
        f"{path.relative_to(PROJECT_ROOT)}: {module}"
        for path in paths
        for module in sorted(_imported(path))
        if module == package or module.startswith(package + ".")
    ]


def _modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PROJECT_ROOT / folder).rglob("*.py"))


def test_the_telegram_side_never_imports_the_web_side() -> None:
    telegram_side = [
        path
        for path in _modules("bot", "handlers", "storage")
        if not path.is_relative_to(WEB_SIDE) and path != WEB_STARTER
    ]
    assert len(telegram_side) > 30  # the search found the modules
    assert _importers(telegram_side, "bot.web") == []


def test_the_benchmark_and_testkit_never_import_the_tests() -> None:
    modules = _modules("bench", "testkit")
    assert len(modules) > 10
    assert _importers(modules, "tests") == []


def test_imports_point_one_way_bot_handlers_storage() -> None:
    """bench -> bot -> handlers -> storage: handlers never import bot, storage neither of them
    (nor anything of Telegram)."""
    handlers, storage = _modules("handlers"), _modules("storage")
    assert len(handlers) > 20 and len(storage) > 20
    assert _importers(handlers, "bot") == []
    assert _importers(storage, "bot") == []
    assert _importers(storage, "handlers") == []
    assert _importers(storage, "telegram") == []
