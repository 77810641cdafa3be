"""The module-level convenience: actionlogkit.action and actionlogkit.configure."""

from __future__ import annotations

import pytest

import actionlogkit
from actionlogkit import MemoryStore, Status


@pytest.mark.usefixtures("restore_default")
def test_until_configured_the_default_recorder_keeps_records_in_memory() -> None:
    """@actionlogkit.action works with no setup; records land in a MemoryStore."""
    from actionlogkit.recorder._recorder import replace_default

    replace_default(None)

    @actionlogkit.action("sync", entity_type="order")
    def sync() -> int:
        return 1

    sync()
    store = actionlogkit.get_recorder().store
    assert isinstance(store, MemoryStore)
    assert store.count() == 1


@pytest.mark.usefixtures("restore_default")
def test_configure_later_redirects_functions_decorated_earlier() -> None:
    """A function decorated at import time writes wherever configure() points afterwards."""

    @actionlogkit.action("update", entity_type="product", entity_id="sku")
    def push(sku: str) -> str:
        return sku

    first = MemoryStore()
    second = MemoryStore()
    actionlogkit.configure(first, integration_id="shop-1")
    push("sku-1")
    previous = actionlogkit.get_recorder()
    actionlogkit.configure(second, integration_id="shop-2", mode="background")
    push("sku-2")
    actionlogkit.get_recorder().flush()
    assert previous.closed
    assert [r.entity_id for r in first.list().data] == ["sku-1"]
    record = second.list().data[0]
    assert (record.entity_id, record.integration_id, record.status) == (
        "sku-2",
        "shop-2",
        Status.SUCCESS,
    )


@pytest.mark.usefixtures("restore_default")
def test_configure_takes_a_url_and_the_recorder_owns_that_store() -> None:
    """configure('memory://') opens the store; replacing the recorder closes it."""
    recorder = actionlogkit.configure("memory://")
    actionlogkit.configure(MemoryStore())
    assert recorder.closed
    assert recorder.store.closed
