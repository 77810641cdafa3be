"""The query language: validation of filter, search, sort, order, limit and offset into a small AST.

Every store answers a :class:`Query`; the meaning of each node is written once, in
``docs/query-language.md``. Backends compile the AST, never the caller's raw input: a field in the
AST is always one of :data:`TOP_LEVEL_FIELDS` or a checked path below ``payload``, ``response`` or
``metadata``, and every value is already coerced to its field's type.

The AST is small on purpose. ``$ne`` is ``Not(Eq)``, ``$nin`` is ``Not(In)``, ``$nor`` is
``Not(Or)``, ``$exists: false`` is ``Not(Exists)``; ``And(())`` (from ``{}`` inside a list) is
true.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from actionlogkit import _ids, _json, _time
from actionlogkit._rules import INTEGER_RULE, is_safe_integer, text_problem
from actionlogkit.errors import InvalidQuery
from actionlogkit.models import ActionLog, ActionType, Status

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SORT",
    "JSON_ROOTS",
    "MAX_CONDITIONS",
    "MAX_FILTER_BYTES",
    "MAX_FILTER_DEPTH",
    "MAX_IN_VALUES",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_PATH_SEGMENTS",
    "MAX_SEARCH_LENGTH",
    "SEARCH_FIELDS",
    "TOP_LEVEL_FIELDS",
    "And",
    "Compare",
    "ComparisonOp",
    "Eq",
    "Exists",
    "FieldKind",
    "FieldRef",
    "In",
    "Node",
    "Not",
    "Or",
    "Query",
    "Scalar",
    "parse_filter",
    "parse_query",
    "parse_search",
    "search_fields",
    "search_text",
]

MAX_FILTER_BYTES = 16_384
"""Largest filter, in bytes of its JSON text (a mapping is measured by its JSON encoding)."""
MAX_FILTER_DEPTH = 16
"""Deepest nesting of objects and arrays in a filter document."""
MAX_CONDITIONS = 100
"""Most field conditions (``$eq``, ``$in``, comparisons, ``$exists``) in one filter."""
MAX_IN_VALUES = 256
"""Most values in one ``$in`` or ``$nin`` list."""
MAX_PATH_SEGMENTS = 8
"""Most segments in a nested path, its root included (``payload.a.b`` has three)."""
MAX_SEARCH_LENGTH = 256
"""Longest search term, in characters."""
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_OFFSET = 2**53
DEFAULT_SORT = "createdAt"


class FieldKind(Enum):
    """The type a field's operands are checked and coerced against."""

    STRING = "string"
    ENUM = "enum"
    ID = "id"
    INTEGER = "integer"
    NUMBER = "number"
    DATETIME = "datetime"
    JSON = "json"


TOP_LEVEL_FIELDS: dict[str, FieldKind] = {
    "_id": FieldKind.ID,
    "integrationId": FieldKind.STRING,
    "actionType": FieldKind.ENUM,
    "entityType": FieldKind.STRING,
    "entityId": FieldKind.STRING,
    "status": FieldKind.ENUM,
    "errorMessage": FieldKind.STRING,
    "retryCount": FieldKind.INTEGER,
    "executionTime": FieldKind.NUMBER,
    "createdAt": FieldKind.DATETIME,
    "updatedAt": FieldKind.DATETIME,
}
"""The filterable and sortable top-level fields (wire names) and their kinds."""
JSON_ROOTS: tuple[str, ...] = ("payload", "response", "metadata")
"""The fields whose insides are reached by dotted paths."""
SEARCH_FIELDS: tuple[str, ...] = ("integrationId", "entityType", "entityId", "errorMessage")
"""The fields a search term is looked for in."""

_ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "actionType": tuple(member.value for member in ActionType),
    "status": tuple(member.value for member in Status),
}
_ATTRIBUTES: dict[str, str] = {
    info.alias or name: name for name, info in ActionLog.model_fields.items()
}

ComparisonOp = Literal["$gt", "$gte", "$lt", "$lte"]
Scalar = str | int | float | bool | datetime | None
"""An operand after coercion: ``datetime`` only for datetime fields, ``bool`` only in JSON paths."""


