"""The query compiler: a validated query's AST to SQLAlchemy expressions, for SQLite and PostgreSQL.

Every operand, path key and search term is a bound parameter; the SQL text depends only on the
shape of the query. Each expression is two-valued (never SQL ``NULL``), so ``NOT`` means what
``$ne``, ``$nin`` and ``$nor`` mean.

JSON paths follow ``docs/query-language.md``. The values a path reaches are enumerated by one
table-valued function per step past the first (``json_each`` on SQLite, ``jsonb_array_elements``
on PostgreSQL) over the previous value "as a list": an array gives its elements, an object
itself, anything else nothing; only objects go on to the next key. A step whose key is also an
array position enumerates a second, two-row branch (``[0, 1]``): the key of the objects met, or
the element at that position of an array met. Each row of the walk holds one value the path
lands on (L); ``$size`` and ``$elemMatch`` test those. The last value is enumerated the same way
for the other operators, except that it gives itself whatever it is (an array gives its
elements, V); where the array itself matters (an array operand, ``$type: "array"``) the landed
values are tested beside. Type classes are checked with ``json_each.type`` (SQLite's
``json_extract`` turns ``true`` into ``1``) and ``jsonb_typeof``; strings compare as UTF-8 bytes,
which is code-point order. Inside ``$elemMatch`` the element is one more enumerated row, passed
down as ``element``, and paths below it start from it.

Whole-value equality of arrays and objects: PostgreSQL's jsonb ``=`` already is (numbers by value,
key order ignored); SQLite keeps JSON text as written, so both sides are compared in one canonical
text (keys sorted, ``1.0`` written ``1``) made by a deterministic Python function the store
registers on each of its connections (:data:`~actionlogkit_sql._types.CANONICAL_JSON_FUNCTION`).
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
from sqlalchemy.sql.base import ReadOnlyColumnCollection
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
    ElemMatch,
    Eq,
    Exists,
    FieldKind,
    FieldRef,
    HasType,
    In,
    JsonType,
    Node,
    Not,
    Or,
    Query,
    Scalar,
    Size,
    Value,
    position,
)
from actionlogkit_sql._declared import DeclaredIndex
from actionlogkit_sql._search_index import escape_like, fts_phrase, index_name, pg_escaped
from actionlogkit_sql._types import CANONICAL_JSON_FUNCTION, canonical_json_text

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


def _is_number(value: Value) -> bool:
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

    def order_by(
        self, query: Query, columns: ReadOnlyColumnCollection[str, Any] | None = None
    ) -> list[UnaryExpression[Any]]:
        """Sort keys: the field (nulls first ascending, last descending), then ``_id`` alike.

        ``columns``: the table's columns as another selectable holds them (a common table
        expression over the table); the table's own by default.
        """
        source = self.table.c if columns is None else columns
        key = source[query.sort.attribute]
        identity = source.id
        nullable = self.table.c[query.sort.attribute].nullable
        if query.descending:
            first = key.desc().nulls_last() if nullable else key.desc()
            keys = [first, identity.desc()]
        else:
            first = key.asc().nulls_first() if nullable else key.asc()
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

    def node(self, node: Node, element: TableValuedAlias | None = None) -> ColumnElement[bool]:
        """The condition of one AST node; ``element``: the array element ``$elemMatch`` tests."""
        if self.declared and element is None:
            # On the record itself (not inside $elemMatch), a declared path reads its indexes.
            indexed = self._declared_condition(node)
            if indexed is not None:
                return indexed
        match node:
            case Eq():
                return self._in(node.field, (node.value,), element)
            case In():
                return self._in(node.field, node.values, element)
            case Compare():
                return self._compare(node.field, node.op, node.value, element)
            case Exists():
                if not node.field.path:
                    return true()  # a top-level field, or the element itself
                return self._json_exists(node.field, element)
            case Size():
                return self._landed_any(
                    node.field, element, lambda value, kind: self._size(value, kind, node.size)
                )
            case HasType():
                return self._has_type(node.field, node.types, element)
            case ElemMatch():
                return self._elem_match(node, element)
            case Not():
                return not_(self.node(node.operand, element))
            case And():
                if not node.operands:
                    return true()
                return and_(*(self.node(n, element) for n in node.operands))
            case Or():
                return or_(*(self.node(n, element) for n in node.operands))
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
            values: tuple[Value, ...] = (node.value,)
        elif isinstance(node, In):
            values = node.values
        elif isinstance(node, Compare):
            values, op = (node.value,), node.op
        else:
            return None
        index = self.declared.get(node.field)
        if index is None or not values:
            return None
        # Text and numbers only: containers, booleans and null take the plain compilation.
        served = [v for v in values if not isinstance(v, (list, dict)) and index.serves(v)]
        if len(served) != len(values):
            return None
        if isinstance(node, Compare):
            exact = self._compare(node.field, node.op, node.value, None)
        else:
            exact = self._in(node.field, values, None)
        found = or_(*(index.compares(op, value) for value in served))
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
        exact = and_(*(self._compare(field, b.op, b.value, None) for b in bounds))
        return or_(found, and_(index.complex(), exact))

    # -- top-level fields -----------------------------------------------------------------------

    def _in(
        self, field: FieldRef, values: Sequence[Value], element: TableValuedAlias | None
    ) -> ColumnElement[bool]:
        if field.is_json:
            return self._json_in(field, values, element)
        column_ = self.table.c[field.attribute]
        given: list[Any] = [value for value in values if value is not None]
        options: list[ColumnElement[bool]] = []
        if given:
            if field.kind in (FieldKind.INTEGER, FieldKind.NUMBER):
                matches = or_(*(column_ == _number(value) for value in given))
            elif len(given) == 1:
                matches = column_ == given[0]
            else:
                matches = column_.in_(given)
            options.append(and_(column_.is_not(None), matches) if column_.nullable else matches)
        if len(given) < len(values) and column_.nullable:
            options.append(column_.is_(None))
        return or_(*options) if options else false()

    def _compare(
        self, field: FieldRef, op: ComparisonOp, value: Scalar, element: TableValuedAlias | None
    ) -> ColumnElement[bool]:
        if field.is_json:
            return self._json_any(
                field, element, lambda found: self._compare_found(found, op, value)
            )
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

    def _at(self, value: ColumnElement[Any], index: int) -> ColumnElement[Any]:
        """The element at ``index`` of an array (JSON text on SQLite)."""
        if self.postgresql:
            return value.op("->", return_type=JSONB)(literal(index, Integer()))
        return value.op("->", return_type=Text)(literal(f"$[{index}]", Text()))

    def _type_of(self, value: ColumnElement[Any]) -> ColumnElement[str]:
        return func.jsonb_typeof(value) if self.postgresql else func.json_type(value)

    def _empty(self) -> ColumnElement[Any]:
        return cast(literal("[]"), JSONB) if self.postgresql else literal("[]")

    def _as_list(self, value: ColumnElement[Any], *, last: bool) -> ColumnElement[Any]:
        """``value`` as a JSON array to enumerate (see the module's docstring)."""
        single = (
            func.jsonb_build_array(value) if self.postgresql else func.json_array(func.json(value))
        )
        kind = self._type_of(value)
        if last:
            return case((value.is_(None), self._empty()), (kind == "array", value), else_=single)
        return case((kind == "array", value), (kind == "object", single), else_=self._empty())

    def _elements(self, array: ColumnElement[Any]) -> TableValuedAlias:
        if self.postgresql:
            return func.jsonb_array_elements(array).table_valued(
                column("value", JSONB), joins_implicitly=True
            )
        return func.json_each(array).table_valued("value", "type", "atom", joins_implicitly=True)

    def _indexed_elements(self, array: ColumnElement[Any]) -> TableValuedAlias:
        """Like :meth:`_elements`, with each element's 0-based position as ``position``."""
        if self.postgresql:
            return func.jsonb_array_elements(array).table_valued(
                column("value", JSONB), with_ordinality="ordinality", joins_implicitly=True
            )
        return func.json_each(array).table_valued(
            "value", "type", "atom", "key", joins_implicitly=True
        )

    def _position_of(self, element: TableValuedAlias) -> ColumnElement[Any]:
        return element.c.ordinality - 1 if self.postgresql else element.c.key

    def _walk(
        self, field: FieldRef, element: TableValuedAlias | None
    ) -> tuple[list[TableValuedAlias], list[ColumnElement[bool]], ColumnElement[Any]]:
        """The FROM items and conditions that reach each value the path lands on, and that value.

        ``field`` has a path: below a JSON root of the row, or below ``element``.
        """
        first = field.path[0]
        froms: list[TableValuedAlias] = []
        conditions: list[ColumnElement[bool]] = []
        if field.is_element:
            assert element is not None
            # An array element is an object keyed by its positions: no traversal at its root.
            kind = self._element_type(element)
            index = position(first)
            whens = [(kind == "object", self._member(element.c.value, first))]
            if index is not None:
                whens.append((kind == "array", self._at(element.c.value, index)))
            value: ColumnElement[Any] = case(*whens)
        else:
            value = self._member(self.table.c[field.attribute], first)
        for key in field.path[1:]:
            index = position(key)
            if index is not None:
                value = self._positional_step(value, key, index, froms, conditions)
                continue
            step = self._elements(self._as_list(value, last=False))
            froms.append(step)
            is_object = self._element_type(step) == "object"
            conditions.append(is_object)
            # Guarded, whatever order the engine evaluates in: SQLite's json_each gives scalars
            # as SQL values, which are not JSON text.
            value = case((is_object, self._member(step.c.value, key)))
        return froms, conditions, value

    def _positional_step(
        self,
        value: ColumnElement[Any],
        key: str,
        index: int,
        froms: list[TableValuedAlias],
        conditions: list[ColumnElement[bool]],
    ) -> ColumnElement[Any]:
        """A step whose key is also an array position: two branches, the key and the position.

        The members named ``key`` of the objects met (as any step), and, when the value is an
        array, its element at ``index``; a second enumeration over ``[0, 1]`` chooses the branch.
        """
        step = self._indexed_elements(self._as_list(value, last=False))
        branch = self._elements(
            cast(literal("[0,1]"), JSONB) if self.postgresql else literal("[0,1]")
        )
        froms.extend((step, branch))
        first = branch.c.value == (cast(literal("0"), JSONB) if self.postgresql else 0)
        second = branch.c.value == (cast(literal("1"), JSONB) if self.postgresql else 1)
        by_key = and_(first, self._element_type(step) == "object")
        by_position = and_(
            second, self._type_of(value) == "array", self._position_of(step) == index
        )
        conditions.append(or_(by_key, by_position))
        return case(
            (by_key, self._member(step.c.value, key)),
            (by_position, step.c.value if self.postgresql else self._at(value, index)),
        )

    def _element_type(self, element: TableValuedAlias) -> ColumnElement[str]:
        return func.jsonb_typeof(element.c.value) if self.postgresql else element.c.type

    def _json_exists(
        self, field: FieldRef, element: TableValuedAlias | None = None
    ) -> ColumnElement[bool]:
        if not field.path:
            return true()  # the element itself
        froms, conditions, value = self._walk(field, element)
        if not froms:
            return value.is_not(None)
        return (
            select(literal(1)).select_from(*froms).where(*conditions, value.is_not(None)).exists()
        )

    def _json_any(
        self,
        field: FieldRef,
        element: TableValuedAlias | None,
        test: Callable[[TableValuedAlias], ColumnElement[bool]],
    ) -> ColumnElement[bool]:
        """Some value the path reaches (the last value's elements for an array) passes ``test``.

        For the element itself (``field`` without a path), the element alone is tested.
        """
        if not field.path:
            assert element is not None
            return test(element)
        froms, conditions, value = self._walk(field, element)
        last = self._elements(self._as_list(value, last=True))
        return select(literal(1)).select_from(*froms, last).where(*conditions, test(last)).exists()

    def _landed_any(
        self,
        field: FieldRef,
        element: TableValuedAlias | None,
        test: Callable[[ColumnElement[Any], ColumnElement[str]], ColumnElement[bool]],
    ) -> ColumnElement[bool]:
        """Some value the path lands on (arrays not opened) passes ``test(value, its type)``."""
        if not field.path:
            assert element is not None
            return test(element.c.value, self._element_type(element))
        froms, conditions, value = self._walk(field, element)
        # Guarded: the test of a missing value would be SQL NULL, and NOT would keep it so.
        found = and_(value.is_not(None), test(value, self._type_of(value)))
        if not froms:
            return found
        return select(literal(1)).select_from(*froms).where(*conditions, found).exists()

    def _json_in(
        self, field: FieldRef, values: Sequence[Value], element: TableValuedAlias | None
    ) -> ColumnElement[bool]:
        given = [value for value in values if value is not None]
        arrays = [value for value in given if isinstance(value, list)]
        options: list[ColumnElement[bool]] = []
        if given:
            options.append(
                self._json_any(field, element, lambda found: self._equal_any(found, given))
            )
        if arrays and field.path:
            # An array operand also equals an array the path lands on (not only an element).
            options.append(
                self._landed_any(
                    field,
                    element,
                    lambda value, kind: and_(kind == "array", self._same_json(value, arrays)),
                )
            )
        if len(given) < len(values):
            # The null rule: nothing reached, or a null reached.
            if field.path:
                options.append(not_(self._json_exists(field, element)))
            options.append(
                self._json_any(field, element, lambda found: self._json_class(found, None))
            )
        return or_(*options) if options else false()

    def _size(
        self, value: ColumnElement[Any], kind: ColumnElement[str], size: int
    ) -> ColumnElement[bool]:
        length = func.jsonb_array_length if self.postgresql else func.json_array_length
        # The length is asked of arrays alone: PostgreSQL raises for other values.
        return case((kind == "array", length(value)), else_=-1) == literal(size, BigInteger())

    def _has_type(
        self, field: FieldRef, types: Sequence[JsonType], element: TableValuedAlias | None
    ) -> ColumnElement[bool]:
        names = [name for json_type in types for name in self._type_names(json_type)]
        options = [
            self._json_any(field, element, lambda found: self._element_type(found).in_(names))
        ]
        if "array" in types and field.path:
            # V holds the arrays the path lands on, which the enumeration opens.
            options.append(self._landed_any(field, element, lambda value, kind: kind == "array"))
        return or_(*options)

    def _type_names(self, json_type: JsonType) -> tuple[str, ...]:
        """The engine's names of a ``$type`` name: ``jsonb_typeof`` or SQLite's ``json_type``."""
        match json_type:
            case "bool":
                return ("boolean",) if self.postgresql else ("true", "false")
            case "number":
                return ("number",) if self.postgresql else _SQLITE_NUMBER_TYPES
            case "string":
                return ("string",) if self.postgresql else ("text",)
            case "null" | "array" | "object":
                return (json_type,)
            case _:
                assert_never(json_type)

    def _elem_match(self, node: ElemMatch, element: TableValuedAlias | None) -> ColumnElement[bool]:
        """Some value the path lands on is an array with an element the condition holds for."""
        if node.field.path:
            froms, conditions, value = self._walk(node.field, element)
            kind = self._type_of(value)
        else:
            assert element is not None
            froms, conditions = [], []
            value, kind = element.c.value, self._element_type(element)
        items = self._elements(case((kind == "array", value), else_=self._empty()))
        if node.filter_form:
            conditions.append(self._element_type(items).in_(("object", "array")))
        conditions.append(self.node(node.condition, items))
        return select(literal(1)).select_from(*froms, items).where(*conditions).exists()

    # -- tests on one reached value -------------------------------------------------------------

    def _json_class(self, found: TableValuedAlias, value: Scalar) -> ColumnElement[bool]:
        """The reached value is of ``value``'s type class (booleans: is ``value`` itself)."""
        if self.postgresql:
            if isinstance(value, bool):
                # Both truth values are jsonb "boolean": the value itself decides.
                return found.c.value == self._jsonb(value)
            kind = func.jsonb_typeof(found.c.value)
            if value is None:
                return kind == "null"
            return kind == ("string" if isinstance(value, str) else "number")
        if value is None:
            return found.c.type == "null"
        if isinstance(value, bool):
            return found.c.type == ("true" if value else "false")
        if isinstance(value, str):
            return found.c.type == "text"
        return found.c.type.in_(_SQLITE_NUMBER_TYPES)

    def _jsonb(self, value: Value) -> ColumnElement[Any]:
        return cast(literal(json.dumps(value), Text()), JSONB)

    def _same_json(
        self, value: ColumnElement[Any], operands: Sequence[Value]
    ) -> ColumnElement[bool]:
        """A JSON array or object equals one of ``operands`` (of its own kind), whole."""
        if self.postgresql:
            # jsonb equality is whole-value: numbers by value, keys in any order, true <> 1.
            return value.in_([self._jsonb(operand) for operand in operands])
        canonical = sorted({canonical_json_text(operand) for operand in operands})
        return getattr(func, CANONICAL_JSON_FUNCTION)(value).in_(canonical)  # type: ignore[no-any-return]

    def _equal_any(self, found: TableValuedAlias, values: Sequence[Value]) -> ColumnElement[bool]:
        if self.postgresql:
            # jsonb equality is within a type: 10 = 10.0, "10" <> 10, true <> 1.
            return found.c.value.in_([self._jsonb(value) for value in values])
        arrays = [value for value in values if isinstance(value, list)]
        objects = [value for value in values if isinstance(value, dict)]
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
        for kind, containers in (("array", arrays), ("object", objects)):
            if containers:
                options.append(
                    and_(found.c.type == kind, self._same_json(found.c.value, containers))
                )
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
