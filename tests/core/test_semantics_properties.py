"""Properties of the reference semantics, checked on MemoryStore with random data and queries."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from actionlogkit import ActionLog, MemoryStore
from actionlogkit.testing import load_dataset, strategies

SEARCHED = ("integration_id", "entity_type", "entity_id", "error_message")


def _store(dataset: list[ActionLog]) -> MemoryStore:
    store = MemoryStore()
    load_dataset(store, dataset)
    return store


@settings(max_examples=300)
@given(strategies.datasets(), strategies.filters())
def test_negation_splits_the_records(dataset: list[ActionLog], filter: dict[str, Any]) -> None:
    """A filter and its $nor together count every record exactly once."""
    store = _store(dataset)
    matching = {r.id for r in store.list(filter, limit=100).data}
    rest = {r.id for r in store.list({"$nor": [filter]}, limit=100).data}
    assert matching.isdisjoint(rest)
    assert len(matching | rest) == len(dataset)


@settings(max_examples=300)
@given(
    strategies.datasets(),
    strategies.json_scalars(),
    st.sampled_from(["payload.a", "payload.a.b", "metadata.tags"]),
)
def test_eq_and_ne_are_complements(dataset: list[ActionLog], value: Any, path: str) -> None:
    """$eq and $ne of the same value, and $in and $nin, partition the records."""
    store = _store(dataset)
    assert store.count({path: value}) + store.count({path: {"$ne": value}}) == len(dataset)
    assert store.count({path: {"$in": [value, 1]}}) + store.count(
        {path: {"$nin": [value, 1]}}
    ) == len(dataset)
    assert store.count({path: {"$exists": True}}) + store.count({path: {"$exists": False}}) == len(
        dataset
    )


@settings(max_examples=300)
@given(strategies.datasets(), strategies.queries())
def test_order_is_total_and_as_documented(dataset: list[ActionLog], query: dict[str, Any]) -> None:
    """Every page is in sort order: nulls first ascending, last descending, ties by _id."""
    store = _store(dataset)
    query = {**query, "limit": 100, "offset": 0}
    page = store.list(**query)
    attribute = {"_id": "id"}.get(query["sort"] or "createdAt")
    descending = query["order"] == "desc"

    def key(record: ActionLog) -> tuple[int, Any, str]:
        name = attribute or _snake(query["sort"] or "createdAt")
        value = getattr(record, name)
        return (0, "", record.id) if value is None else (1, value, record.id)

    keys = [key(r) for r in page.data]
    assert keys == sorted(keys, reverse=descending)
    assert len({r.id for r in page.data}) == len(page.data)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@settings(max_examples=300)
@given(strategies.datasets(), strategies.queries(), st.integers(1, 5))
def test_pages_concatenate_to_the_whole(
    dataset: list[ActionLog], query: dict[str, Any], size: int
) -> None:
    """Walking the pages of any query gives the whole result once, and total never changes."""
    store = _store(dataset)
    whole = store.list(**{**query, "limit": 100, "offset": 0})
    walked: list[str] = []
    for offset in range(0, len(dataset) + size, size):
        page = store.list(**{**query, "limit": size, "offset": offset})
        assert page.total == whole.total
        walked.extend(r.id for r in page.data)
    assert walked == [r.id for r in whole.data]
    assert whole.total == len(whole.data) == store.count(query["filter"], search=query["search"])


@settings(max_examples=300)
@given(strategies.datasets(), strategies.search_terms())
def test_search_is_a_folded_substring_of_one_field(
    dataset: list[ActionLog], term: str | None
) -> None:
    """A record matches a search exactly when one searched field contains the folded term."""
    store = _store(dataset)
    found = {r.id for r in store.list(search=term, limit=100).data}
    expected = {
        r.id
        for r in dataset
        if not term
        or any(term.casefold() in (getattr(r, name) or "").casefold() for name in SEARCHED)
    }
    assert found == expected
