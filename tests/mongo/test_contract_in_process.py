"""Tier 1: the store contract against mongomock-ng, in process.

mongomock-ng is an imitation of MongoDB; the cases where it answers differently from a real server
are listed in ``divergences`` with the reason, and are expected to fail (strictly: the marker fails
the day mongomock-ng answers right). The same contract runs without any marker against a real
server in ``test_contract_server.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, ClassVar, cast

import mongomock_ng
import pytest
from mongomock_ng import filtering
from pymongo import MongoClient

from actionlogkit.query import FIELD_OPERATORS
from actionlogkit.testing import StoreContract
from actionlogkit_mongo import MongoStore

from .corner_cases import CornerCases
from .stand_in_matrix import MONGOMOCK

# The stats pipeline asks the server to sort large partitions on disk; mongomock-ng has no disk
# and says so.
pytestmark = pytest.mark.filterwarnings("ignore:'allowDiskUse' is accepted:UserWarning")


@pytest.fixture
def mongomock_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[MongoStore]:
    """A MongoStore on a fresh mongomock-ng database."""
    # mongomock-ng knows BSON type "null" for $type but leaves it unimplemented (it raises).
    # MongoDB matches a null value, or an array with a null element; the compiler relies on it.
    monkeypatch.setitem(filtering.TYPE_MAP, "null", lambda value: value is None)
    client = cast("MongoClient[dict[str, Any]]", mongomock_ng.MongoClient())
    store = MongoStore(client, database=f"test_{uuid.uuid4().hex[:12]}")
    with store:
        yield store


class TestMongoStoreInProcess(StoreContract, CornerCases):
    """The contract on mongomock-ng."""

    divergences: ClassVar[dict[str, str]] = {
        # mongomock-ng compares with Python's ==, where True == 1 and False == 0. The compiler's
        # $type beside $eq pins the class of a single value, but for an array mongomock-ng
        # checks $eq and $type on different elements: [true, 5] passes {$eq: 1, $type: number}.
        **dict.fromkeys(
            (
                "test_mongodb_corner_case[{'payload.m': 1}]",
                "test_mongodb_corner_case[{'payload.m': True}]",
                "test_mongodb_corner_case[{'payload.m': 0}]",
                "test_mongodb_corner_case[{'payload.m': {'$in': [0, True]}}]",
            ),
            "mongomock-ng: True == 1 and False == 0 inside arrays",
        ),
    }

    matrix_exclusions = MONGOMOCK
    # The operators whose evaluation mongomock-ng gets wrong (see MONGOMOCK) are left out of the
    # random differential test; the query matrix covers them, with the differences counted.
    differential_operators: ClassVar[tuple[str, ...]] = tuple(
        op for op in FIELD_OPERATORS if op not in ("$elemMatch", "$size")
    )

    @pytest.fixture
    def store(self, mongomock_store: MongoStore) -> MongoStore:
        """A fresh store on mongomock-ng."""
        return mongomock_store
