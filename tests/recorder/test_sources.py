"""Where entityId, payload, response and metadata come from, and what the handle overrides."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from actionlogkit import Call, ConfigurationError, Recorder, Status
from tests.recorder._stores import HistoryStore, only_record


@dataclass
class Product:
    """A caller's own object, passed to the recorded function."""

    sku: str
    price: float


def test_by_default_the_payload_is_the_arguments_and_the_response_the_result(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Bound arguments (defaults applied) become the payload, the return value the response."""

    @recorder.action("create", entity_type="product")
    def create(title: str, price: float, currency: str = "EUR") -> dict[str, Any]:
        return {"id": 9001, "title": title}

    create("Mug", price=12.5)
    record = only_record(store)
    assert record.payload == {"title": "Mug", "price": 12.5, "currency": "EUR"}
    assert record.response == {"id": 9001, "title": "Mug"}


def test_self_and_cls_are_never_captured(recorder: Recorder, store: HistoryStore) -> None:
    """Methods and classmethods record their arguments without the instance or the class."""

    class Client:
        token = "never-stored"

        @recorder.action("update", entity_type="product")
        def push(self, sku: str) -> None:
            return None

        @recorder.action("update", entity_type="product")
        @classmethod
        def push_all(cls, skus: list[str]) -> None:
            return None

    Client().push("sku-1")
    Client.push_all(["sku-1"])
    payloads = [record.payload for record in store.list(sort="createdAt", order="asc").data]
    assert {"sku": "sku-1"} in payloads
    assert {"skus": ["sku-1"]} in payloads


def test_var_positional_and_keyword_arguments_are_captured_by_name(
    recorder: Recorder, store: HistoryStore
) -> None:
    """*args becomes a list and **kwargs an object under their parameter names."""

    @recorder.action("sync", entity_type="order")
    def sync(shop: str, *ids: int, dry_run: bool = False, **filters: str) -> None:
        return None

    sync("shop-1", 1, 2, status="open")
    assert only_record(store).payload == {
        "shop": "shop-1",
        "ids": [1, 2],
        "dry_run": False,
        "filters": {"status": "open"},
    }


def test_entity_id_from_an_argument_a_path_a_constant_and_the_result(
    recorder: Recorder, store: HistoryStore
) -> None:
    """entity_id names an argument, a path into one, a constant, or a callable over the result."""

    @recorder.action("update", entity_type="product", entity_id="sku")
    def by_name(sku: str) -> None:
        return None

    @recorder.action("update", entity_type="product", entity_id="product.sku")
    def by_path(product: Product) -> None:
        return None

    @recorder.action("update", entity_type="product", entity_id="catalogue")
    def by_constant(sku: str) -> None:
        return None

    @recorder.action("create", entity_type="product", entity_id=lambda call: call.result["id"])
    def from_result(title: str) -> dict[str, int]:
        return {"id": 9001}

    @recorder.action("update", entity_type="order", entity_id="order.id")
    def by_key(order: dict[str, Any]) -> None:
        return None

    by_name("sku-1")
    by_path(Product("sku-2", 1.0))
    by_constant("sku-3")
    from_result("Mug")
    by_key({"id": 77})
    ids = [record.entity_id for record in store.list(sort="createdAt", order="asc").data]
    assert sorted(ids, key=str) == sorted(["sku-1", "sku-2", "catalogue", "9001", "77"])


def test_payload_and_response_from_callables_and_argument_names(
    recorder: Recorder, store: HistoryStore
) -> None:
    """payload and response take an argument name or a callable over the call."""

    @recorder.action(
        "create",
        entity_type="product",
        payload="product",
        response=lambda call: {"created": call.result, "sku": call["product"].sku},
    )
    def create(product: Product, session: object) -> int:
        return 9001

    create(Product("sku-1", 12.5), session=object())
    record = only_record(store)
    assert record.payload == {"sku": "sku-1", "price": 12.5}
    assert record.response == {"created": 9001, "sku": "sku-1"}


def test_capture_switches_leave_payload_and_response_out(
    recorder: Recorder, store: HistoryStore
) -> None:
    """capture_payload=False and capture_response=False store neither."""

    @recorder.action("create", entity_type="product", capture_payload=False, capture_response=False)
    def create(title: str) -> dict[str, int]:
        return {"id": 1}

    create("Mug")
    record = only_record(store)
    assert record.payload is None
    assert record.response is None


def test_a_non_object_result_is_wrapped_and_none_is_no_response(
    recorder: Recorder, store: HistoryStore
) -> None:
    """A list result becomes {"value": [...]}; returning None records no response."""

    @recorder.action("sync", entity_type="order")
    def listed() -> list[int]:
        return [1, 2]

    @recorder.action("sync", entity_type="order")
    def nothing() -> None:
        return None

    listed()
    nothing()
    responses = [r.response for r in store.list(sort="createdAt", order="asc").data]
    assert {"value": [1, 2]} in responses
    assert None in responses


def test_a_failing_source_is_noted_and_the_call_unharmed(
    recorder: Recorder, store: HistoryStore
) -> None:
    """A source that raises leaves the field empty and says why in metadata.captureErrors."""

    @recorder.action("create", entity_type="product", entity_id=lambda call: call.result["id"])
    def create(title: str) -> dict[str, str]:
        return {"sku": "no id here"}

    assert create("Mug") == {"sku": "no id here"}
    record = only_record(store)
    assert record.status is Status.SUCCESS
    assert record.entity_id is None
    assert record.metadata == {"captureErrors": {"entityId": "KeyError: 'id'"}}


def test_a_result_source_on_a_failed_call_gives_nothing_silently(
    recorder: Recorder, store: HistoryStore
) -> None:
    """When the call raised there is no result: result sources give nothing, without a note."""

    @recorder.action("create", entity_type="product", entity_id=lambda call: call.result["id"])
    def create(title: str) -> dict[str, int]:
        raise ConnectionError("shop unreachable")

    with pytest.raises(ConnectionError):
        create("Mug")
    record = only_record(store)
    assert record.entity_id is None
    assert record.metadata is None


def test_metadata_constant_callable_and_handle_entries_are_merged(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Action metadata (constant or callable) and the handle's entries end up together."""

    @recorder.action(
        "sync", entity_type="order", metadata=lambda call: {"page": call["page"], "api": "v2"}
    )
    def sync(page: int) -> None:
        return None

    sync(3)
    with recorder.action("webhook", entity_type="event", metadata={"source": "shop"}) as act:
        act.metadata["deliveryId"] = "d-1"
    records = store.list(sort="createdAt", order="asc").data
    assert {"page": 3, "api": "v2"} in [r.metadata for r in records]
    assert {"source": "shop", "deliveryId": "d-1"} in [r.metadata for r in records]


def test_the_handle_sets_response_entity_id_payload_and_failure(
    recorder: Recorder, store: HistoryStore
) -> None:
    """act.response/entity_id/payload override the sources; act.fail records failed quietly."""
    with recorder.action("update", entity_type="product", entity_id="unknown") as act:
        act.payload = {"price": -1}
        act.response = {"status": 422, "error": "price must be positive"}
        act.entity_id = "sku-43"
        act.fail("HTTP 422: price must be positive")
        assert act.failed
    record = only_record(store)
    assert record.status is Status.FAILED
    assert record.error_message == "HTTP 422: price must be positive"
    assert record.entity_id == "sku-43"
    assert record.payload == {"price": -1}
    assert record.response == {"status": 422, "error": "price must be positive"}


def test_nested_and_concurrent_blocks_of_one_action_stay_apart(
    recorder: Recorder, store: HistoryStore
) -> None:
    """One action object used by nested blocks and by concurrent tasks keeps their handles apart."""
    action = recorder.action("webhook", entity_type="event")
    with action as outer:
        outer.entity_id = "outer"
        with action as inner:
            inner.entity_id = "inner"

    async def handle(event: str) -> None:
        async with action as act:
            await asyncio.sleep(0.01)
            act.entity_id = event

    async def both() -> None:
        await asyncio.gather(handle("e-1"), handle("e-2"))

    asyncio.run(both())
    ids = sorted(str(r.entity_id) for r in store.list().data)
    assert ids == ["e-1", "e-2", "inner", "outer"]


def test_a_block_without_payload_records_none(recorder: Recorder, store: HistoryStore) -> None:
    """A with block has no arguments: its payload and response are empty unless set."""
    with recorder.action("webhook", entity_type="event"):
        pass
    record = only_record(store)
    assert record.payload is None
    assert record.response is None


def test_integration_id_comes_from_the_action_then_the_recorder(store: HistoryStore) -> None:
    """The action's integration_id wins over the recorder's; without both it is 'default'."""
    with Recorder(store, integration_id="shop-1") as with_default, Recorder(store) as without:
        with with_default.action("sync", entity_type="order", integration_id="erp"):
            pass
        with with_default.action("sync", entity_type="order"):
            pass
        with without.action("sync", entity_type="order"):
            pass
    assert sorted(r.integration_id for r in store.list().data) == ["default", "erp", "shop-1"]


def test_long_and_odd_entity_ids_are_made_storable(recorder: Recorder, store: HistoryStore) -> None:
    """Entity ids are text: numbers are converted, NUL replaced, long ones cut to 256."""
    with recorder.action("sync", entity_type="order") as act:
        act.entity_id = "x\x00" + "y" * 400
    entity_id = only_record(store).entity_id
    assert entity_id is not None
    assert len(entity_id) == 256
    assert "\x00" not in entity_id


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"entity_type": ""}, "entity_type"),
        ({"entity_type": "product", "integration_id": "x" * 300}, "integration_id"),
        ({"entity_type": "product", "retries": -1}, "retries"),
        ({"entity_type": "product", "retry_on": "ValueError"}, "retry_on"),
        ({"entity_type": "product", "backoff": -1}, "backoff"),
        ({"entity_type": "product", "metadata": 3}, "metadata"),
    ],
)
def test_bad_action_options_name_the_option(
    recorder: Recorder, options: dict[str, Any], field: str
) -> None:
    """Each bad option raises ConfigurationError naming it, when the action is described."""
    with pytest.raises(ConfigurationError, match=field):
        recorder.action("update", **options)


def test_an_unknown_action_type_names_the_allowed_ones(recorder: Recorder) -> None:
    """action_type must be one of the record model's action types."""
    with pytest.raises(ConfigurationError, match="action_type: expected one of create, update"):
        recorder.action("upsert", entity_type="product")


def test_retries_on_generators_and_blocks_are_refused(recorder: Recorder) -> None:
    """Generators and with blocks cannot be run again, so retries are refused for them."""
    action = recorder.action("sync", entity_type="order", retries=2)

    def pages() -> Any:
        yield 1

    with pytest.raises(ConfigurationError, match="retries"):
        action(pages)
    with pytest.raises(ConfigurationError, match="retries"), action:
        pass


def test_call_gives_arguments_result_and_error() -> None:
    """Call exposes the bound arguments, the result, and NoResult when the call raised."""
    from actionlogkit import NoResult

    ok = Call({"sku": "a"}, {"id": 1}, None)
    failed = Call({"sku": "a"}, None, "ValueError: x")
    assert ok["sku"] == "a"
    assert ok.result == {"id": 1}
    with pytest.raises(NoResult):
        _ = failed.result
