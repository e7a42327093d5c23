"""The statements of storage as SQLAlchemy compiles them: every one compiles, and none takes
one of its own parameters for a value to set."""

import importlib
import pkgutil
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg

import storage

_DIALECT = asyncpg.dialect()


def _is_statement(value: object) -> bool:
    return isinstance(value, sa.Executable) and isinstance(value, sa.ClauseElement)


def _statements() -> dict[str, Any]:
    """Every statement storage defines at module level, by module and name (the variants of
    one kept in a dict by key, such as a list page's with labels and without)."""
    found = {}
    for module_info in pkgutil.iter_modules(storage.__path__):
        module = importlib.import_module(f"storage.{module_info.name}")
        for name, value in vars(module).items():
            if _is_statement(value):
                found[f"{module_info.name}.{name}"] = value
            elif isinstance(value, dict) and value and all(map(_is_statement, value.values())):
                for key, variant in value.items():
                    found[f"{module_info.name}.{name}[{key}]"] = variant
    return found


STATEMENTS = _statements()


def test_every_operation_of_storage_has_its_statement_found() -> None:
    # A guard for the test below: it must see the statements it is meant to check.
    wanted = {"tasks.RENAME", "completing.DONE_THEN_PAGE[True]", "claims._FINISH_REMINDER"}
    assert wanted <= set(STATEMENTS)


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_no_statement_takes_its_parameters_for_values_to_set(name: str) -> None:
    # SQLAlchemy adds a SET (or VALUES) entry for every parameter passed that is named after a
    # column of a table an UPDATE (or INSERT) changes, even inside a CTE: a parameter named
    # `number` would set the task's number. The statement must be the same SQL with or without
    # its parameters' names given.
    statement = STATEMENTS[name]
    plain = statement.compile(dialect=_DIALECT, column_keys=[])
    names = sorted(plain.construct_params(_check=False))
    given = statement.compile(dialect=_DIALECT, column_keys=names)
    assert str(given) == str(plain)
