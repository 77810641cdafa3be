"""No secret reaches the raw stored documents of MongoDB, wherever a call carries it."""

from __future__ import annotations

from typing import Any, cast

import mongomock_ng
from bson import json_util
from hypothesis import given, settings
from hypothesis import strategies as st
from pymongo import MongoClient

from actionlogkit import Recorder
from actionlogkit_mongo import MongoStore
from tests.recorder._secrets import HiddenSecrets, forbidden, new_secret


@settings(max_examples=100)
@given(data=st.data())
def test_no_secret_in_the_raw_mongodb_documents(data: st.DataObject) -> None:
    """Every field of the stored document, the hidden search text included."""
    client = cast("MongoClient[dict[str, Any]]", mongomock_ng.MongoClient())
    store = MongoStore(client, database="secrets")
    secret = new_secret()
    hidden = HiddenSecrets(data.draw, secret)
    with Recorder(store, on_store_error="raise") as rec:
        hidden.record(rec.action)
    documents = list(store.collection.find({}))
    stored = json_util.dumps(documents)
    assert len(documents) == 1
    for text in forbidden(secret):
        assert text not in stored
    store.close()
