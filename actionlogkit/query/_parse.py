"""The parser: a caller's filter, search term, sort, order, limit and offset to a :class:`Query`.

Every store answers a query only through this parser, so a rule of the language is enforced once
and backends never see raw input. The bounds are checked before and during the walk (size and
depth on the whole document, conditions as they are counted), so a hostile filter costs little.
Each :class:`~actionlogkit.errors.InvalidQuery` names its place as a path into the input
(``filter.$and[0].retryCount.$gt``), for the REST API's field errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from actionlogkit import _json
from actionlogkit._rules import INTEGER_RULE, is_safe_integer, text_problem, unreachable
from actionlogkit.errors import ConfigurationError, InvalidQuery
from actionlogkit.query._ast import (
    JSON_TYPES,
    And,
    Compare,
    ComparisonOp,
    ElemMatch,
    Eq,
    Exists,
    HasType,
    In,
    JsonType,
    Node,
    Not,
    Or,
    Query,
    Size,
)
from actionlogkit.query._bounds import (
    DEFAULT_LIMIT,
    DEFAULT_SORT,
    MAX_CONDITIONS,
    MAX_FILTER_BYTES,
    MAX_FILTER_DEPTH,
    MAX_IN_VALUES,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_PATH_SEGMENTS,
    MAX_SEARCH_LENGTH,
)
from actionlogkit.query._cursor import decode_cursor, query_hash
from actionlogkit.query._fields import JSON_ROOTS, TOP_LEVEL_FIELDS, FieldKind, FieldRef
from actionlogkit.query._operands import describe, operand, text
from actionlogkit.query._operands import value as coerce
from actionlogkit.query._operators import (
    COMPARISON_OPERATORS,
    FIELD_OPERATORS,
    LOGICAL_OPERATORS,
    FieldOperator,
    FieldRule,
    LogicalRule,
)

__all__ = ["parse_filter", "parse_index_paths", "parse_query", "parse_search"]

# The table's names are plain text; Compare takes them typed.
_COMPARISONS: dict[str, ComparisonOp] = {op: op for op in COMPARISON_OPERATORS}
_JSON_TYPES: dict[str, JsonType] = {name: name for name in JSON_TYPES}
_ELEMENT = FieldRef("", FieldKind.ELEMENT)
"""The element ``$elemMatch`` tests, in its operator form."""


class _Parser:
    """One filter's walk, counting conditions against the bounds.

    ``base`` is ``None`` at the level of the record; inside the filter form of ``$elemMatch`` it
    is the number of path segments of the enclosing field, which an element's paths add to.
    """

    def __init__(self) -> None:
        self.conditions = 0

    def document(self, doc: object, where: str, base: int | None = None) -> Node:
        if not isinstance(doc, Mapping):
            raise InvalidQuery.at(where, f"expected an object, got {describe(doc)}")
        nodes: list[Node] = []
        for key, value in doc.items():
            if not isinstance(key, str):
                raise InvalidQuery.at(where, f"keys must be text, got {describe(key)}")
            place = f"{where}.{key}"
            if key.startswith("$"):
                nodes.append(self.logical(key, value, place, base))
                continue
            field = self.field(key, place) if base is None else self.element_field(key, place, base)
            segments = _segments(field, base)
            nodes.append(self.condition(field, value, place, segments))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def logical(self, key: str, value: object, place: str, base: int | None) -> Node:
        entry = LOGICAL_OPERATORS.get(key)
        if entry is None:
            if key in FIELD_OPERATORS:
                raise InvalidQuery.at(place, f"{key} must be applied to a field")
            raise InvalidQuery.at(
                place,
                f"unknown or unsupported operator {key!r}; "
                f"logical operators: {', '.join(LOGICAL_OPERATORS)}",
            )
        if not isinstance(value, (list, tuple)):
            raise InvalidQuery.at(
                place, f"expected an array of filter objects, got {describe(value)}"
            )
        if not value:
            raise InvalidQuery.at(place, "must not be empty")
        operands = tuple(self.document(item, f"{place}[{i}]", base) for i, item in enumerate(value))
        rule = entry.rule
        match rule:
            case LogicalRule.ALL:
                node: Node = And(operands)
            case LogicalRule.ANY:
                node = Or(operands)
            case _:
                unreachable(rule)
        return Not(node) if entry.negated else node

    def field(self, key: str, place: str) -> FieldRef:
        kind = TOP_LEVEL_FIELDS.get(key)
        if kind is not None:
            return FieldRef(key, kind)
        root, _, rest = key.partition(".")
        if root not in JSON_ROOTS:
            raise InvalidQuery.at(
                place,
                f"unknown field {key!r}; fields: {', '.join(TOP_LEVEL_FIELDS)}, "
                f"or a path inside {', '.join(JSON_ROOTS)}",
            )
        if not rest:
            raise InvalidQuery.at(
                place, f"{root} cannot be filtered as a whole; name a path inside it ({root}.key)"
            )
        path = _path(rest, place, 1, "")
        return FieldRef(root, FieldKind.JSON, path)

    def element_field(self, key: str, place: str, base: int) -> FieldRef:
        path = _path(key, place, base, " together with the path of the enclosing $elemMatch")
        return FieldRef("", FieldKind.ELEMENT, path)

    def condition(self, field: FieldRef, value: object, place: str, segments: int) -> Node:
        if isinstance(value, Mapping):
            operators = [k for k in value if isinstance(k, str) and k.startswith("$")]
            if operators:
                if len(operators) != len(value):
                    raise InvalidQuery.at(
                        place,
                        "cannot mix operators and plain keys in one object (an object operand's "
                        "keys must not start with '$')",
                    )
                return self.operators(field, value, place, segments, element=False)
        return self.eq(field, value, place)

    def operators(
        self,
        field: FieldRef,
        ops: Mapping[str, object],
        place: str,
        segments: int,
        *,
        element: bool,
    ) -> Node:
        nodes = [
            self.operator(field, op, value, f"{place}.{op}", segments, element=element)
            for op, value in ops.items()
        ]
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def operator(
        self, field: FieldRef, op: str, value: object, place: str, segments: int, *, element: bool
    ) -> Node:
        entry = FIELD_OPERATORS.get(op)
        if entry is None:
            if op in LOGICAL_OPERATORS:
                raise InvalidQuery.at(place, f"{op} must be used at the level of a filter object")
            raise InvalidQuery.at(
                place,
                f"unknown or unsupported operator {op!r}; operators: {', '.join(FIELD_OPERATORS)}",
            )
        if entry.json_only and not field.is_json:
            raise InvalidQuery.at(
                place, f"{op} applies to paths inside {', '.join(JSON_ROOTS)}, not to {field.name}"
            )
        node = self.apply(entry, field, op, value, place, segments, element=element)
        return Not(node) if entry.negated else node

    def apply(  # noqa: PLR0917 - the operator's entry, name, operand and where it stands
        self,
        entry: FieldOperator,
        field: FieldRef,
        op: str,
        value: object,
        place: str,
        segments: int,
        *,
        element: bool,
    ) -> Node:
        rule = entry.rule
        match rule:
            case FieldRule.EQUAL:
                return self.eq(field, value, place)
            case FieldRule.COMPARE:
                self.count(place)
                if value is None:
                    raise InvalidQuery.at(place, "null cannot be compared; use $eq null or $exists")
                return Compare(field, _COMPARISONS[op], operand(field, value, place))
            case FieldRule.MEMBER:
                self.count(place)
                members = self.values(value, place)
                return In(
                    field,
                    tuple(coerce(field, v, f"{place}[{i}]") for i, v in enumerate(members)),
                )
            case FieldRule.EXISTS:
                self.count(place)
                if element:
                    raise InvalidQuery.at(
                        place,
                        "$exists cannot test the element of $elemMatch itself (it always "
                        'exists); use the filter form ({"key": {"$exists": …}})',
                    )
                if not isinstance(value, bool):
                    raise InvalidQuery.at(place, f"expected true or false, got {describe(value)}")
                exists = Exists(field)
                return exists if value else Not(exists)
            case FieldRule.OPERATORS:
                if not isinstance(value, Mapping) or not value:
                    raise InvalidQuery.at(place, "expected a non-empty object of operators")
                for key in value:
                    if not (isinstance(key, str) and key.startswith("$")):
                        raise InvalidQuery.at(place, "expected an object of operators such as $gt")
                return self.operators(field, value, place, segments, element=element)
            case FieldRule.ALL:
                members = self.values(value, place)
                if not members:
                    raise InvalidQuery.at(place, "expected a non-empty array of values")
                equal = tuple(self.eq(field, v, f"{place}[{i}]") for i, v in enumerate(members))
                return equal[0] if len(equal) == 1 else And(equal)
            case FieldRule.SIZE:
                self.count(place)
                return Size(field, _size(value, place))
            case FieldRule.TYPE:
                self.count(place)
                return HasType(field, _types(value, place))
            case FieldRule.ELEMENTS:
                self.count(place)
                condition, filter_form = self.element(value, place, segments)
                return ElemMatch(field, condition, filter_form)
            case _:
                unreachable(rule)

    def element(self, value: object, place: str, segments: int) -> tuple[Node, bool]:
        """The condition of ``$elemMatch``: its operator form, or a filter on the element."""
        if not isinstance(value, Mapping) or not value:
            raise InvalidQuery.at(
                place, "expected a non-empty object: operators, or conditions on the element"
            )
        keys = [key for key in value if isinstance(key, str)]
        operators = [key for key in keys if key.startswith("$") and key not in LOGICAL_OPERATORS]
        if operators and len(operators) != len(value):
            raise InvalidQuery.at(
                place,
                "cannot mix operators (such as $gt) with field names or logical operators; "
                "use either form",
            )
        if operators:
            return self.operators(_ELEMENT, value, place, segments, element=True), False
        return self.document(value, place, segments), True

    def values(self, value: object, place: str) -> list[object] | tuple[object, ...]:
        if not isinstance(value, (list, tuple)):
            raise InvalidQuery.at(place, f"expected an array, got {describe(value)}")
        if len(value) > MAX_IN_VALUES:
            raise InvalidQuery.at(place, f"at most {MAX_IN_VALUES} values")
        return value

    def eq(self, field: FieldRef, value: object, place: str) -> Node:
        self.count(place)
        return Eq(field, coerce(field, value, place))

    def count(self, place: str) -> None:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise InvalidQuery.at(place, f"a filter has at most {MAX_CONDITIONS} conditions")


def _segments(field: FieldRef, base: int | None) -> int:
    """How many path segments a field has, its root (or the enclosing paths) included."""
    if field.is_element:
        return (base or 0) + len(field.path)
    return 1 + len(field.path)


def _path(text: str, place: str, base: int, whose: str) -> tuple[str, ...]:
    path = tuple(text.split("."))
    if len(path) + base > MAX_PATH_SEGMENTS:
        raise InvalidQuery.at(place, f"paths have at most {MAX_PATH_SEGMENTS} segments{whose}")
    for segment in path:
        problem = _path_segment_problem(segment)
        if problem:
            raise InvalidQuery.at(place, problem)
    return path


def _size(value: object, place: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidQuery.at(place, f"expected a whole number ≥ 0, got {_shown(value)}")
    if not is_safe_integer(value):
        raise InvalidQuery.at(place, INTEGER_RULE)
    return int(value)


def _types(value: object, place: str) -> tuple[JsonType, ...]:
    names = value if isinstance(value, (list, tuple)) else [value]
    if not names:
        raise InvalidQuery.at(place, "expected a type name or a non-empty array of them")
    found: list[JsonType] = []
    for name in names:
        known = _JSON_TYPES.get(name) if isinstance(name, str) else None
        if known is None:
            raise InvalidQuery.at(
                place, f"unknown type {_shown(name)}; types: {', '.join(JSON_TYPES)}"
            )
        if known not in found:
            found.append(known)
    return tuple(found)


def _shown(value: object) -> str:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return json.dumps(value, ensure_ascii=False)[:40]
    return describe(value)


def _path_segment_problem(segment: str) -> str | None:
    if not segment:
        return "path segments must not be empty"
    if segment[0] == "$":
        return f"path segment {segment!r} must not start with '$'"
    if any(ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in segment):
        return f"path segment {segment[:40]!r} contains a quote, backslash or control character"
    return text_problem(segment)


def _children(value: object) -> Iterable[object] | None:
    if isinstance(value, Mapping):
        return value.values()
    if isinstance(value, (list, tuple)):
        return value
    return None


def _too_deep(value: object, limit: int) -> bool:
    """Whether objects and arrays nest deeper than ``limit`` levels in ``value``.

    Iterative and stopping at the limit: a mapping nested thousands of levels deep, or one that
    contains itself, is answered without recursion.
    """
    stack: list[tuple[Iterator[object], int]] = []
    children = _children(value)
    if children is None:
        return False
    if limit < 1:
        return True
    stack.append((iter(children), 1))
    while stack:
        iterator, depth = stack[-1]
        child = next(iterator, _DONE)
        if child is _DONE:
            stack.pop()
            continue
        grandchildren = _children(child)
        if grandchildren is None:
            continue
        if depth + 1 > limit:
            return True
        stack.append((iter(grandchildren), depth + 1))
    return False


_DONE = object()


def _load_filter(filter: Mapping[str, Any] | str | bytes) -> object:
    if isinstance(filter, (str, bytes, bytearray)):
        size = len(filter.encode("utf-8", "surrogatepass") if isinstance(filter, str) else filter)
        if size > MAX_FILTER_BYTES:
            raise InvalidQuery.at("filter", f"at most {MAX_FILTER_BYTES} bytes of JSON")
        try:
            return _json.loads_strict(filter)
        except RecursionError:
            raise InvalidQuery.at(
                "filter", f"nested deeper than {MAX_FILTER_DEPTH} levels"
            ) from None
        except ValueError as exc:
            raise InvalidQuery.at("filter", f"not valid JSON ({exc})") from None
    if not isinstance(filter, Mapping):
        raise InvalidQuery.at("filter", f"expected an object or JSON text, got {describe(filter)}")
    if _too_deep(filter, MAX_FILTER_DEPTH):
        raise InvalidQuery.at("filter", f"nested deeper than {MAX_FILTER_DEPTH} levels")
    try:
        encoded = json.dumps(filter, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidQuery.at("filter", f"not representable as JSON ({exc})") from None
    if len(encoded.encode("utf-8", "surrogatepass")) > MAX_FILTER_BYTES:
        raise InvalidQuery.at("filter", f"at most {MAX_FILTER_BYTES} bytes of JSON")
    return filter


def parse_filter(filter: Mapping[str, Any] | str | bytes | None) -> Node | None:
    """Validate a filter (a mapping or its JSON text) into a :data:`Node`.

    Returns ``None`` for no filter (``None``, ``{}``, ``"{}"`` or empty text).
    Raises :class:`InvalidQuery` naming the place and the rule broken.
    """
    if filter is None:
        return None
    if isinstance(filter, (str, bytes, bytearray)) and not filter.strip():
        return None
    document = _load_filter(filter)
    if not isinstance(document, Mapping):
        raise InvalidQuery.at("filter", f"expected a JSON object, got {describe(document)}")
    if _too_deep(document, MAX_FILTER_DEPTH):
        raise InvalidQuery.at("filter", f"nested deeper than {MAX_FILTER_DEPTH} levels")
    if not document:
        return None
    return _Parser().document(document, "filter")


def parse_search(search: str | None) -> str | None:
    """Validate a search term and return it case-folded, or ``None`` for no search."""
    if search is None or search == "":
        return None
    if not isinstance(search, str):
        raise InvalidQuery.at("search", f"expected text, got {describe(search)}")
    if len(search) > MAX_SEARCH_LENGTH:
        raise InvalidQuery.at("search", f"at most {MAX_SEARCH_LENGTH} characters")
    return text(search, "search").casefold()


def _integer(value: object, place: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidQuery.at(place, f"expected an integer, got {describe(value)}")
    if not low <= value <= high:
        raise InvalidQuery.at(place, f"must be between {low} and {high}")
    return int(value)


def parse_query(
    filter: Mapping[str, Any] | str | bytes | None = None,
    *,
    search: str | None = None,
    sort: str | None = None,
    order: str | None = "desc",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    cursor: str | None = None,
    with_total: bool = True,
) -> Query:
    """Validate every part of a query into a :class:`Query`.

    ``sort`` defaults to ``createdAt`` and ``order`` to ``desc`` (``None`` or ``""`` also mean
    the default). ``cursor`` is the ``next_cursor`` of a page of the same query (filter, search,
    sort and order); ``offset`` must then be 0. Raises :class:`InvalidQuery` naming the first
    place that breaks a rule.
    """
    node = parse_filter(filter)
    term = parse_search(search)
    if sort is None or sort == "":
        sort = DEFAULT_SORT
    given: object = sort  # callers outside the type checker pass anything
    kind = TOP_LEVEL_FIELDS.get(given) if isinstance(given, str) else None
    if kind is None:
        raise InvalidQuery.at(
            "sort", f"unknown field {sort!r}; sortable fields: {', '.join(TOP_LEVEL_FIELDS)}"
        )
    if order is None or order == "":
        order = "desc"
    if order not in ("asc", "desc"):
        raise InvalidQuery.at("order", f"expected 'asc' or 'desc', got {order!r}")
    query = Query(
        filter=node,
        search=term,
        sort=FieldRef(sort, kind),
        descending=order == "desc",
        limit=_integer(limit, "limit", 1, MAX_LIMIT),
        offset=_integer(offset, "offset", 0, MAX_OFFSET),
        with_total=_flag(with_total, "withTotal"),
    )
    return _with_cursor(query, cursor)


def _flag(value: object, place: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidQuery.at(place, f"expected true or false, got {describe(value)}")
    return value


def _with_cursor(query: Query, cursor: str | None) -> Query:
    if cursor is None or cursor == "":
        return query
    if query.offset:
        raise InvalidQuery.at("offset", "must be 0 with a cursor: the cursor says where to start")
    fingerprint = query_hash(query.filter, query.search, query.sort, query.descending)
    return replace(query, keyset=decode_cursor(cursor, fingerprint, query.sort))


def parse_index_paths(paths: object) -> tuple[FieldRef, ...]:
    """Validate the JSON paths a store is asked to index (its ``indexes`` option).

    ``paths`` is a list of dotted paths inside ``payload``, ``response`` or ``metadata``, or
    their comma-separated text (a URL's ``indexes=`` parameter); each follows the rules of a
    filter's path. Repeated paths count once. Raises :class:`ConfigurationError` naming the path
    and the rule it breaks.
    """
    if paths is None:
        return ()
    if isinstance(paths, str):
        paths = [path.strip() for path in paths.split(",") if path.strip()]
    if not isinstance(paths, (list, tuple)):
        raise ConfigurationError(
            f"indexes must be a list of JSON paths ('metadata.orderId'), got {describe(paths)}"
        )
    fields: list[FieldRef] = []
    for path in paths:
        if not isinstance(path, str):
            raise ConfigurationError(f"indexes: expected a JSON path as text, got {describe(path)}")
        try:
            field = _Parser().field(path, "indexes")
        except InvalidQuery as exc:
            raise ConfigurationError(f"indexes: {path!r}: {exc.errors[0].message}") from None
        if not field.path:
            raise ConfigurationError(
                f"indexes: {path!r}: name a path inside {', '.join(JSON_ROOTS)} "
                "(top-level fields have their own indexes)"
            )
        if field not in fields:
            fields.append(field)
    return tuple(fields)
