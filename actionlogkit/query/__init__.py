"""The query language: validation of filter, search, sort, order, limit and offset into a small AST.

Every store answers a :class:`Query`; the meaning of each node is written once, in
``docs/query-language.md``, and :mod:`actionlogkit._evaluate` is that meaning as code. Backends
compile the AST, never the caller's raw input: a field in the AST is always one of
:data:`TOP_LEVEL_FIELDS` or a checked path below ``payload``, ``response`` or ``metadata``, and
every value is already coerced to its field's type.

The modules part the concerns so that each rule has one home: the fields (``_fields``), the AST
(``_ast``), the operator table every list of operators is read from (``_operators``), the bounds
(``_bounds``), operand coercion (``_operands``), the parser (``_parse``) and the folded search
text (``_search``). Import from this package; the modules are its layout, not its API.
"""

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
    Keyset,
    Node,
    Not,
    Or,
    Query,
    Scalar,
    Size,
    Value,
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
from actionlogkit.query._cursor import MAX_CURSOR_LENGTH, next_cursor
from actionlogkit.query._fields import (
    JSON_ROOTS,
    MAX_POSITION,
    TOP_LEVEL_FIELDS,
    FieldKind,
    FieldRef,
    position,
)
from actionlogkit.query._operators import (
    COMPARATORS,
    COMPARISON_OPERATORS,
    FIELD_OPERATORS,
    LOGICAL_OPERATORS,
    OPERATORS,
    FieldOperator,
    FieldRule,
    LogicalOperator,
    LogicalRule,
    Operator,
)
from actionlogkit.query._parse import parse_filter, parse_index_paths, parse_query, parse_search
from actionlogkit.query._search import SEARCH_FIELDS, search_fields, search_text

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SORT",
    "JSON_ROOTS",
    "JSON_TYPES",
    "MAX_CONDITIONS",
    "MAX_FILTER_BYTES",
    "MAX_FILTER_DEPTH",
    "MAX_IN_VALUES",
    "MAX_CURSOR_LENGTH",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_PATH_SEGMENTS",
    "MAX_POSITION",
    "MAX_SEARCH_LENGTH",
    "SEARCH_FIELDS",
    "TOP_LEVEL_FIELDS",
    "And",
    "Compare",
    "ComparisonOp",
    "ElemMatch",
    "Eq",
    "Exists",
    "FieldKind",
    "FieldRef",
    "HasType",
    "In",
    "JsonType",
    "Keyset",
    "Node",
    "Not",
    "Or",
    "Query",
    "Scalar",
    "Size",
    "Value",
    "next_cursor",
    "parse_filter",
    "parse_index_paths",
    "parse_query",
    "parse_search",
    "position",
    "search_fields",
    "search_text",
    # The operator table and what is derived from it.
    "OPERATORS",
    "FIELD_OPERATORS",
    "LOGICAL_OPERATORS",
    "COMPARISON_OPERATORS",
    "COMPARATORS",
    "Operator",
    "FieldOperator",
    "LogicalOperator",
    "FieldRule",
    "LogicalRule",
]
