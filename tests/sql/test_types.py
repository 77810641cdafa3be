"""How values are written for SQL: compact JSON text, the standard encoder's for these values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from actionlogkit.testing import strategies
from actionlogkit_sql._types import decode_json, json_text


@settings(max_examples=500)
@given(strategies.json_objects(depth=4))
def test_json_text_is_compact_standard_json(value: dict[str, Any]) -> None:
    """JSON text for SQLite is json.dumps's compact, unescaped text, and decodes to the value."""
    text = json_text(value, postgresql=False)
    assert text == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert decode_json(text) == value


def test_json_text_refuses_what_is_not_json() -> None:
    """A value JSON cannot hold raises TypeError naming its type (records never hold one)."""
    with pytest.raises(TypeError, match="not JSON serializable: object"):
        json_text({"when": object()}, postgresql=False)
