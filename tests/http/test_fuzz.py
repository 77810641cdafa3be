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
# The run with tokens has stores of its own: each run's records stay apart.
_TOKEN_STORES: dict[str, Store] = {"memory": open_store("memory://")}
if "sqlite" in available_schemes():
    _STORES["sqlite"] = open_store(f"sqlite:///{_DIRECTORY / 'fuzz.db'}")
    _TOKEN_STORES["sqlite"] = open_store(f"sqlite:///{_DIRECTORY / 'fuzz-tokens.db'}")
for _store in (*_STORES.values(), *_TOKEN_STORES.values()):
    # The documented examples use this record's id, so the examples phase reaches a real record.
    _store.import_records([EXAMPLE_RECORD])


@pytest.fixture(scope="module", autouse=True)
def _close_stores() -> Iterator[None]:
    """Close the fuzzed stores and remove their files once the module's tests are done."""
    yield
    for store in (*_STORES.values(), *_TOKEN_STORES.values()):
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


# The same, with tokens required: the document (itself behind them) declares the bearer scheme
# and the 401 and 403 answers, and every request carries the write token.
_WRITER = {"Authorization": "Bearer w-fuzz-3c9a1e7f5b2d8046"}
_TOKENS = "fuzz-reader:read:r-fuzz-8046b2d5f7e1a9c3,fuzz-writer:write:w-fuzz-3c9a1e7f5b2d8046"


@schemathesis.pytest.parametrize(
    **{
        kind: schemathesis.openapi.from_asgi(
            "/openapi.json", create_app(store, tokens=_TOKENS), headers=_WRITER
        )
        for kind, store in _TOKEN_STORES.items()
    }
)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_with_tokens_answers_every_request_of_a_write_token_as_documented(
    case: schemathesis.Case[Any],
) -> None:
    """With a write token, no request gets a 5xx, a 401/403 or an undocumented answer."""
    # The generated case fills the declared bearer scheme with a placeholder: the token replaces
    # it. A negative case may still leave the header out on purpose; it must then get the 401.
    case.headers.update(_WRITER)
    response = case.call_and_validate(checks=_CHECKS)
    if response.request.headers.get("Authorization") == _WRITER["Authorization"]:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 401, response.text
