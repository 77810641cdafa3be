"""The bounds of a query: how large a filter may be, and the page a query asks for by default.

They keep one request's cost bounded on every backend: a filter's size, depth and number of
conditions bound the SQL or MongoDB filter compiled from it. The REST API states them in its
OpenAPI document.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SORT",
    "MAX_CONDITIONS",
    "MAX_FILTER_BYTES",
    "MAX_FILTER_DEPTH",
    "MAX_IN_VALUES",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_PATH_SEGMENTS",
    "MAX_SEARCH_LENGTH",
]

MAX_FILTER_BYTES = 16_384
"""Largest filter, in bytes of its JSON text (a mapping is measured by its JSON encoding)."""
MAX_FILTER_DEPTH = 16
"""Deepest nesting of objects and arrays in a filter document."""
MAX_CONDITIONS = 100
"""Most field conditions in one filter: each ``$eq``, ``$in``, comparison, ``$exists``, ``$size``,
``$type`` and ``$elemMatch``, and each value of ``$all``."""
MAX_IN_VALUES = 256
"""Most values in one ``$in``, ``$nin`` or ``$all`` list."""
MAX_PATH_SEGMENTS = 8
"""Most segments in a nested path, its root included (``payload.a.b`` has three); the paths of an
``$elemMatch`` filter count together with the path of the field it applies to."""
MAX_SEARCH_LENGTH = 256
"""Longest search term, in characters."""
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_OFFSET = 2**53
DEFAULT_SORT = "createdAt"