@dataclass(frozen=True)
class FieldRef:
    """A validated field: a top-level field (``path == ()``) or a path inside a JSON root."""

    name: str
    """The top-level wire name: one of :data:`TOP_LEVEL_FIELDS` or :data:`JSON_ROOTS`."""
    kind: FieldKind
    path: tuple[str, ...] = ()
    """The keys below the JSON root, for ``kind == FieldKind.JSON``."""

    @property
    def attribute(self) -> str:
        """The Python attribute of :class:`ActionLog` that holds the field (or the JSON root)."""
        return _ATTRIBUTES[self.name]

    @property
    def dotted(self) -> str:
        """The field as written in a filter: ``status``, ``payload.order.total``."""
        return ".".join((self.name, *self.path))


@dataclass(frozen=True)
class Eq:
    """Some value of the field equals ``value`` (same type class); ``None``: null or missing."""

    field: FieldRef
    value: Scalar


@dataclass(frozen=True)
class In:
    """``Eq`` holds for at least one of ``values`` (empty: never)."""

    field: FieldRef
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Compare:
    """Some value of the field of ``value``'s type class compares so; ``value`` is not ``None``."""

    field: FieldRef
    op: ComparisonOp
    value: Scalar


@dataclass(frozen=True)
class Exists:
    """The path reaches at least one value (a null counts); always true for top-level fields."""

    field: FieldRef


@dataclass(frozen=True)
class Not:
    """The operand does not hold."""

    operand: Node


@dataclass(frozen=True)
class And:
    """Every operand holds (true when there are none)."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one operand holds; never empty."""

    operands: tuple[Node, ...]


Node = Eq | In | Compare | Exists | Not | And | Or


@dataclass(frozen=True)
class Query:
    """A validated query as every store receives it."""

    filter: Node | None = None
    """The condition, or ``None`` for every record."""
    search: str | None = None
    """The search term already case-folded (``str.casefold``), or ``None`` for no search."""
    sort: FieldRef = FieldRef(DEFAULT_SORT, FieldKind.DATETIME)
    """A top-level field."""
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    offset: int = 0


_COMPARISONS: dict[str, ComparisonOp] = {"$gt": "$gt", "$gte": "$gte", "$lt": "$lt", "$lte": "$lte"}
_FIELD_OPERATORS = ("$eq", "$ne", *_COMPARISONS, "$in", "$nin", "$exists", "$not")
_LOGICAL_OPERATORS = ("$and", "$or", "$nor")
_NOT_OF_NEGATION = {"$ne": "$eq", "$nin": "$in"}


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


