"""The differential check: two stores holding the same records answer every query the same."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from actionlogkit.errors import InvalidQuery
from actionlogkit.models import ActionLog
from actionlogkit.store import Store

__all__ = ["assert_same_results", "canonical", "load_dataset"]


def canonical(record: ActionLog) -> str:
    """A record's JSON with sorted keys: ``true`` differs from ``1`` and ``10.0`` from ``10``."""
    return json.dumps(record.model_dump(mode="json", by_alias=True), sort_keys=True)


def load_dataset(store: Store, dataset: Sequence[ActionLog]) -> None:
    """Empty ``store`` and import ``dataset`` into it, ids and timestamps included."""
    store.delete_many({})
    store.import_records(dataset)


def _answer(store: Store, query: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        page = store.list(**query)
        total = store.count(query.get("filter"), search=query.get("search"))
    except InvalidQuery as exc:
        return ("InvalidQuery", [error.field for error in exc.errors])
    return (
        "ok",
        [record.id for record in page.data],
        page.total,
        total,
        [canonical(r) for r in page.data],
    )


def assert_same_results(
    reference: Store,
    candidate: Store,
    dataset: Sequence[ActionLog],
    queries: Iterable[Mapping[str, Any]],
) -> None:
    """Load ``dataset`` into both stores and assert that every query gives the same answer.

    The same answer means the same ids in the same order, the same ``total`` and ``count``, the
    same records to the JSON type of every value, or the same :class:`InvalidQuery` places.
    Both stores are emptied first; the data is left in them afterwards.
    """
    load_dataset(reference, dataset)
    load_dataset(candidate, dataset)
    for query in queries:
        expected = _answer(reference, query)
        actual = _answer(candidate, query)
        if actual != expected:
            raise AssertionError(
                f"{type(candidate).__name__} differs from {type(reference).__name__}\n"
                f"query: {query!r}\nexpected: {expected[:4]!r}\nactual:   {actual[:4]!r}"
                + ("" if expected[:4] != actual[:4] else "\n(the records' contents differ)")
            )
