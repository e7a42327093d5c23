"""Builds the package with its message catalogs compiled (handlers/locales/*/LC_MESSAGES/
messages.po to .mo, as `pybabel compile` does). Everything else is in pyproject.toml.

An editable install (`pip install -e .`) builds nothing into the source tree: there the bot
compiles each .po in memory when it starts (handlers/i18n.py).
"""

import hashlib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = "handlers/locales/*/LC_MESSAGES/messages.po"


class BuildWithCatalogs(build_py):
    """build_py, and then each catalog's .mo next to its .po in the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted(Path().glob(CATALOGS)):
            mo_path = Path(self.build_lib) / po_path.with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            # What the bot checks to know the .mo is of this .po (handlers/i18n.py).
            digest = hashlib.sha256(po_path.read_bytes()).hexdigest()
            mo_path.with_suffix(".sha256").write_text(digest + "\n")


setup(cmdclass={"build_py": BuildWithCatalogs})