class _Parser:
    """One filter's walk, counting conditions against the bounds."""

    def __init__(self) -> None:
        self.conditions = 0

    def document(self, doc: object, where: str) -> Node:
        if not isinstance(doc, Mapping):
            raise InvalidQuery.at(where, f"expected an object, got {_describe(doc)}")
        nodes: list[Node] = []
        for key, value in doc.items():
            if not isinstance(key, str):
                raise InvalidQuery.at(where, f"keys must be text, got {_describe(key)}")
            place = f"{where}.{key}"
            if key.startswith("$"):
                nodes.append(self.logical(key, value, place))
            else:
                nodes.append(self.condition(self.field(key, place), value, place))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def logical(self, key: str, value: object, place: str) -> Node:
        if key not in _LOGICAL_OPERATORS:
            if key in _FIELD_OPERATORS:
                raise InvalidQuery.at(place, f"{key} must be applied to a field")
            raise InvalidQuery.at(
                place,
                f"unknown or unsupported operator {key!r}; logical operators: $and, $or, $nor",
            )
        if not isinstance(value, (list, tuple)):
            raise InvalidQuery.at(
                place, f"expected an array of filter objects, got {_describe(value)}"
            )
        if not value:
            raise InvalidQuery.at(place, "must not be empty")
        operands = tuple(self.document(item, f"{place}[{i}]") for i, item in enumerate(value))
        if key == "$and":
            return And(operands)
        either = Or(operands)
        return either if key == "$or" else Not(either)

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
        path = tuple(rest.split("."))
        if len(path) + 1 > MAX_PATH_SEGMENTS:
            raise InvalidQuery.at(place, f"paths have at most {MAX_PATH_SEGMENTS} segments")
        for segment in path:
            problem = _path_segment_problem(segment)
            if problem:
                raise InvalidQuery.at(place, problem)
        return FieldRef(root, FieldKind.JSON, path)

    def condition(self, field: FieldRef, value: object, place: str) -> Node:
        if isinstance(value, Mapping):
            keys = list(value)
            if not keys:
                raise InvalidQuery.at(place, "an empty object is not a condition")
            operators = [k for k in keys if isinstance(k, str) and k.startswith("$")]
            if not operators:
                raise InvalidQuery.at(
                    place, "objects are not allowed as values; use an operator such as $eq or $in"
                )
            if len(operators) != len(keys):
                raise InvalidQuery.at(place, "cannot mix operators and plain keys in one object")
            return self.operators(field, value, place)
        return self.eq(field, value, place)

    def operators(self, field: FieldRef, ops: Mapping[str, object], place: str) -> Node:
        nodes = [self.operator(field, op, operand, f"{place}.{op}") for op, operand in ops.items()]
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def operator(self, field: FieldRef, op: str, operand: object, place: str) -> Node:
        if op == "$eq":
            return self.eq(field, operand, place)
        if op in _NOT_OF_NEGATION:
            return Not(self.operator(field, _NOT_OF_NEGATION[op], operand, place))
        if op in _COMPARISONS:
            self.count(place)
            if operand is None:
                raise InvalidQuery.at(place, "null cannot be compared; use $eq null or $exists")
            return Compare(field, _COMPARISONS[op], _operand(field, operand, place))
        if op == "$in":
            self.count(place)
            if not isinstance(operand, (list, tuple)):
                raise InvalidQuery.at(place, f"expected an array, got {_describe(operand)}")
            if len(operand) > MAX_IN_VALUES:
                raise InvalidQuery.at(place, f"at most {MAX_IN_VALUES} values")
            values = tuple(_operand(field, v, f"{place}[{i}]") for i, v in enumerate(operand))
            return In(field, values)
        if op == "$exists":
            self.count(place)
            if not isinstance(operand, bool):
                raise InvalidQuery.at(place, f"expected true or false, got {_describe(operand)}")
            exists = Exists(field)
            return exists if operand else Not(exists)
        if op == "$not":
            if not isinstance(operand, Mapping) or not operand:
                raise InvalidQuery.at(place, "expected a non-empty object of operators")
            for key in operand:
                if not (isinstance(key, str) and key.startswith("$")):
                    raise InvalidQuery.at(place, "expected an object of operators such as $gt")
            return Not(self.operators(field, operand, place))
        if op in _LOGICAL_OPERATORS:
            raise InvalidQuery.at(place, f"{op} must be used at the level of a filter object")
        raise InvalidQuery.at(
            place,
            f"unknown or unsupported operator {op!r}; operators: {', '.join(_FIELD_OPERATORS)}",
        )

    def eq(self, field: FieldRef, value: object, place: str) -> Node:
        self.count(place)
        return Eq(field, _operand(field, value, place))

    def count(self, place: str) -> None:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise InvalidQuery.at(place, f"a filter has at most {MAX_CONDITIONS} conditions")


def _path_segment_problem(segment: str) -> str | None:
    if not segment:
        return "path segments must not be empty"
    if segment.isdigit():
        return f"numeric path segment {segment!r}: array positions are not supported"
    if segment[0] == "$":
        return f"path segment {segment!r} must not start with '$'"
    if any(ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in segment):
        return f"path segment {segment[:40]!r} contains a quote, backslash or control character"
    return text_problem(segment)


def _operand(field: FieldRef, value: object, place: str) -> Scalar:
    """Check ``value`` against the field's kind and return it coerced; ``None`` passes."""
    if value is None:
        return None
    kind = field.kind
    if kind is FieldKind.JSON:
        if isinstance(value, (Mapping, list, tuple)):
            raise InvalidQuery.at(place, "objects and arrays are not allowed as operands")
        if isinstance(value, (str, bool, int, float)):
            return _json_scalar(value, place)
        raise InvalidQuery.at(place, f"expected a JSON scalar, got {_describe(value)}")
    if kind is FieldKind.STRING:
        if isinstance(value, str):
            return _text(value, place)
        raise InvalidQuery.at(place, f"expected text, got {_describe(value)}")
    if kind is FieldKind.ENUM:
        allowed = _ENUM_VALUES[field.name]
        if isinstance(value, str) and value in allowed:
            return str.__str__(value)
        raise InvalidQuery.at(place, "expected one of " + ", ".join(repr(v) for v in allowed))
    if kind is FieldKind.ID:
        if isinstance(value, str) and _ids.is_valid_id(value.lower()):
            return value.lower()
        raise InvalidQuery.at(place, "expected a record id (24 hexadecimal characters)")
    if kind in (FieldKind.INTEGER, FieldKind.NUMBER):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _number(value, place)
        raise InvalidQuery.at(place, f"expected a number, got {_describe(value)}")
    if isinstance(value, datetime):
        return _time.to_timestamp(value)
    if isinstance(value, str):
        try:
            return _time.parse_timestamp(value)
        except ValueError:
            pass
    raise InvalidQuery.at(place, "expected an ISO 8601 date-time such as 2023-01-15T08:00:00Z")


