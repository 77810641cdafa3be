"""What the plugin's tests on each backend share: a user's test file, and records of one's own."""

from __future__ import annotations

USER_TESTS = """
def test_writes_and_deletes(actionlog_store):
    assert actionlog_store.count() == 0
    created = actionlog_store.create_many(
        [{"integrationId": "t", "actionType": "sync", "entityType": "y", "status": "failed"}] * 3
    )
    actionlog_store.delete(created[0].id)
    actionlog_store.delete_many({"status": "failed"}, search="t")
    assert actionlog_store.count() == 0

def test_sees_none_of_the_other_tests_records(actionlog_store):
    assert actionlog_store.count() == 0
    actionlog_store.create(
        {"integrationId": "t", "actionType": "sync", "entityType": "y", "status": "pending"}
    )

def test_closing_the_store_is_harmless(actionlog_store):
    actionlog_store.close()

def test_after_a_closed_store(actionlog_store):
    assert actionlog_store.count() == 0
"""

OWN_RECORDS = [
    {"integrationId": "demo", "actionType": "update", "entityType": "product", "status": status}
    for status in ("success", "failed", "pending")
] * 21
