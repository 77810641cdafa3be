"""Property-based fuzzing of the REST API from its own OpenAPI document."""

from __future__ import annotations

from typing import Any

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

from actionlogkit import MemoryStore
from actionlogkit.http import create_app
from actionlogkit.http._models import EXAMPLE_RECORD

_store = MemoryStore()
# The documented examples use this record's id, so the examples phase reaches a real record.
_store.import_records([EXAMPLE_RECORD])
_app = create_app(_store)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)

_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(case: schemathesis.Case[Any]) -> None:
    """No generated request, valid or not, gets a 5xx or a response that breaks the document."""
    case.call_and_validate(checks=_CHECKS)
