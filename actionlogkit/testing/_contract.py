"""``StoreContract``: the behaviour every store must show, as a pytest mixin."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest

from actionlogkit import _ids
from actionlogkit.errors import Conflict, InvalidQuery, InvalidRecord, NotFound, StoreError
from actionlogkit.memory import MemoryStore
from actionlogkit.models import FIELD_NAMES, ActionLog, ActionLogInput, ActionType, Status
from actionlogkit.query import TOP_LEVEL_FIELDS
from actionlogkit.store import Store
from actionlogkit.testing import _sample
from actionlogkit.testing._differential import assert_same_results, canonical, load_dataset
from actionlogkit.testing._matrix import Exclusion, run_matrix
from actionlogkit.testing._stats_reference import assert_same_stats, expected_stats

__all__ = ["StoreContract"]


def _labels_of(ids: list[str], labels: Mapping[str, str]) -> str:
    return "".join(labels[i] for i in ids)


def _expected_order(spec: str, ids: Mapping[str, str], descending: bool) -> list[str]:
    """Turn ``"f e (cd) b"`` into ids: groups in parentheses tie and go by ``_id``."""
    order: list[str] = []
    for group in spec.replace("(", " (").replace(")", ") ").split():
        members = [ids[label] for label in group.strip("()")]
        order.extend(sorted(members, reverse=descending))
    return order


class StoreContract:
    """The behavioural contract of :class:`~actionlogkit.Store`, for any backend.

    Subclass it in a test module and provide a ``store`` fixture that yields a fresh, empty store::

        class TestMyStore(StoreContract):
            @pytest.fixture
            def store(self):
                with MyStore(...) as store:
                    yield store

    ``divergences`` maps test ids (``"test_filter[payload.active=1]"``) to the reason a backend
    knowingly differs; those tests are marked ``xfail(strict=True)``, so they fail once the
    divergence is gone. ``differential_examples`` sets how many Hypothesis examples compare the
    store with :class:`~actionlogkit.MemoryStore`. ``matrix_exclusions`` lists, for a stand-in of
    a database, the known differences the query matrix meets (each must still explain at least one
    differing cell, and every differing cell must be explained); a real database lists none.
    ``differential_operators`` limits the operators the random differential tests (of ``list``
    and of ``stats``) draw (by default every one).
    """

    divergences: ClassVar[Mapping[str, str]] = {}
    differential_examples: ClassVar[int] = 200
    matrix_exclusions: Sequence[Exclusion] = ()
    differential_operators: ClassVar[Sequence[str] | None] = None

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh, empty store; every backend's test class provides its own."""
        raise NotImplementedError("subclasses of StoreContract provide a `store` fixture")

    @pytest.fixture(autouse=True)
    def _known_divergence(self, request: pytest.FixtureRequest) -> None:
        reason = self.divergences.get(request.node.name)
        if reason:
            request.applymarker(pytest.mark.xfail(reason=reason, strict=True))

    @pytest.fixture
    def sample(self, store: Store) -> dict[str, str]:
        """The sample records stored: label → id."""
        created = store.create_many(
            _sample.SAMPLE.values(), created_at=[_sample.created_at[k] for k in _sample.LABELS]
        )
        return {label: record.id for label, record in zip(_sample.LABELS, created, strict=True)}

    # -- create, get ------------------------------------------------------------------------------

    def test_create_returns_the_stored_record(self, store: Store) -> None:
        """Create stamps an id and UTC millisecond timestamps and keeps every field given."""
        before = datetime.now(timezone.utc) - timedelta(milliseconds=1)
        record = store.create(_sample.SAMPLE["a"])
        after = datetime.now(timezone.utc)
        assert _ids.is_valid_id(record.id)
        assert record.integration_id == "shop-A"
        assert record.action_type is ActionType.CREATE
        assert record.status is Status.SUCCESS
        assert record.payload == _sample.SAMPLE["a"]["payload"]
        assert record.execution_time == 120.5
        assert record.created_at.tzinfo is timezone.utc
        assert record.created_at.microsecond % 1000 == 0
        assert before <= record.created_at <= after
        assert record.updated_at == record.created_at

    def test_get_returns_what_create_returned(self, store: Store) -> None:
        """A record read back equals the created one, to the JSON type of every value."""
        created = store.create(_sample.SAMPLE["a"])
        assert canonical(store.get(created.id)) == canonical(created)

    def test_dump_has_every_key_of_the_api(self, store: Store) -> None:
        """The JSON of a minimal record has all the API's keys, absent ones null, retryCount 0."""
        dumped = store.get(store.create(_sample.minimal()).id).model_dump(
            mode="json", by_alias=True
        )
        assert tuple(dumped) == FIELD_NAMES
        assert dumped["retryCount"] == 0
        assert dumped["entityId"] is None
        assert dumped["payload"] is None
        assert dumped["createdAt"].endswith("Z")

    def test_create_accepts_python_names_and_models(self, store: Store) -> None:
        """Snake_case keys and ActionLogInput objects are accepted as well as wire names."""
        by_name = store.create(
            {
                "integration_id": "x",
                "action_type": "sync",
                "entity_type": "order",
                "status": "pending",
            }
        )
        model = store.create(ActionLogInput.model_validate(_sample.minimal(entityId="p-9")))
        assert by_name.integration_id == "x"
        assert store.get(model.id).entity_id == "p-9"

    def test_json_values_round_trip_exactly(self, store: Store) -> None:
        """payload, response and metadata come back with the same JSON types and values."""
        payload: dict[str, Any] = {
            "int": 10,
            "float": 10.0,
            "half": 0.5,
            "big": 2**53,
            "negative": -(2**53),
            "true": True,
            "zero": 0,
            "false": False,
            "null": None,
            "text": "Grüße, 東京 🎉 \"quoted\" \\ 'single' \n",
            "empty_object": {},
            "empty_array": [],
            "nested": {"list": [1, "two", None, [3, [4]], {"five": 5.5}]},
        }
        created = store.create(
            _sample.minimal(payload=payload, response={"k": [True, 1]}, metadata={})
        )
        fetched = store.get(created.id)
        assert canonical(fetched) == canonical(created)
        assert json.dumps(fetched.payload, sort_keys=True) == json.dumps(payload, sort_keys=True)
        assert fetched.metadata == {}

    def test_records_handed_out_are_copies(self, store: Store) -> None:
        """Changing a returned record's payload does not change what is stored."""
        created = store.create(_sample.minimal(payload={"a": {"b": [1]}}))
        assert created.payload is not None
        created.payload["a"]["b"].append(2)
        fetched = store.get(created.id)
        assert fetched.payload == {"a": {"b": [1]}}
        assert fetched.payload is not None
        fetched.payload["a"] = "changed"
        assert store.get(created.id).payload == {"a": {"b": [1]}}

    def test_created_at_can_be_stamped_by_the_caller(self, store: Store) -> None:
        """A caller's createdAt is kept, converted to UTC and truncated to milliseconds."""
        stamp = datetime(2023, 1, 15, 9, 0, 0, 123_456, tzinfo=timezone(timedelta(hours=1)))
        record = store.create(_sample.minimal(), created_at=stamp)
        fetched = store.get(record.id)
        assert fetched.created_at == datetime(2023, 1, 15, 8, 0, 0, 123_000, tzinfo=timezone.utc)
        assert fetched.created_at.tzinfo is timezone.utc
        assert fetched.updated_at >= fetched.created_at

    def test_create_many_stamps_each_record(self, store: Store) -> None:
        """create_many keeps order, and takes one createdAt per record (None meaning now)."""
        first = datetime(2022, 5, 1, tzinfo=timezone.utc)
        created = store.create_many(
            [_sample.minimal(entityId=str(i)) for i in range(3)], created_at=[first, None, first]
        )
        assert [r.entity_id for r in created] == ["0", "1", "2"]
        assert created[0].created_at == first == created[2].created_at
        assert created[1].created_at > first
        assert store.count() == 3

    def test_ids_are_unique_and_increase(self, store: Store) -> None:
        """Ids of one batch are distinct and grow in creation order."""
        ids = [r.id for r in store.create_many([_sample.minimal()] * 50)]
        assert len(set(ids)) == 50
        assert ids == sorted(ids)

    def test_get_unknown_or_malformed_id_is_not_found(self, store: Store) -> None:
        """Get raises NotFound for an unknown id and for anything that is not an id."""
        store.create(_sample.minimal())
        for bad in ["0" * 24, "nope", "", "g" * 24, 42, None, "0" * 25]:
            with pytest.raises(NotFound):
                store.get(bad)  # type: ignore[arg-type]

    def test_ids_are_accepted_in_upper_case(self, store: Store) -> None:
        """An id written in upper-case hex finds its record."""
        record = store.create(_sample.minimal())
        assert store.get(record.id.upper()).id == record.id

    # -- bad records ------------------------------------------------------------------------------

    @pytest.mark.parametrize(("body", "field"), _sample.INVALID_RECORDS)
    def test_invalid_record_is_refused(
        self, store: Store, body: dict[str, Any], field: str
    ) -> None:
        """A record breaking the model raises InvalidRecord naming the field; nothing is stored."""
        with pytest.raises(InvalidRecord) as caught:
            store.create(body)
        assert any(error.field.startswith(field) for error in caught.value.errors), caught.value
        assert isinstance(caught.value, ValueError)
        assert store.count() == 0

    def test_create_many_is_all_or_nothing(self, store: Store) -> None:
        """One bad record in a batch stores none of them and names its position."""
        batch = [_sample.minimal(), _sample.minimal(), _sample.minimal(status="bogus")]
        with pytest.raises(InvalidRecord) as caught:
            store.create_many(batch)
        assert caught.value.errors[0].field == "[2].status"
        assert store.count() == 0

    def test_a_bad_record_deep_in_a_large_batch_stores_nothing(self, store: Store) -> None:
        """A large batch whose late record is bad stores none; the store takes the next batch."""
        batch = [_sample.minimal(entityId=str(i)) for i in range(300)]
        batch[257] = _sample.minimal(retryCount=-1)
        with pytest.raises(InvalidRecord) as caught:
            store.create_many(batch)
        assert [error.field for error in caught.value.errors] == ["[257].retryCount"]
        assert store.count() == 0
        del batch[257]
        assert len(store.create_many(batch)) == 299
        assert store.count() == 299

    def test_created_at_must_match_the_records(self, store: Store) -> None:
        """A createdAt list of the wrong length, or not of datetimes, is refused; nothing stored."""
        with pytest.raises(InvalidRecord):
            store.create_many([_sample.minimal()] * 2, created_at=[datetime.now(timezone.utc)])
        with pytest.raises(InvalidRecord):
            store.create(_sample.minimal(), created_at="2024-01-01")  # type: ignore[arg-type]
        assert store.count() == 0

    # -- update, delete, import -------------------------------------------------------------------

    def test_update_replaces_the_whole_record(self, store: Store) -> None:
        """Update is a full replacement: createdAt kept, updatedAt bumped, absent fields reset."""
        old = store.create(
            _sample.SAMPLE["b"], created_at=datetime(2020, 1, 1, tzinfo=timezone.utc)
        )
        new = store.update(old.id, _sample.minimal(status="retrying", payload={"x": 1}))
        assert new.id == old.id
        assert new.created_at == old.created_at
        assert new.updated_at >= old.updated_at
        fetched = store.get(old.id)
        assert canonical(fetched) == canonical(new)
        assert fetched.status is Status.RETRYING
        assert fetched.error_message is None
        assert fetched.retry_count == 0
        assert fetched.payload == {"x": 1}
        assert fetched.response is None

    def test_update_of_unknown_id_is_not_found(self, store: Store) -> None:
        """Update raises NotFound for an unknown or malformed id and creates nothing."""
        with pytest.raises(NotFound):
            store.update("0" * 24, _sample.minimal())
        with pytest.raises(NotFound):
            store.update("x", _sample.minimal())
        assert store.count() == 0

    def test_invalid_update_changes_nothing(self, store: Store) -> None:
        """An update that breaks the model raises InvalidRecord and leaves the record as it was."""
        old = store.create(_sample.SAMPLE["a"])
        with pytest.raises(InvalidRecord):
            store.update(old.id, _sample.minimal(retryCount=-5))
        assert canonical(store.get(old.id)) == canonical(old)

    def test_delete_removes_one_record(self, store: Store) -> None:
        """Delete removes the record; deleting it again is NotFound."""
        keep, drop = store.create_many([_sample.minimal(), _sample.minimal()])
        store.delete(drop.id)
        with pytest.raises(NotFound):
            store.get(drop.id)
        with pytest.raises(NotFound):
            store.delete(drop.id)
        assert [r.id for r in store.list().data] == [keep.id]

    def test_delete_many_removes_the_matches(self, store: Store, sample: dict[str, str]) -> None:
        """delete_many removes exactly what the filter and search match and says how many."""
        assert store.delete_many({"status": "failed"}, search="straße") == 1
        assert store.delete_many({"integrationId": "shop-A"}) == 2
        remaining = {r.id for r in store.list(limit=100).data}
        assert remaining == {sample[k] for k in "bcde"}
        with pytest.raises(InvalidQuery):
            store.delete_many({"status": "bogus"})
        assert store.delete_many({}) == 4
        assert store.count() == 0

    def test_import_keeps_ids_and_timestamps(self, store: Store) -> None:
        """import_records stores complete records as they are."""
        source = MemoryStore()
        records = source.create_many(_sample.SAMPLE.values())
        assert store.import_records(records) == len(records)
        for record in records:
            assert canonical(store.get(record.id)) == canonical(record)
        dumped = [r.model_dump(mode="json", by_alias=True) for r in records[:1]]
        with pytest.raises(Conflict):
            store.import_records(dumped)

    def test_prepared_records_are_stored_as_given(self, store: Store) -> None:
        """_insert of what _prepare_insert returned stores the records as create would."""
        records = MemoryStore().create_many(_sample.SAMPLE.values())
        store._insert(store._prepare_insert(records))
        for record in records:
            assert canonical(store.get(record.id)) == canonical(record)
        term = records[0].entity_type.upper()
        assert store.count(search=term) == sum(
            term.casefold() in r.entity_type.casefold() for r in records
        )
        assert store.count() == len(records)

    def test_a_prepared_insert_is_all_or_nothing(self, store: Store) -> None:
        """A prepared insert that repeats a stored id raises Conflict and stores none."""
        stored = store.create(_sample.minimal())
        fresh = MemoryStore().create(_sample.minimal())
        prepared = store._prepare_insert([fresh, stored])
        with pytest.raises(Conflict):
            store._insert(prepared)
        assert [r.id for r in store.list().data] == [stored.id]

    def test_import_is_all_or_nothing(self, store: Store) -> None:
        """An import repeating an id, or with an invalid record, stores nothing."""
        record = MemoryStore().create(_sample.minimal())
        other = MemoryStore().create(_sample.minimal())
        with pytest.raises(Conflict):
            store.import_records([other, record, record])
        bad = {**record.model_dump(mode="json", by_alias=True), "status": "bogus"}
        with pytest.raises(InvalidRecord):
            store.import_records([other, bad])
        assert store.count() == 0
        store.import_records([record])
        with pytest.raises(Conflict):
            store.import_records([other, record])
        assert [r.id for r in store.list().data] == [record.id]

    # -- retention --------------------------------------------------------------------------------

    @pytest.fixture
    def aged(self, store: Store) -> dict[str, list[str]]:
        """Records created 40, 20 and 1 days ago (two integrations each), by age: ids."""
        now = datetime.now(timezone.utc)
        ages = {"40d": 40, "20d": 20, "1d": 1}
        ids: dict[str, list[str]] = {}
        for label, days in ages.items():
            created = store.create_many(
                [
                    _sample.minimal(integrationId=f"shop-{n % 2}", entityId=f"{label}-{n}")
                    for n in range(5)
                ],
                created_at=[now - timedelta(days=days, minutes=n) for n in range(5)],
            )
            ids[label] = [record.id for record in created]
        return ids

    def test_purge_deletes_what_is_older_than_a_duration(
        self, store: Store, aged: dict[str, list[str]]
    ) -> None:
        """purge(timedelta) deletes the records created before now minus it, and counts them."""
        assert store.purge(timedelta(days=30)) == 5
        assert {r.id for r in store.list(limit=100).data} == set(aged["20d"] + aged["1d"])
        assert store.purge(timedelta(days=30)) == 0

    def test_purge_takes_an_aware_datetime_and_small_batches(
        self, store: Store, aged: dict[str, list[str]]
    ) -> None:
        """purge(datetime, batch_size=2) deletes everything before it, batch after batch."""
        cutoff = datetime.now(timezone.utc) - timedelta(days=10)
        assert store.purge(cutoff, batch_size=2) == 10
        assert {r.id for r in store.list(limit=100).data} == set(aged["1d"])

    def test_purge_is_narrowed_by_filter_and_search(
        self, store: Store, aged: dict[str, list[str]]
    ) -> None:
        """Only old records that also match the filter and the search term are deleted."""
        assert store.purge(timedelta(days=10), filter={"integrationId": "shop-0"}) == 6
        assert store.purge(timedelta(days=10), search="40D-1") == 1
        left = {
            r.entity_id for r in store.list({"createdAt": {"$lt": "2100-01-01"}}, limit=100).data
        }
        assert left == {"40d-3", "20d-1", "20d-3"} | {f"1d-{n}" for n in range(5)}

    def test_a_batch_deletes_the_oldest_matches(
        self, store: Store, aged: dict[str, list[str]]
    ) -> None:
        """_remove_batch deletes at most its limit, oldest createdAt first, and says how many."""
        from actionlogkit.query import parse_filter

        condition = parse_filter({"integrationId": {"$in": ["shop-0", "shop-1"]}})
        assert condition is not None
        assert store._remove_batch(condition, None, 7) == 7
        left = {r.entity_id for r in store.list(limit=100).data}
        # Within an age, a larger n was created a minute earlier.
        assert left == {"20d-0", "20d-1", "20d-2"} | {f"1d-{n}" for n in range(5)}

    @pytest.mark.parametrize(
        ("arguments", "place"),
        [
            ({"older_than": datetime(2020, 1, 1)}, "older_than"),
            ({"older_than": timedelta(days=-1)}, "older_than"),
            ({"older_than": "30d"}, "older_than"),
            ({"older_than": timedelta(0), "batch_size": 0}, "batch_size"),
            ({"older_than": timedelta(0), "batch_size": True}, "batch_size"),
            ({"older_than": timedelta(0), "filter": {"status": "bogus"}}, "filter.status"),
        ],
    )
    def test_bad_purge_arguments_delete_nothing(
        self, store: Store, aged: dict[str, list[str]], arguments: dict[str, Any], place: str
    ) -> None:
        """A bad cutoff, batch size or filter raises InvalidQuery naming it; nothing is deleted."""
        with pytest.raises(InvalidQuery) as caught:
            store.purge(**arguments)
        assert caught.value.errors[0].field == place
        assert store.count() == 15

    # -- queries ----------------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("filter", "expected"),
        _sample.FILTER_CASES,
        ids=[json.dumps(f, separators=(",", ":")) for f, _ in _sample.FILTER_CASES],
    )
    def test_filter(
        self, store: Store, sample: dict[str, str], filter: dict[str, Any], expected: str
    ) -> None:
        """Each filter matches exactly the sample records the semantics page says."""
        labels = {v: k for k, v in sample.items()}
        page = store.list(filter, limit=100, sort="_id", order="asc")
        assert "".join(sorted(_labels_of([r.id for r in page.data], labels))) == expected
        assert page.total == len(expected)
        assert store.count(filter) == len(expected)

    def test_filter_as_json_text(self, store: Store, sample: dict[str, str]) -> None:
        """A filter given as JSON text means the same as the mapping."""
        for filter, expected in _sample.FILTER_CASES[::7]:
            assert store.count(json.dumps(filter)) == len(expected), filter

    def test_filter_by_id(self, store: Store, sample: dict[str, str]) -> None:
        """_id filters take ids in any case and compare them in id order."""
        ids = sorted(sample.values())
        assert [r.id for r in store.list({"_id": ids[2].upper()}).data] == [ids[2]]
        assert store.count({"_id": {"$gt": ids[4]}}) == 2
        assert store.count({"_id": {"$in": ids[:3]}}) == 3
        assert store.count({"_id": {"$nin": ids[:3]}}) == 4

    @pytest.mark.parametrize(
        ("filter", "place"), _sample.INVALID_FILTERS, ids=lambda v: str(v)[:60]
    )
    def test_invalid_filter_is_refused(
        self, store: Store, sample: dict[str, str], filter: Any, place: str
    ) -> None:
        """A filter breaking a rule raises InvalidQuery naming the place: list, count, delete."""
        for call in (
            lambda: store.list(filter),
            lambda: store.count(filter),
            lambda: store.delete_many(filter),
        ):
            with pytest.raises(InvalidQuery) as caught:
                call()
            assert isinstance(caught.value, ValueError)
            assert [error.field for error in caught.value.errors] == [place]
        assert store.count() == len(sample)

    @pytest.mark.parametrize(("term", "expected"), _sample.SEARCH_CASES)
    def test_search(self, store: Store, sample: dict[str, str], term: str, expected: str) -> None:
        """Search finds literal, case-folded text in the four search fields."""
        labels = {v: k for k, v in sample.items()}
        page = store.list(search=term, limit=100)
        assert "".join(sorted(_labels_of([r.id for r in page.data], labels))) == expected
        assert page.total == store.count(search=term) == len(expected)

    def test_search_combines_with_filter(self, store: Store, sample: dict[str, str]) -> None:
        """Search and filter must both hold; an empty term is no search."""
        assert {r.id for r in store.list({"status": "failed"}, search="SHOP").data} == {
            sample["b"],
            sample["f"],
        }
        assert store.count(search="") == len(sample)

    @pytest.mark.parametrize("term", ["x" * 257, "a\x00b", 5])
    def test_invalid_search_is_refused(self, store: Store, term: Any) -> None:
        """An overlong, NUL-bearing or non-text search term raises InvalidQuery naming search."""
        with pytest.raises(InvalidQuery) as caught:
            store.list(search=term)
        assert caught.value.errors[0].field == "search"

    @pytest.mark.parametrize(("sort", "order", "spec"), _sample.SORT_CASES)
    def test_sort(
        self, store: Store, sample: dict[str, str], sort: str | None, order: str, spec: str
    ) -> None:
        """Sorting puts nulls first ascending and last descending, and breaks ties by _id."""
        page = store.list(sort=sort, order=order, limit=100)
        assert [r.id for r in page.data] == _expected_order(spec, sample, order == "desc")

    def test_default_order_is_newest_first(self, store: Store) -> None:
        """Without sort and order, the newest record comes first."""
        old = store.create(_sample.minimal(), created_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
        new = store.create(_sample.minimal())
        assert [r.id for r in store.list().data] == [new.id, old.id]

    def test_pages_partition_the_result(self, store: Store, sample: dict[str, str]) -> None:
        """Consecutive pages are disjoint, in order, and concatenate to the whole result."""
        for sort in (None, "retryCount", "executionTime", "status"):
            whole = [r.id for r in store.list(sort=sort, limit=100).data]
            pieces: list[str] = []
            for offset in range(0, 9, 3):
                page = store.list(sort=sort, limit=3, offset=offset)
                assert page.total == len(sample)
                pieces.extend(r.id for r in page.data)
            assert pieces == whole
        beyond = store.list(offset=50)
        assert beyond.data == []
        assert beyond.total == len(sample)

    def test_default_limit_is_50(self, store: Store) -> None:
        """Without limit a page holds 50 records; total counts them all."""
        store.create_many([_sample.minimal()] * 60)
        page = store.list()
        assert len(page.data) == 50
        assert page.total == 60

    @pytest.mark.parametrize(
        ("arguments", "place"),
        [
            ({"limit": 0}, "limit"),
            ({"limit": 101}, "limit"),
            ({"limit": "5"}, "limit"),
            ({"limit": True}, "limit"),
            ({"offset": -1}, "offset"),
            ({"offset": 1.5}, "offset"),
            ({"order": "up"}, "order"),
            ({"sort": "payload.price"}, "sort"),
            ({"sort": "createdAt; DROP TABLE integration_action_logs"}, "sort"),
            ({"sort": "created_at"}, "sort"),
        ],
    )
    def test_invalid_paging_is_refused(
        self, store: Store, arguments: dict[str, Any], place: str
    ) -> None:
        """Bad sort, order, limit and offset raise InvalidQuery naming the parameter."""
        with pytest.raises(InvalidQuery) as caught:
            store.list(**arguments)
        assert caught.value.errors[0].field == place

    # -- cursors and totals -----------------------------------------------------------------------

    @staticmethod
    def _walk(store: Store, limit: int, **query: Any) -> list[str]:
        """Every id a cursor walk of ``query`` gives, page after page of ``limit``."""
        ids: list[str] = []
        cursor = None
        for _ in range(100):
            page = store.list(**query, limit=limit, cursor=cursor)
            ids.extend(record.id for record in page.data)
            cursor = page.next_cursor
            if cursor is None:
                return ids
            assert page.data, "a page with a next cursor holds records"
        raise AssertionError("the walk did not end")

    @pytest.mark.parametrize("order", ["asc", "desc"])
    @pytest.mark.parametrize("sort", list(TOP_LEVEL_FIELDS))
    def test_cursor_walk_gives_the_ordered_result(
        self, store: Store, sample: dict[str, str], sort: str, order: str
    ) -> None:
        """Walking with cursors gives exactly the ordered result, nulls and ties included."""
        # Ties and nulls beyond the sample's: equal createdAt, equal and absent sort values.
        store.create_many(
            [_sample.minimal(entityId="p-1", retryCount=1), _sample.minimal(executionTime=120.5)]
            * 2,
            created_at=_sample.created_at["a"],
        )
        for query in ({}, {"filter": {"status": {"$ne": "pending"}}}, {"search": "SHOP"}):
            whole = [r.id for r in store.list(**query, sort=sort, order=order, limit=100).data]
            for limit in (1, 2, 3, 100):
                walked = self._walk(store, limit, **query, sort=sort, order=order)
                assert walked == whole, (query, limit)

    @pytest.mark.parametrize(
        ("sort", "order"), [("createdAt", "desc"), ("entityId", "asc"), ("executionTime", "desc")]
    )
    def test_records_inserted_during_a_walk_skip_or_repeat_nothing(
        self, store: Store, sample: dict[str, str], sort: str, order: str
    ) -> None:
        """Records inserted between pages never make a stored record skipped or repeated."""
        before = [r.id for r in store.list(sort=sort, order=order, limit=100).data]
        # The same sort values again: ties on every side of the cursor.
        inserts = [_sample.SAMPLE[label] for label in _sample.LABELS]
        seen: list[str] = []
        page = store.list(sort=sort, order=order, limit=2)
        while True:
            seen.extend(record.id for record in page.data)
            if page.next_cursor is None:
                break
            store.create_many(inserts[:2], created_at=[_sample.created_at["c"], None])
            inserts = inserts[2:] + inserts[:2]
            page = store.list(sort=sort, order=order, limit=2, cursor=page.next_cursor)
        old = [record_id for record_id in seen if record_id in set(before)]
        assert old == before
        assert len(seen) == len(set(seen))

    def test_last_page_has_no_cursor(self, store: Store, sample: dict[str, str]) -> None:
        """next_cursor is None on the last page, also when it is exactly full."""
        whole = store.list(limit=len(sample))
        assert whole.next_cursor is None
        first = store.list(limit=len(sample) - 1)
        assert first.next_cursor is not None
        rest = store.list(limit=len(sample) - 1, cursor=first.next_cursor)
        assert [r.id for r in rest.data] == [whole.data[-1].id]
        assert rest.next_cursor is None
        assert rest.total == len(sample)

    def test_cursor_of_another_query_is_refused(self, store: Store, sample: dict[str, str]) -> None:
        """A cursor reused with another filter, search, sort or order is InvalidQuery (cursor)."""
        cursor = store.list({"status": "failed"}, sort="retryCount", limit=1).next_cursor
        assert cursor is not None
        page = store.list({"status": "failed"}, sort="retryCount", limit=50, cursor=cursor)
        assert len(page.data) == 1
        for other in (
            {"filter": {"status": "success"}, "sort": "retryCount"},
            {"filter": {"status": "failed"}},
            {"filter": {"status": "failed"}, "sort": "retryCount", "order": "asc"},
            {"filter": {"status": "failed"}, "sort": "retryCount", "search": "shop"},
        ):
            with pytest.raises(InvalidQuery) as caught:
                store.list(**other, cursor=cursor)
            assert [error.field for error in caught.value.errors] == ["cursor"]

    @pytest.mark.parametrize(
        "cursor", ["x", "!!!!", "e30", "W10", "WzEsIngiLG51bGwsIngiXQ", "a" * 2000, 5]
    )
    def test_malformed_cursor_is_refused(self, store: Store, cursor: Any) -> None:
        """A cursor that is not one of this query's is InvalidQuery naming cursor."""
        with pytest.raises(InvalidQuery) as caught:
            store.list(cursor=cursor)
        assert [error.field for error in caught.value.errors] == ["cursor"]

    def test_offset_with_a_cursor_is_refused(self, store: Store, sample: dict[str, str]) -> None:
        """A non-zero offset beside a cursor is InvalidQuery naming offset."""
        cursor = store.list(limit=2).next_cursor
        with pytest.raises(InvalidQuery) as caught:
            store.list(limit=2, offset=1, cursor=cursor)
        assert [error.field for error in caught.value.errors] == ["offset"]

    def test_list_without_total(self, store: Store, sample: dict[str, str]) -> None:
        """with_total=False gives the same page with total None."""
        counted = store.list({"status": {"$ne": "pending"}}, limit=3)
        uncounted = store.list({"status": {"$ne": "pending"}}, limit=3, with_total=False)
        assert uncounted.total is None
        assert [r.id for r in uncounted.data] == [r.id for r in counted.data]
        assert uncounted.next_cursor == counted.next_cursor

    # -- life cycle and concurrency ---------------------------------------------------------------

    def test_closed_store_refuses_calls(self, store: Store) -> None:
        """After close every call raises StoreError; close is idempotent."""
        record = store.create(_sample.minimal())
        store.close()
        store.close()
        assert store.closed
        for call in (
            lambda: store.get(record.id),
            store.list,
            lambda: store.create(_sample.minimal()),
        ):
            with pytest.raises(StoreError):
                call()

    def test_concurrent_creates_are_all_kept(self, store: Store) -> None:
        """Records created from several threads at once are all stored, none twice."""
        created: list[ActionLog] = []
        lock = threading.Lock()

        def work() -> None:
            for _ in range(50):
                record = store.create(_sample.minimal())
                with lock:
                    created.append(record)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.count() == 200
        assert {r.id for r in store.list(limit=100, offset=0).data} <= {r.id for r in created}
        assert len({r.id for r in created}) == 200

    # -- the promise: the same answers as the reference -------------------------------------------

    def test_query_matrix(self, store: Store, record_property: Any) -> None:
        """Every operator, operand class and stored shape answers as MemoryStore does."""
        report = run_matrix(store, self.matrix_exclusions)
        summary = report.render()
        record_property("query_matrix", summary.splitlines()[0])
        print(summary)  # the counts, shown with -rP
        assert not report.unexplained, summary
        stale = [reason for reason, cells in report.excluded.items() if not cells]
        assert not stale, f"listed differences that no cell shows any more: {stale}"

    def test_answers_like_the_memory_store(self, store: Store) -> None:
        """Random datasets and queries give the same ids, order and totals as MemoryStore."""
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        from actionlogkit.testing import strategies

        reference = MemoryStore()

        @settings(
            max_examples=self.differential_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        # Several queries per dataset, so that loading it is paid once per example.
        @given(
            dataset=strategies.datasets(),
            queries=st.lists(
                strategies.queries(operators=self.differential_operators), min_size=1, max_size=4
            ),
        )
        def check(dataset: list[ActionLog], queries: list[dict[str, Any]]) -> None:
            assert_same_results(reference, store, dataset, queries)

        check()

    # -- stats: one meaning on every store (docs/stores.md#stats) ---------------------------------

    stats_examples: ClassVar[int] = 100
    """Hypothesis examples comparing ``stats`` with the plain-Python reference."""

    def test_stats_counts_failures_and_retries_per_group(
        self, store: Store, sample: dict[str, str]
    ) -> None:
        """stats() groups by integrationId and status: counts, failed, retried as the reference."""
        records = store.list(limit=100).data
        stats = store.stats()
        assert_same_stats(stats, expected_stats(records, ("integrationId", "status"), None))
        assert sum(group.count for group in stats.groups) == len(sample)
        assert [g.key for g in store.stats(by=("status",)).groups] == [
            {"status": status} for status in sorted({r.status.value for r in records})
        ]

    def test_stats_percentiles_are_nearest_ranks(self, store: Store) -> None:
        """p50, p95, p99 are the ⌈p·n/100⌉-th smallest time of each n from 1 to 40, nulls apart."""
        bodies, stamps = [], []
        for n in range(1, 41):
            times = [float((7 * i + n) % 23) + i / 8 for i in range(n)]
            for i, time in enumerate(times):
                bodies.append(_sample.minimal(integrationId=f"n{n:02d}", executionTime=time))
                if i % 3 == 0:  # an untimed record beside every third timed one
                    bodies.append(_sample.minimal(integrationId=f"n{n:02d}"))
                stamps.extend([_sample.T0] * (1 + (i % 3 == 0)))
        store.create_many(bodies, created_at=stamps)
        every = store.list(limit=1).total
        assert every == len(bodies)
        stats = store.stats(by=("integrationId",))
        assert len(stats.groups) == 40
        for n, group in enumerate(stats.groups, start=1):
            times = sorted(float((7 * i + n) % 23) + i / 8 for i in range(n))
            assert group.execution_time is not None
            figures = group.execution_time
            assert (figures.p50, figures.p95, figures.p99) == (
                times[-(-n * 50 // 100) - 1],
                times[-(-n * 95 // 100) - 1],
                times[-(-n * 99 // 100) - 1],
            ), f"n={n}"
            assert (figures.min, figures.max) == (times[0], times[-1])
            assert group.count == n + len(range(0, n, 3))

    def test_stats_without_times_or_matches(self, store: Store) -> None:
        """A group with no executionTime has none; no match gives no group; by=() one group."""
        store.create_many([_sample.minimal(status="failed"), _sample.minimal(retryCount=2)])
        [group] = store.stats(by=()).groups
        assert (group.key, group.bucket, group.count, group.failed, group.retried) == (
            {},
            None,
            2,
            1,
            1,
        )
        assert group.execution_time is None
        assert store.stats({"status": "pending"}).groups == []
        assert store.stats({"status": "pending"}, by=(), interval="1d").groups == []

    def test_stats_avg_of_the_largest_times_is_finite(self, store: Store) -> None:
        """Times near the largest float still average to their finite mean (no overflow)."""
        huge = 1.7158239419228592e308
        times = [huge, huge, huge, huge / 3, 0.5, 5e-324]
        store.create_many([_sample.minimal(executionTime=time) for time in times])
        records = store.list(limit=100).data
        assert_same_stats(store.stats(by=()), expected_stats(records, (), None))
        [group] = store.stats(by=()).groups
        assert group.execution_time is not None
        assert group.execution_time.avg < huge

    @pytest.mark.parametrize("interval", ["1m", "5m", "1h", "1d"])
    def test_stats_buckets_are_utc_and_round_down(self, store: Store, interval: str) -> None:
        """Each createdAt falls in the UTC bucket starting at or before it, before 1970 too."""
        moments = [
            datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=timezone.utc),
            datetime(1970, 1, 1, tzinfo=timezone.utc),
            datetime(2024, 2, 29, 23, 59, 59, 999_000, tzinfo=timezone.utc),
            datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc),
            datetime(2024, 3, 1, 0, 4, 59, 999_000, tzinfo=timezone.utc),
            datetime(2024, 3, 1, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        ]
        created = store.create_many([_sample.minimal()] * len(moments), created_at=moments)
        stats = store.stats(by=(), interval=interval)
        assert_same_stats(stats, expected_stats(created, (), interval), interval)
        for group in stats.groups:
            assert group.bucket is not None
            assert group.bucket.tzinfo is timezone.utc

    def test_stats_groups_are_ordered_by_bucket_then_values(self, store: Store) -> None:
        """Groups come by bucket, then by the by-values in code-point order."""
        names = ["ß", "Z", "a", "shop-2", "shop-10", "é", "A"]
        stamps = [_sample.T0 + timedelta(hours=h) for h in (1, 0)]
        store.create_many(
            [_sample.minimal(integrationId=name, entityType=name) for name in names] * 2,
            created_at=[stamp for stamp in stamps for _ in names],
        )
        stats = store.stats(by=("entityType", "integrationId"), interval="1h")
        order = [(g.bucket, g.key["entityType"]) for g in stats.groups]
        assert order == [(stamp, name) for stamp in sorted(stamps) for name in sorted(names)]
        assert list(stats.groups[0].key) == ["entityType", "integrationId"]

    @pytest.mark.parametrize(
        ("filter", "expected"),
        _sample.FILTER_CASES[::5],
        ids=[json.dumps(f, separators=(",", ":")) for f, _ in _sample.FILTER_CASES[::5]],
    )
    def test_stats_filter_means_what_it_means_in_list(
        self, store: Store, sample: dict[str, str], filter: dict[str, Any], expected: str
    ) -> None:
        """Stats over a filter covers exactly the records list gives for it."""
        matching = [r for r in store.list(limit=100).data if r.id in {sample[k] for k in expected}]
        for by in [("integrationId", "status"), ("actionType", "entityType"), ()]:
            assert_same_stats(
                store.stats(filter, by=by), expected_stats(matching, by, None), str(by)
            )

    def test_stats_search_means_what_it_means_in_list(
        self, store: Store, sample: dict[str, str]
    ) -> None:
        """Stats with a search term covers exactly the records list finds for it."""
        for term, _ in _sample.SEARCH_CASES:
            found = store.list(search=term, limit=100).data
            actual = store.stats({"status": {"$ne": "pending"}}, search=term, by=("entityType",))
            expected = expected_stats(
                [r for r in found if r.status.value != "pending"], ("entityType",), None
            )
            assert_same_stats(actual, expected, term)

    @pytest.mark.parametrize(
        ("arguments", "place"),
        [
            ({"by": ("integrationId", "payload.sku")}, "by"),
            ({"by": ("status", "status")}, "by"),
            ({"by": ("createdAt",)}, "by"),
            ({"by": "status"}, "by"),
            ({"interval": "2h"}, "interval"),
            ({"interval": 60}, "interval"),
            ({"filter": {"status": "bogus"}}, "filter.status"),
            ({"search": "x" * 257}, "search"),
        ],
    )
    def test_invalid_stats_arguments_are_refused(
        self, store: Store, sample: dict[str, str], arguments: dict[str, Any], place: str
    ) -> None:
        """A bad by, interval, filter or search raises InvalidQuery naming it."""
        with pytest.raises(InvalidQuery) as caught:
            store.stats(**arguments)
        assert [error.field for error in caught.value.errors] == [place]

    def test_stats_refuse_more_than_10000_groups(self, store: Store) -> None:
        """10,000 groups are answered; 10,001 are InvalidQuery saying to narrow or widen."""
        minutes = [_sample.T0 + timedelta(minutes=m) for m in range(10_001)]
        created = store.create_many([_sample.minimal()] * len(minutes), created_at=minutes)
        with pytest.raises(InvalidQuery) as caught:
            store.stats(by=(), interval="1m")
        assert caught.value.errors[0].field == "interval"
        assert "widen the interval" in caught.value.errors[0].message
        assert len(store.stats(by=(), interval="1h").groups) == 167
        store.delete(created[-1].id)
        assert len(store.stats(by=(), interval="1m").groups) == 10_000

    def test_stats_answer_like_the_reference(self, store: Store) -> None:
        """Random datasets, filters, searches, groupings and intervals: the reference's figures."""
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        from actionlogkit.stats import INTERVALS, STATS_FIELDS
        from actionlogkit.testing import strategies

        matcher = MemoryStore()

        @settings(
            max_examples=self.stats_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            dataset=strategies.datasets(),
            asks=st.lists(
                st.tuples(
                    st.one_of(
                        st.none(),
                        strategies.filters(max_leaves=3, operators=self.differential_operators),
                    ),
                    strategies.search_terms(),
                    st.lists(st.sampled_from(STATS_FIELDS), unique=True, max_size=4),
                    st.sampled_from([None, *INTERVALS]),
                ),
                min_size=1,
                max_size=3,
            ),
        )
        def check(
            dataset: list[ActionLog],
            asks: list[tuple[dict[str, Any] | None, str | None, list[str], str | None]],
        ) -> None:
            load_dataset(store, dataset)
            load_dataset(matcher, dataset)
            for filter, search, by, interval in asks:
                matching = matcher.list(filter, search=search, limit=100).data
                expected = expected_stats(matching, by, interval)
                actual = store.stats(filter, search=search, by=by, interval=interval)
                assert_same_stats(actual, expected, f"{filter!r} {search!r} {by!r} {interval!r}")

        check()