def _json_scalar(value: str | bool | int | float, place: str) -> Scalar:
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return _text(value, place)
    return _number(value, place)


def _text(value: str, place: str) -> str:
    problem = text_problem(value)
    if problem:
        raise InvalidQuery.at(place, f"text {problem}")
    return str.__str__(value)


def _number(value: int | float, place: str) -> int | float:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidQuery.at(place, "numbers must be finite")
        return float(value)
    if not is_safe_integer(value):
        raise InvalidQuery.at(place, INTEGER_RULE)
    return int(value)


def _depth(value: object, limit: int) -> int:
    """Nesting depth of objects and arrays, stopping once past ``limit``."""
    if isinstance(value, Mapping):
        children: Any = value.values()
    elif isinstance(value, (list, tuple)):
        children = value
    else:
        return 0
    deepest = 0
    for child in children:
        deepest = max(deepest, _depth(child, limit - 1))
        if deepest >= limit:
            break
    return deepest + 1


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
        raise InvalidQuery.at("filter", f"expected an object or JSON text, got {_describe(filter)}")
    if _depth(filter, MAX_FILTER_DEPTH + 1) > MAX_FILTER_DEPTH:
        raise InvalidQuery.at("filter", f"nested deeper than {MAX_FILTER_DEPTH} levels")
    try:
        text = json.dumps(filter, default=str, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidQuery.at("filter", f"not representable as JSON ({exc})") from None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILTER_BYTES:
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
        raise InvalidQuery.at("filter", f"expected a JSON object, got {_describe(document)}")
    if _depth(document, MAX_FILTER_DEPTH + 1) > MAX_FILTER_DEPTH:
        raise InvalidQuery.at("filter", f"nested deeper than {MAX_FILTER_DEPTH} levels")
    if not document:
        return None
    return _Parser().document(document, "filter")


def parse_search(search: str | None) -> str | None:
    """Validate a search term and return it case-folded, or ``None`` for no search."""
    if search is None or search == "":
        return None
    if not isinstance(search, str):
        raise InvalidQuery.at("search", f"expected text, got {_describe(search)}")
    if len(search) > MAX_SEARCH_LENGTH:
        raise InvalidQuery.at("search", f"at most {MAX_SEARCH_LENGTH} characters")
    return _text(search, "search").casefold()


def _integer(value: object, place: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidQuery.at(place, f"expected an integer, got {_describe(value)}")
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
) -> Query:
    """Validate every part of a query into a :class:`Query`.

    ``sort`` defaults to ``createdAt`` and ``order`` to ``desc`` (``None`` or ``""`` also mean
    the default). Raises :class:`InvalidQuery` naming the first place that breaks a rule.
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
    return Query(
        filter=node,
        search=term,
        sort=FieldRef(sort, kind),
        descending=order == "desc",
        limit=_integer(limit, "limit", 1, MAX_LIMIT),
        offset=_integer(offset, "offset", 0, MAX_OFFSET),
    )


def search_fields(record: ActionLog) -> tuple[str, str, str, str]:
    """The four search fields of a record, case-folded, an absent field as empty text."""
    return (
        record.integration_id.casefold(),
        record.entity_type.casefold(),
        (record.entity_id or "").casefold(),
        (record.error_message or "").casefold(),
    )


def search_text(record: ActionLog) -> str:
    """The text a search term is looked for in: the case-folded search fields joined by NUL.

    NUL never occurs in stored text nor in a search term, so a term found in this text was found
    inside one field. Backends that cannot fold case exactly as Python does store this text.
    """
    return "\x00".join(search_fields(record))
