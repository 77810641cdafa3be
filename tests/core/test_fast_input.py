"""The fast path for plain create bodies gives exactly what full validation gives."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionlogkit import ActionLogInput, InvalidRecord
from actionlogkit._inputs import fast_input, validate_input
from actionlogkit.testing import strategies
from actionlogkit.testing._sample import INVALID_RECORDS, SAMPLE, minimal


def _pydantic(body: dict[str, Any]) -> ActionLogInput | None:
    try:
        return ActionLogInput.model_validate(body)
    except ValueError:
        return None


def _same(fast: ActionLogInput, slow: ActionLogInput) -> None:
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    for mode in ("python", "json"):
        dumped = [m.model_dump(mode=mode, by_alias=True, exclude_unset=True) for m in (fast, slow)]
        assert json.dumps(dumped[0], sort_keys=True, default=str) == json.dumps(
            dumped[1], sort_keys=True, default=str
        )
    assert type(fast.action_type) is type(slow.action_type)
    assert type(fast.execution_time) is type(slow.execution_time)


@pytest.mark.parametrize("label", list(SAMPLE))
def test_sample_bodies_take_the_fast_path(label: str) -> None:
    """The contract's sample bodies are plain and come out of the fast path as validated."""
    fast = fast_input(SAMPLE[label])
    slow = _pydantic(SAMPLE[label])
    assert fast is not None
    assert slow is not None
    _same(fast, slow)


@pytest.mark.parametrize(("body", "field"), INVALID_RECORDS)
def test_invalid_bodies_never_pass_the_fast_path(body: dict[str, Any], field: str) -> None:
    """Every invalid body leaves the fast path, so that validation words its error."""
    assert fast_input(body) is None
    with pytest.raises(InvalidRecord):
        validate_input(body)


@pytest.mark.parametrize(
    "body",
    [
        minimal(executionTime=-0.0),
        minimal(executionTime=5),
        minimal(retryCount=0, payload={}, response=None),
        minimal(errorMessage=""),
        minimal(integrationId="é" * 256),
    ],
)
def test_edge_values_agree(body: dict[str, Any]) -> None:
    """Integers as milliseconds, negative zero, empty objects and long non-ASCII ids agree."""
    fast, slow = fast_input(body), _pydantic(body)
    assert fast is not None
    assert slow is not None
    _same(fast, slow)
    assert math.copysign(1.0, fast.execution_time or 0.0) == 1.0


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
)
_mutations = st.fixed_dictionaries(
    {},
    optional={
        "integrationId": _scalars,
        "actionType": st.one_of(st.sampled_from(["create", "sync", "bogus"]), _scalars),
        "entityType": _scalars,
        "entityId": _scalars,
        "status": st.one_of(st.sampled_from(["failed", "done"]), _scalars),
        "errorMessage": _scalars,
        "retryCount": _scalars,
        "executionTime": _scalars,
        "payload": st.one_of(_scalars, st.dictionaries(st.text(max_size=3), _scalars, max_size=3)),
        "integration_id": st.just("x"),
        "extra": _scalars,
    },
)


@settings(max_examples=500)
@given(strategies.record_inputs(), _mutations)
def test_fast_path_agrees_with_validation(body: dict[str, Any], changes: dict[str, Any]) -> None:
    """On valid and broken bodies: the fast path answers as validation does, or steps aside."""
    candidate = {**body, **changes}
    fast = fast_input(candidate)
    slow = _pydantic(candidate)
    if fast is not None:
        assert slow is not None, candidate
        _same(fast, slow)
