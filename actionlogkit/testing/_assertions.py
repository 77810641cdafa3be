"""``assert_logged``: an assertion about what a store holds, that shows what it holds instead."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from actionlogkit._evaluate import predicate
from actionlogkit._text_table import text_table
from actionlogkit.models import ActionLog
from actionlogkit.query import parse_filter, parse_search, search_text
from actionlogkit.store import Store

__all__ = ["assert_logged"]

_SHOWN = 5
_LOOKED_AT = 200
_BASE_COLUMNS = ("_id", "status", "integrationId", "actionType", "entityType", "entityId")


def _document(filter: Mapping[str, Any] | str | None) -> Any:
    if isinstance(filter, str):
        parse_filter(filter)  # bad text is InvalidQuery, as everywhere else
        return json.loads(filter) if filter.strip() else None
    return filter


def _condition(filter: Mapping[str, Any] | str | None, fields: Mapping[str, Any]) -> Any:
    parts: list[Any] = [{name: value} for name, value in fields.items()]
    document = _document(filter)
    if document:
        parts.insert(0, document)
    return {"$and": parts} if parts else None


def _tests(
    filter: Mapping[str, Any] | str | None, search: str | None, fields: Mapping[str, Any]
) -> list[Callable[[ActionLog], bool]]:
    """One test per expectation (the filter, the search, each field), to score near misses."""
    tests = [predicate(parse_filter({name: value})) for name, value in fields.items()]
    if filter:
        tests.insert(0, predicate(parse_filter(filter)))
    term = parse_search(search)
    if term is not None:
        tests.append(lambda record: term in search_text(record))
    return tests


def _value(record: ActionLog, name: str) -> Any:
    root, _, rest = name.partition(".")
    value: Any = record.model_dump(mode="json", by_alias=True).get(root)
    for key in rest.split(".") if rest else ():
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _nearest(
    store: Store,
    filter: Mapping[str, Any] | str | None,
    search: str | None,
    fields: Mapping[str, Any],
) -> list[str]:
    """A table of the records that meet most of the expectations, newest first among equals."""
    tests = _tests(filter, search, fields)
    records: list[ActionLog] = []
    while len(records) < _LOOKED_AT:
        page = store.list(limit=100, offset=len(records)).data
        records.extend(page)
        if len(page) < 100:
            break
    if not records:
        return ["(the store holds no records)"]
    scores = [(sum(test(record) for test in tests), record) for record in records]
    # Most expectations met first; among equals, the store's order (newest first) stands.
    scored = sorted(scores, key=lambda item: item[0], reverse=True)[:_SHOWN]
    extra = [name for name in fields if name not in _BASE_COLUMNS]
    headers = ["met", *_BASE_COLUMNS, *extra]
    rows = [
        [f"{score}/{len(tests)}", *(_value(record, name) for name in (*_BASE_COLUMNS, *extra))]
        for score, record in scored
    ]
    return text_table(headers, rows)


def assert_logged(
    store: Store,
    filter: Mapping[str, Any] | str | None = None,
    *,
    search: str | None = None,
    count: int | None = None,
    **fields: Any,
) -> list[ActionLog]:
    """Assert that ``store`` holds records matching ``filter``, ``search`` and ``fields``.

    ``fields`` name the record's JSON fields (``integrationId="shop-1"``, ``status="failed"``;
    a dotted path as ``**{"payload.sku": "A1"}``), each meaning equality as in a filter; all of
    them and ``filter`` must hold. ``count=None`` asks for at least one record, a number for
    exactly that many. Returns the matching records (newest first, at most 100).

    Raises:
        AssertionError: the store holds another number of such records; the message shows the
            records nearest to the expectation (how many of its parts each meets).
        InvalidQuery: ``filter``, ``search`` or a field breaks the query language.

    """
    condition = _condition(filter, fields)
    page = store.list(condition, search=search, limit=100)
    total = len(page.data) if page.total is None else page.total  # always counted here
    if (total >= 1) if count is None else (total == count):
        return page.data
    wanted = "at least one record" if count is None else f"{count} record(s)"
    parts = [f"filter={filter!r}"] if filter else []
    parts += [f"search={search!r}"] if search else []
    parts += [f"{name}={value!r}" for name, value in fields.items()]
    lines = [
        f"expected {wanted} matching {', '.join(parts) or 'anything'}; found {total}",
        "the nearest records:",
        *_nearest(store, filter, search, fields),
    ]
    raise AssertionError("\n".join(lines))
