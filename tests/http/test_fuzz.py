"""Property-based fuzzing of the REST API from its own OpenAPI document, on every store."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from actionlogkit import Store, available_schemes, open_store
from actionlogkit.http import create_app
from actionlogkit.http._models import EXAMPLE_RECORD

_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# schemathesis collects its tests from schemas built at import time, so the stores are too.
_DIRECTORY = Path(tempfile.mkdtemp(prefix="actionlogkit-fuzz-"))
_STORES: dict[str, Store] = {"memory": open_store("memory://")}
if "sqlite" in available_schemes():
    _STORES["sqlite"] = open_store(f"sqlite:///{_DIRECTORY / 'fuzz.db'}")
for _store in _STORES.values():
    # The documented examples use this record's id, so the examples phase reaches a real record.
    _store.import_records([EXAMPLE_RECORD])


@pytest.fixture(scope="module", autouse=True)
def _close_stores() -> Iterator[None]:
    """Close the fuzzed stores and remove their files once the module's tests are done."""
    yield
    for store in _STORES.values():
        store.close()
    shutil.rmtree(_DIRECTORY, ignore_errors=True)


@schemathesis.pytest.parametrize(
    **{
        kind: schemathesis.openapi.from_asgi("/openapi.json", create_app(store))
        for kind, store in _STORES.items()
    }
)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(case: schemathesis.Case[Any]) -> None:
    """No generated request, valid or not, gets a 5xx or a response that breaks the document."""
    case.call_and_validate(checks=_CHECKS)
