"""The pytest plugin on MongoDB URLs: the tests get a collection of their own."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import MongoClient

from actionlogkit.testing import canonical
from actionlogkit_mongo import MongoStore
from tests.plugin_cases import OWN_RECORDS, USER_TESTS


@pytest.mark.mongodb
def test_records_in_a_collection_are_untouched(
    pytester: pytest.Pytester,
    server_url: str,
    server_client: MongoClient[dict[str, Any]],
    server_database: str,
    collection_name: str,
) -> None:
    """The tests' collection is made and dropped; a collection of records beside it is kept."""
    with MongoStore(server_url, collection=collection_name) as store:
        before = sorted(canonical(record) for record in store.create_many(OWN_RECORDS))
    collections = set(server_client[server_database].list_collection_names())
    pytester.makepyfile(USER_TESTS)
    result = pytester.runpytest_subprocess(
        "--actionlog-store", server_url, "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=4)
    with MongoStore(server_url, collection=collection_name) as store:
        after = sorted(canonical(record) for record in store.list(limit=100).data)
    assert after == before
    assert set(server_client[server_database].list_collection_names()) == collections
