"""The query compiler: a validated query's AST to SQLAlchemy expressions, for SQLite and PostgreSQL.

Every operand, path key and search term is a bound parameter; the SQL text depends only on the
shape of the query. Each expression is two-valued (never SQL ``NULL``), so ``NOT`` means what
``$ne``, ``$nin`` and ``$nor`` mean.

JSON paths follow ``docs/query-language.md``. The values a path reaches are enumerated by one
table-valued function per step past the first (``json_each`` on SQLite, ``jsonb_array_elements``
on PostgreSQL) over the previous value "as a list": an array gives its elements, an object
itself, anything else nothing; only objects go on to the next key. The last value is enumerated
the same way, except that it gives itself whatever it is (an array gives its elements: the array
itself never equals a scalar, and ``$exists`` and null are decided without it). Type classes are
checked with ``json_each.type`` (SQLite's ``json_extract`` turns ``true`` into ``1``) and
``jsonb_typeof``; strings compare as UTF-8 bytes, which is code-point order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    LargeBinary,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Select, TableValuedAlias
from sqlalchemy.types import Integer
from typing_extensions import assert_never

from actionlogkit.query import (
    COMPARATORS,
    And,
    Compare,
    ComparisonOp,
    Eq,
    Exists,
    FieldKind,
    FieldRef,
    In,
    Node,
    Not,
    Or,
    Query,
    Scalar,
)
from actionlogkit_sql._declared import DeclaredIndex
from actionlogkit_sql._search_index import escape_like, fts_phrase, index_name, pg_escaped

__all__ = ["QueryCompiler"]

_SQLITE_NUMBER_TYPES = ("integer", "real")


class _BytesPosition(FunctionElement[int]):
    """Where ``needle`` starts in ``haystack`` (1-based), 0 if nowhere; both are bytes."""

    type = Integer()
    inherit_cache = True


@compiles(_BytesPosition, "sqlite")
def _bytes_position_sqlite(element: _BytesPosition, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = element.clauses
    return f"instr({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)})"


@compiles(_BytesPosition, "postgresql")
def _bytes_position_postgresql(element: _BytesPosition, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = element.clauses
    return f"position({compiler.process(needle, **kw)} IN {compiler.process(haystack, **kw)})"


def _number(value: int | float) -> ColumnElement[Any]:
    # Typed by the operand, not by the column: 1.5 compared with an integer column stays 1.5.
    return literal(value, Float()) if isinstance(value, float) else literal(value, BigInteger())


def _is_number(value: Scalar) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class QueryCompiler:
    """Compiles filters, search terms and sort orders for one log table on one dialect."""

    def __init__(
        self, table: Table, dialect: str, declared: Mapping[FieldRef, DeclaredIndex] | None = None
    ) -> None:
        self.table = table
        self.postgresql = dialect == "postgresql"
        self.declared: Mapping[FieldRef, DeclaredIndex] = declared or {}

    # -- the public part ------------------------------------------------------------------------

    def where(
        self, filter: Node | None, search: str | None, *, indexed: bool = False
    ) -> ColumnElement[bool]:
        """The condition for ``filter`` and the folded ``search`` term together.

        ``indexed``: also look the term up in the search index (the table must have one), which
        narrows the rows the exact test reads.
        """
        conditions = []
        if filter is not None:
            conditions.append(self.node(filter))
        if search is not None:
            if indexed:
                conditions.append(self._search_index_condition(search))
            position = _BytesPosition(
                self.table.c.search_key, literal(search.encode(), LargeBinary())
            )
            conditions.append(position > 0)
        return and_(*conditions) if conditions else true()

    def _search_index_condition(self, search: str) -> ColumnElement[bool]:
        """Rows the search index finds for ``search``: a superset of the matches."""
        name = index_name(self.table.name)
        if self.postgresql:
            # The very expression of the index (a bound 'escape' would not match it).
            escaped = func.encode(self.table.c.search_key, literal_column("'escape'"))
            pattern = f"%{escape_like(pg_escaped(search))}%"
            return escaped.like(literal(pattern, Text()))
        phrase = literal(fts_phrase(search), Text())
        found: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(table(name))
            .where(literal_column(f'"{name}"').op("MATCH")(phrase))
        )
        return literal_column(f'"{self.table.name}".rowid').in_(found)

    def order_by(self, query: Query) -> list[UnaryExpression[Any]]:
        """Sort keys: the field (nulls first ascending, last descending), then ``_id`` alike."""
        key = self.table.c[query.sort.attribute]
        identity = self.table.c.id
        if query.descending:
            first = key.desc().nulls_last() if key.nullable else key.desc()
            keys = [first, identity.desc()]
        else:
            first = key.asc().nulls_first() if key.nullable else key.asc()
            keys = [first, identity.asc()]
        return keys[1:] if key is identity else keys

    def after(self, query: Query) -> ColumnElement[bool]:
        """Records after ``query.keyset`` in query order, its values bound as ``k_value``, ``k_id``.

        The values are bound parameters, so that every page of a walk runs one statement. Nulls
        sort first ascending and last descending; the tie-break by ``_id`` follows the order.
        The field and ``_id`` are compared as a row value, which both engines answer with a
        range of the index on ``(field, id)``.
        """
        keyset = query.keyset
        assert keyset is not None
        key = self.table.c[query.sort.attribute]
        identity = self.table.c.id
        later = identity < bindparam("k_id") if query.descending else identity > bindparam("k_id")
        if key is identity:
            return later
        if keyset.value is None:
            if query.descending:
                return and_(key.is_(None), later)
            return or_(and_(key.is_(None), later), key.is_not(None))
        value = bindparam("k_value", type_=key.type)
        if query.descending:
            beyond = tuple_(key, identity) < tuple_(value, bindparam("k_id"))
            return or_(beyond, key.is_(None)) if key.nullable else beyond
        return tuple_(key, identity) > tuple_(value, bindparam("k_id"))

    def node(self, node: Node) -> ColumnElement[bool]:
        """The condition of one AST node."""
        if self.declared:
            indexed = self._declared_condition(node)
            if indexed is not None:
                return indexed
        match node:
            case Eq():
                return self._in(node.field, (node.value,))
            case In():
                return self._in(node.field, node.values)
            case Compare():
                return self._compare(node.field, node.op, node.value)
            case Exists():
                return self._json_exists(node.field) if node.field.path else true()
            case Not():
                return not_(self.node(node.operand))
            case And():
                return and_(*(self.node(n) for n in node.operands)) if node.operands else true()
            case Or():
                return or_(*(self.node(n) for n in node.operands))
            case _:
                assert_never(node)

    def _declared_condition(self, node: Node) -> ColumnElement[bool] | None:
        """A condition on a declared path, read from its indexes (see ``_declared``).

        ``None`` when the node is not an equality, ``$in`` or range on a declared path with
        text or number operands: the plain compilation serves it.
        """
        if isinstance(node, And):
            return self._declared_range(node)
        op: ComparisonOp | None = None
        if isinstance(node, Eq):
            values: tuple[Scalar, ...] = (node.value,)
        elif isinstance(node, In):
            values = node.values
        elif isinstance(node, Compare):
            values, op = (node.value,), node.op
        else:
            return None
        index = self.declared.get(node.field)
        if index is None or not values or not all(index.serves(v) for v in values):
            return None
        if isinstance(node, Compare):
            exact = self._compare(node.field, node.op, node.value)
        else:
            exact = self._in(node.field, values)
        found = or_(*(index.compares(op, value) for value in values))
        return or_(found, and_(index.complex(), exact))

    def _declared_range(self, node: And) -> ColumnElement[bool] | None:
        """Bounds on one declared path (``{"$gte": a, "$lt": b}``) as one range of its index.

        The plain walk reaches one value on a record that is not complex, so there the bounds
        hold together exactly when they hold on that value.
        """
        bounds = [operand for operand in node.operands if isinstance(operand, Compare)]
        if len(bounds) < 2 or len(bounds) != len(node.operands):
            return None
        field = bounds[0].field
        index = self.declared.get(field)
        if index is None or any(b.field != field or not index.serves(b.value) for b in bounds):
            return None
        if len({isinstance(b.value, str) for b in bounds}) != 1:
            return None
        found = and_(*(index.compares(b.op, b.value) for b in bounds))
        exact = and_(*(self._compare(field, b.op, b.value) for b in bounds))
        return or_(found, and_(index.complex(), exact))

    # -- top-level fields -----------------------------------------------------------------------

    def _in(self, field: FieldRef, values: Sequence[Scalar]) -> ColumnElement[bool]:
        if field.path:
            return self._json_in(field, values)
        column_ = self.table.c[field.attribute]
        given = [value for value in values if value is not None]
        options: list[ColumnElement[bool]] = []
        if given:
            if field.kind in (FieldKind.INTEGER, FieldKind.NUMBER):
                matches = or_(*(column_ == _number(value) for value in given))  # type: ignore[arg-type]
            elif len(given) == 1:
                matches = column_ == given[0]
            else:
                matches = column_.in_(given)
            options.append(and_(column_.is_not(None), matches) if column_.nullable else matches)
        if len(given) < len(values) and column_.nullable:
            options.append(column_.is_(None))
        return or_(*options) if options else false()

    def _compare(self, field: FieldRef, op: ComparisonOp, value: Scalar) -> ColumnElement[bool]:
        if field.path:
            return self._json_compare(field, op, value)
        column_ = self.table.c[field.attribute]
        operand: Any = _number(value) if _is_number(value) else value  # type: ignore[arg-type]
        compared: ColumnElement[bool] = COMPARATORS[op](column_, operand)
        return and_(column_.is_not(None), compared) if column_.nullable else compared

    # -- JSON paths -----------------------------------------------------------------------------

    def _key(self, key: str) -> ColumnElement[Any]:
        # SQLite takes a JSON path (keys are free of quotes and backslashes: the core checks);
        # PostgreSQL's -> takes the key itself.
        return literal(key, Text()) if self.postgresql else literal(f'$."{key}"', Text())

    def _member(self, value: ColumnElement[Any], key: str) -> ColumnElement[Any]:
        return value.op("->", return_type=JSONB if self.postgresql else Text)(self._key(key))

    def _type_of(self, value: ColumnElement[Any]) -> ColumnElement[str]:
        return func.jsonb_typeof(value) if self.postgresql else func.json_type(value)

    def _as_list(self, value: ColumnElement[Any], *, last: bool) -> ColumnElement[Any]:
        """``value`` as a JSON array to enumerate (see the module's docstring)."""
        empty: Any = cast(literal("[]"), JSONB) if self.postgresql else literal("[]")
        single = (
            func.jsonb_build_array(value) if self.postgresql else func.json_array(func.json(value))
        )
        kind = self._type_of(value)
        if last:
            return case((value.is_(None), empty), (kind == "array", value), else_=single)
        return case((kind == "array", value), (kind == "object", single), else_=empty)

    def _elements(self, array: ColumnElement[Any]) -> TableValuedAlias:
        if self.postgresql:
            return func.jsonb_array_elements(array).table_valued(
                column("value", JSONB), joins_implicitly=True
            )
        return func.json_each(array).table_valued("value", "type", "atom", joins_implicitly=True)

    def _walk(
        self, field: FieldRef
    ) -> tuple[list[TableValuedAlias], list[ColumnElement[bool]], ColumnElement[Any]]:
        """The FROM items and conditions that reach the path's last value, and that value."""
        value = self._member(self.table.c[field.attribute], field.path[0])
        froms: list[TableValuedAlias] = []
        conditions: list[ColumnElement[bool]] = []
        for key in field.path[1:]:
            step = self._elements(self._as_list(value, last=False))
            froms.append(step)
            is_object = self._element_type(step) == "object"
            conditions.append(is_object)
            # Guarded, whatever order the engine evaluates in: SQLite's json_each gives scalars
            # as SQL values, which are not JSON text.
            value = case((is_object, self._member(step.c.value, key)))
        return froms, conditions, value

    def _element_type(self, element: TableValuedAlias) -> ColumnElement[str]:
        return func.jsonb_typeof(element.c.value) if self.postgresql else element.c.type

    def _json_exists(self, field: FieldRef) -> ColumnElement[bool]:
        froms, conditions, value = self._walk(field)
        if not froms:
            return value.is_not(None)
        return (
            select(literal(1)).select_from(*froms).where(*conditions, value.is_not(None)).exists()
        )

    def _json_any(
        self, field: FieldRef, test: Callable[[TableValuedAlias], ColumnElement[bool]]
    ) -> ColumnElement[bool]:
        """Some value the path reaches (the last value's elements for an array) passes ``test``."""
        froms, conditions, value = self._walk(field)
        last = self._elements(self._as_list(value, last=True))
        return select(literal(1)).select_from(*froms, last).where(*conditions, test(last)).exists()

    def _json_in(self, field: FieldRef, values: Sequence[Scalar]) -> ColumnElement[bool]:
        given = [value for value in values if value is not None]
        options: list[ColumnElement[bool]] = []
        if given:
            options.append(self._json_any(field, lambda found: self._equal_any(found, given)))
        if len(given) < len(values):
            # The null rule: nothing reached, or a null reached.
            options.append(not_(self._json_exists(field)))
            options.append(self._json_any(field, lambda found: self._json_class(found, None)))
        return or_(*options) if options else false()

    def _json_compare(
        self, field: FieldRef, op: ComparisonOp, value: Scalar
    ) -> ColumnElement[bool]:
        return self._json_any(field, lambda found: self._compare_found(found, op, value))

    # -- tests on one reached value -------------------------------------------------------------

    def _json_class(self, found: TableValuedAlias, value: Scalar) -> ColumnElement[bool]:
        """The reached value is of ``value``'s type class (booleans: of ``value`` itself)."""
        if self.postgresql:
            kind = func.jsonb_typeof(found.c.value)
            if value is None:
                return kind == "null"
            if isinstance(value, bool):
                return kind == "boolean"
            return kind == ("string" if isinstance(value, str) else "number")
        if value is None:
            return found.c.type == "null"
        if isinstance(value, bool):
            return found.c.type == ("true" if value else "false")
        if isinstance(value, str):
            return found.c.type == "text"
        return found.c.type.in_(_SQLITE_NUMBER_TYPES)

    def _jsonb(self, value: Scalar) -> ColumnElement[Any]:
        return cast(literal(json.dumps(value), Text()), JSONB)

    def _equal_any(self, found: TableValuedAlias, values: Sequence[Scalar]) -> ColumnElement[bool]:
        if self.postgresql:
            # jsonb equality is within a type: 10 = 10.0, "10" <> 10, true <> 1.
            return found.c.value.in_([self._jsonb(value) for value in values])
        booleans = {value for value in values if isinstance(value, bool)}
        numbers = [value for value in values if _is_number(value)]
        texts = [value for value in values if isinstance(value, str)]
        options = [self._json_class(found, value) for value in sorted(booleans)]
        if numbers:
            options.append(
                and_(
                    found.c.type.in_(_SQLITE_NUMBER_TYPES),
                    or_(*(found.c.atom == _number(n) for n in numbers)),  # type: ignore[arg-type]
                )
            )
        if texts:
            options.append(and_(found.c.type == "text", found.c.atom.in_(texts)))
        return or_(*options)

    def _compare_found(
        self, found: TableValuedAlias, op: ComparisonOp, value: Scalar
    ) -> ColumnElement[bool]:
        compare = COMPARATORS[op]
        if isinstance(value, bool):
            # false < true; the truth values that compare so, by their class.
            passing = [truth for truth in (False, True) if compare(truth, value)]
            return or_(false(), *(self._json_class(found, truth) for truth in passing))
        if isinstance(value, datetime):  # pragma: no cover - the core allows no datetimes here
            raise TypeError("datetimes are not JSON operands")
        if self.postgresql:
            if isinstance(value, str):
                as_text = found.c.value.op("#>>", return_type=Text)(literal_column("'{}'")).collate(
                    "C"
                )
                return and_(self._json_class(found, value), compare(as_text, value))
            return and_(self._json_class(found, value), compare(found.c.value, self._jsonb(value)))
        operand: Any = value if isinstance(value, str) else _number(value)  # type: ignore[arg-type]
        return and_(self._json_class(found, value), compare(found.c.atom, operand))
