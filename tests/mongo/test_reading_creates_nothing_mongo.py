"""On MongoDB, reading commands create no collection and no index."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.uri_parser import parse_uri


@pytest.mark.mongodb
@pytest.mark.parametrize("command", [["list"], ["get", "60f7b1b3e4b0e8b3f8b3f8b3"]])
def test_reading_a_fresh_database_creates_nothing(
    server_url: str,
    server_client: MongoClient[dict[str, Any]],
    on_real_server: bool,
    command: list[str],
    request: pytest.FixtureRequest,
) -> None:
    """list finds no records, get no record, and the database stays without collections."""
    if command[0] == "list" and not on_real_server:
        reason = "nx-27017: counting documents creates the collection it counts"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    database = f"alk_fresh_{uuid.uuid4().hex[:10]}"
    parsed = parse_uri(server_url)
    host, port = parsed["nodelist"][0]
    url = f"mongodb://{host}:{port}/{database}"
    result = subprocess.run(
        [sys.executable, "-m", "actionlogkit.cli", command[0], "--store", url, *command[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == (0 if command[0] == "list" else 1), result.stderr
    try:
        assert server_client[database].list_collection_names() == []
    finally:
        server_client.drop_database(database)
