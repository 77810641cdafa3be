"""Declared JSON-path indexes: an index for the scalar at a path inside payload, response, metadata.

A path's values follow the query language's traversal (arrays met on the way are walked, a
reached array counts with its elements), which no expression index can hold. So each declared
path gets two expressions, indexed:

- the **value**: the scalar reached by plain object steps (SQLite ``json_extract``; PostgreSQL
  ``#>>`` as ``COLLATE "C"`` text, and the same as ``numeric`` for numbers), ``NULL`` when the
  walk meets anything else;
- the **complex mark**: 1 when the walk meets an array, or ends on an array or an object: the
  records whose values the plain walk does not give.

A condition on the path (equality, ``$in``, a range, with operands that are text or numbers)
becomes *value compares so, of the operand's type class* **or** *complex mark = 1 and the exact
condition*. For every other record the plain walk reaches what the traversal reaches, so the
first part is exact there, and the second covers the rest with the query language's own
condition: results are unchanged; both parts are read from an index. The SQL of each expression
is written once, here, for the ``CREATE INDEX`` and for the queries alike (the engines use an
expression index only for the very same expression, with its path as a literal).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Numeric, Text, and_, cast, literal, literal_column
from sqlalchemy.sql.elements import ColumnClause

from actionlogkit.query import COMPARATORS, ComparisonOp, FieldRef, Scalar, Value

__all__ = ["DeclaredIndex"]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class DeclaredIndex:
    """The expressions and indexes of one declared path of one table."""

    table: str
    field: FieldRef
    postgresql: bool

    @property
    def _name(self) -> str:
        digest = hashlib.sha256(self.field.dotted.encode()).hexdigest()[:8]
        return f"{self.table}_jp{digest}"

    def _column(self, qualified: bool) -> str:
        column = f'"{self.field.attribute}"'
        return f'"{self.table}".{column}' if qualified else column

    def _path(self, keys: tuple[str, ...]) -> str:
        # Keys are checked by the core: no double quote, backslash or control character.
        if self.postgresql:
            return _sql_text("{" + ",".join(f'"{key}"' for key in keys) + "}")
        return _sql_text("$" + "".join(f'."{key}"' for key in keys))

    def _type_of(self, keys: tuple[str, ...], qualified: bool) -> str:
        column, path = self._column(qualified), self._path(keys)
        if self.postgresql:
            return f"jsonb_typeof({column} #> {path})"
        return f"json_type({column}, {path})"

    # -- the indexed expressions ------------------------------------------------------------------

    def value_sql(self, qualified: bool = False) -> str:
        """The scalar the plain walk reaches (PostgreSQL: as code-point text)."""
        column, path = self._column(qualified), self._path(self.field.path)
        if self.postgresql:
            return f'(({column} #>> {path}) COLLATE "C")'
        return f"json_extract({column}, {path})"

    def number_sql(self, qualified: bool = False) -> str:
        """PostgreSQL: the number the plain walk reaches, as ``numeric``; else NULL."""
        column, path = self._column(qualified), self._path(self.field.path)
        kind = self._type_of(self.field.path, qualified)
        return f"(CASE WHEN {kind} = 'number' THEN ({column} #>> {path})::numeric END)"

    def complex_sql(self, qualified: bool = False) -> str:
        """1 when the walk meets an array, or ends on an array or an object; else 0."""
        keys = self.field.path
        parts = [
            f"{self._type_of(keys[:length], qualified)} = 'array'" for length in range(1, len(keys))
        ]
        parts.append(f"{self._type_of(keys, qualified)} IN ('array', 'object')")
        return f"(CASE WHEN {' OR '.join(parts)} THEN 1 ELSE 0 END)"

    def indexes(self) -> dict[str, str]:
        """Index name → its expression and, for the complex mark, the rows it holds."""
        complex_mark = self.complex_sql()
        # Partial: it holds the complex records alone, so the planner sees how few they are
        # (SQLite's statistics count rows per distinct value, not per value).
        found = {
            f"{self._name}_v": f"(({self.value_sql()}))",
            f"{self._name}_c": f"(({complex_mark})) WHERE {complex_mark} = 1",
        }
        if self.postgresql:
            found[f"{self._name}_n"] = f"(({self.number_sql()}))"
        return found

    def create_statements(self, *, concurrently: bool = False) -> list[str]:
        """The ``CREATE INDEX`` statements (``IF NOT EXISTS``)."""
        how = "CONCURRENTLY " if concurrently else ""
        return [
            f'CREATE INDEX {how}IF NOT EXISTS "{name}" ON "{self.table}" {expression}'
            for name, expression in self.indexes().items()
        ]

    def exists(self, connection: Connection) -> bool:
        """Whether every index of the path is there (and valid, on PostgreSQL)."""
        names = list(self.indexes())
        if self.postgresql:
            found = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = ANY(%s) AND i.indisvalid "
                "AND c.relnamespace = current_schema()::regnamespace",
                (names,),
            ).scalar_one()
        else:
            marks = ", ".join("?" * len(names))
            found = connection.exec_driver_sql(
                f"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",  # noqa: S608 - markers only
                tuple(names),
            ).scalar_one()
        return bool(found == len(names))

    # -- conditions -------------------------------------------------------------------------------

    @staticmethod
    def serves(value: Value) -> bool:
        """Whether a condition with this operand is answered from the value index."""
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)

    def compares(self, op: ComparisonOp | None, value: Scalar) -> ColumnElement[bool]:
        """The value compares so with ``value`` (``None``: equals), within its type class."""
        # Two-valued, as every compiled condition is (NOT must mean $ne): the value is tested
        # only where it is not NULL, and then its type is not NULL either.
        compare = COMPARATORS[op] if op is not None else (lambda a, b: a == b)
        if isinstance(value, str):
            reached: ColumnClause[Any] = literal_column(self.value_sql(qualified=True))
            kind: ColumnClause[Any] = literal_column(self._type_of(self.field.path, qualified=True))
            text_class = "string" if self.postgresql else "text"
            test: ColumnElement[bool] = compare(reached, literal(value, Text()))
            return and_(reached.is_not(None), test, kind == text_class)
        if self.postgresql:
            number: ColumnClause[Any] = literal_column(self.number_sql(qualified=True))
            return and_(number.is_not(None), compare(number, cast(literal(value), Numeric())))
        reached = literal_column(self.value_sql(qualified=True))
        kind = literal_column(self._type_of(self.field.path, qualified=True))
        return and_(
            reached.is_not(None), compare(reached, literal(value)), kind.in_(("integer", "real"))
        )

    def complex(self) -> ColumnElement[bool]:
        """The records the plain walk does not describe: the exact condition decides them."""
        return literal_column(self.complex_sql(qualified=True)) == 1
