"""The capture pipeline: redact, make JSON-safe, truncate; for any value, never raising."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import uuid
from collections import OrderedDict, deque
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from actionlogkit import MemoryStore, Recorder
from actionlogkit._json import is_plain_json_object, normal_json_object
from actionlogkit._redaction import REDACTED, Redactor
from actionlogkit.recorder._capture import Capture
from tests.recorder._secrets import secret_keys


class Colour(enum.Enum):
    """An enum a caller might pass."""

    RED = "red"
    BLUE = 2


class Flag(enum.IntFlag):
    """An int flag."""

    A = 1


@dataclasses.dataclass
class Line:
    """A dataclass a caller might pass."""

    sku: str
    quantity: int


class Order(BaseModel):
    """A pydantic model a caller might pass."""

    id: int
    password: str
    lines: list[str] = []


class BadInput(Exception):
    """Raised by a recorded call, with any message."""


class Point(NamedTuple):
    """A named tuple."""

    x: int
    y: int


class Unprintable:
    """An object whose str and repr both raise."""

    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class ExplodingMapping(dict[str, Any]):
    """A mapping that raises when read."""

    def items(self) -> Any:
        raise RuntimeError("cannot read")


def storable(value: Any) -> dict[str, Any]:
    """The core accepts it unchanged as a record's JSON object, and it encodes as strict JSON."""
    assert isinstance(value, dict)
    assert is_plain_json_object(value)  # already the core's normal form (e.g. no -0.0)
    normal = normal_json_object(value)
    assert json.dumps(normal, allow_nan=False) == json.dumps(value, allow_nan=False)
    return normal


def encoded_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def test_python_values_become_plain_json() -> None:
    """Dates, decimals, UUIDs, enums, bytes, sets, tuples, models and dataclasses convert."""
    ident = uuid.UUID(int=1)
    value = {
        "when": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "day": dt.date(2024, 1, 2),
        "at": dt.time(3, 4),
        "took": dt.timedelta(seconds=1.5),
        "price": Decimal("12.50"),
        "id": ident,
        "colour": Colour.RED,
        "flag": Flag.A,
        "text": b"hello",
        "blob": b"\xff\x00",
        "tags": {"b", "a"},
        "frozen": frozenset({2, 1}),
        "pair": (1, 2),
        "point": Point(1, 2),
        "queue": deque([1]),
        "order": Order(id=1, password="hunter2", lines=["a"]),
        "line": Line("sku-1", 2),
        "ordered": OrderedDict(b=1),
    }
    captured, truncated, _ = Capture().capture(value)
    assert truncated is None
    assert captured == {
        "when": "2024-01-02T03:04:05+00:00",
        "day": "2024-01-02",
        "at": "03:04:00",
        "took": 1.5,
        "price": "12.50",
        "id": str(ident),
        "colour": "red",
        "flag": 1,
        "text": "hello",
        "blob": "base64:/wA=",
        "tags": ["a", "b"],
        "frozen": [1, 2],
        "pair": [1, 2],
        "point": {"x": 1, "y": 2},
        "queue": [1],
        "order": {"id": 1, "password": REDACTED, "lines": ["a"]},
        "line": {"sku": "sku-1", "quantity": 2},
        "ordered": {"b": 1},
    }


def test_values_json_cannot_hold_become_text() -> None:
    """NaN, infinities, huge integers, NUL and lone surrogates are turned into storable text."""
    captured, _, _ = Capture().capture(
        {"nan": float("nan"), "inf": float("inf"), "big": 2**64, "nul": "a\x00b", "s": "\ud800"}
    )
    assert captured == {
        "nan": "NaN",
        "inf": "Infinity",
        "big": str(2**64),
        "nul": "a\ufffdb",
        "s": "\ufffd",
    }


def test_negative_zero_is_stored_as_zero_as_the_core_does() -> None:
    """-0.0 becomes 0.0, the form every backend keeps."""
    captured, _, _ = Capture().capture({"zero": -0.0, "items": [-0.0]})
    assert json.dumps(captured) == '{"zero": 0.0, "items": [0.0]}'


def test_keys_the_stores_refuse_are_escaped_and_never_collide() -> None:
    """Empty, dotted, $-prefixed and non-text keys become distinct storable keys."""
    captured, _, _ = Capture().capture(
        {"": 1, "a.b": 2, "$set": 3, 4: 4, None: 5, (1, 2): 6, "4": 7, "\x00": 8}
    )
    assert captured is not None
    storable(captured)
    assert captured["(empty)"] == 1
    assert captured["a\uff0eb"] == 2
    assert captured["\uff04set"] == 3
    assert sorted(captured.values()) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_unserializable_objects_cycles_and_depth_are_bounded() -> None:
    """Unknown objects name their type, cycles are cut, deep nesting stops at the depth limit."""
    cycle: list[Any] = []
    cycle.append(cycle)
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    captured, _, _ = Capture().capture(
        {
            "obj": object(),
            "broken": Unprintable(),
            "unreadable": ExplodingMapping(a=1),
            "cycle": cycle,
            "deep": deep,
        }
    )
    assert captured is not None
    storable(captured)
    assert captured["obj"] == "<unserializable: object>"
    assert captured["broken"] == "<unserializable: Unprintable>"
    assert captured["unreadable"] == "<unserializable: ExplodingMapping>"
    assert captured["cycle"] == ["<cycle: list>"]


def test_a_non_object_is_wrapped_under_value() -> None:
    """Scalars and lists become {"value": …}; None stays None."""
    capture = Capture()
    assert capture.capture(3)[0] == {"value": 3}
    assert capture.capture([1, "a"])[0] == {"value": [1, "a"]}
    assert capture.capture(None)[:2] == (None, None)


def test_big_values_are_cut_within_the_cap_keeping_their_shape() -> None:
    """A long text is shortened and a long list cut, other keys kept, original size reported."""
    capture = Capture(max_field_bytes=1024)
    value = {"sku": "sku-1", "image": "x" * 10_000, "lines": list(range(300))}
    captured, size, _ = capture.capture(value)
    assert captured is not None
    assert encoded_size(captured) <= 1024
    assert captured["sku"] == "sku-1"
    assert captured["image"].endswith("<truncated: 10000 characters>")
    # The text was cut while walking: the size noted is a minimum.
    assert isinstance(size, str)
    assert 1024 < int(size.removeprefix("≥ ")) <= encoded_size(value)


def test_huge_containers_are_not_walked_to_the_end() -> None:
    """A list far longer than the cap allows is cut while walking; the size noted is a minimum."""
    value = list(range(1_000_000))
    captured, size, _ = Capture(max_field_bytes=1024).capture(value)
    assert captured is not None
    assert encoded_size(captured) <= 1024
    assert isinstance(size, str)
    assert size.startswith("≥ ")
    assert 1024 < int(size[2:]) < encoded_size(value)


def test_a_value_too_big_to_shrink_becomes_a_marker_with_a_preview() -> None:
    """When shortening is not enough the field becomes a marker and a preview of its JSON."""
    capture = Capture(max_field_bytes=256)
    value = {f"key{n:03d}" + "k" * 100: n for n in range(500)}  # long keys are never shortened
    captured, size, _ = capture.capture(value)
    assert captured is not None
    assert encoded_size(captured) <= 256
    assert captured["truncated"].startswith("<truncated: ")
    assert captured["preview"].startswith('{"key000kkk')
    assert isinstance(size, str)
    assert int(size.removeprefix("≥ ")) > 256


def test_truncation_is_noted_in_the_record_metadata() -> None:
    """The stored record says which fields were cut and their original size."""
    with Recorder(MemoryStore(), max_field_bytes=512, on_store_error="raise") as rec:

        @rec.action("create", entity_type="product")
        def upload(image: str) -> str:
            return "ok" * 1000

        upload("x" * 5000)
        record = rec.store.list().data[0]
    assert record.metadata is not None
    truncated = record.metadata["truncated"]
    assert set(truncated) == {"payload", "response"}
    # Cut while walking: a lower bound, marked ≥ (here the exact size of {"image": …}).
    assert truncated["payload"] == f"≥ {encoded_size({'image': 'x' * 5000})}"
    assert record.payload is not None
    assert encoded_size(record.payload) <= 512


@pytest.mark.parametrize(
    "key",
    ["password", "PASSWORD", "Api-Key", "apiKey", "X_API_KEY_NOT", "Set-Cookie", "Card Number",
     "cardNumber", "client_secret", "refreshToken", "Authorization"],
)  # fmt: skip
def test_default_keys_are_matched_whatever_their_case_and_separators(key: str) -> None:
    """Keys are compared case-insensitively, ignoring '_', '-' and spaces."""
    captured, _, _ = Capture().capture({key: "s3cret"})
    expected = "s3cret" if key == "X_API_KEY_NOT" else REDACTED
    assert captured == {key: expected}


def test_redaction_keys_can_be_added_and_made_safe() -> None:
    """redact adds keys, safe_keys exempts default ones."""
    capture = Capture(redactor=Redactor(redact=["x-shop-key"], safe_keys=["session"]))
    captured, _, _ = capture.capture({"X-Shop-Key": "k", "session": "s", "token": "t"})
    assert captured == {"X-Shop-Key": REDACTED, "session": "s", "token": REDACTED}


def test_a_colliding_key_is_still_redacted() -> None:
    """Two keys that read alike once storable are both redacted when either is secret."""
    captured, _, _ = Capture().capture({"token": "a", b"token": "b"})
    assert captured == {"token": REDACTED, "token~2": REDACTED}


# -- properties over any value ---------------------------------------------------------------------

_keys = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=8),
    st.integers(),
    st.none(),
    st.booleans(),
    st.binary(max_size=4),
    st.tuples(st.integers(), st.text(max_size=2)),
    st.floats(),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(),
    st.just(-0.0),
    st.text(st.characters(codec=None, exclude_categories=())),
    st.binary(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.decimals(),
    st.uuids(),
    st.sampled_from([Colour.RED, Colour.BLUE, Flag.A]),
    st.builds(object),
    st.builds(Unprintable),
    st.builds(Line, st.text(), st.integers()),
)
any_value = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.tuples(children, children),
        st.frozensets(st.integers() | st.text(max_size=3), max_size=4),
        st.dictionaries(_keys, children, max_size=6),
        st.builds(Order, id=st.integers(), password=st.text(), lines=st.lists(st.text())),
    ),
    max_leaves=40,
)


@settings(max_examples=300)
@given(any_value, st.sampled_from([256, 1024, 65_536]))
def test_any_value_becomes_storable_json_within_the_cap(value: Any, cap: int) -> None:
    """For any Python value the pipeline never raises and gives storable JSON within the cap."""
    captured, size, _ = Capture(max_field_bytes=cap).capture(value)
    if value is None:
        assert captured is None
        return
    assert captured is not None
    storable(captured)
    assert encoded_size(captured) <= cap
    if isinstance(size, int):
        assert size > cap
    elif size is not None:
        assert int(size.removeprefix("≥ ")) > 0


_secret_keys = secret_keys()
_plain_text = st.text(alphabet="abcdef", max_size=6)
_plain = st.recursive(
    st.none() | st.integers() | _plain_text,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(_plain_text.filter(bool), children, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def with_hidden_secret(draw: st.DrawFn, secret: str) -> Any:
    """A nested structure of plain values with ``secret`` under a default key at some depth."""
    hidden: Any = {draw(_secret_keys): draw(st.sampled_from([secret, [secret], {"v": secret}]))}
    for _ in range(draw(st.integers(0, 6))):
        siblings = draw(st.dictionaries(_plain_text.filter(bool), _plain, max_size=2))
        if draw(st.booleans()):
            hidden = [*draw(st.lists(_plain, max_size=2)), hidden]
        else:
            hidden = {**siblings, draw(_plain_text.filter(bool)) + "_": hidden}
    return hidden


@settings(max_examples=200)
@given(data=st.data())
def test_a_secret_under_any_default_key_at_any_depth_is_never_stored(data: st.DataObject) -> None:
    """The stored record's raw JSON never contains the secret, in payload, response or metadata."""
    secret = "zq-secret-" + uuid.uuid4().hex
    payload = data.draw(with_hidden_secret(secret))
    response = data.draw(with_hidden_secret(secret))
    metadata = data.draw(with_hidden_secret(secret))
    with Recorder(MemoryStore(), on_store_error="raise") as rec:

        @rec.action("create", entity_type="product", metadata={"extra": metadata})
        def call(body: Any) -> Any:
            return response

        call(payload)
        raw = rec.store.list().data[0].model_dump_json(by_alias=True)
    assert secret not in raw
    assert REDACTED in raw


@settings(max_examples=200)
@given(
    entity=st.one_of(st.text(st.characters(codec=None, exclude_categories=())), st.integers()),
    message=st.text(st.characters(codec=None, exclude_categories=())),
    payload=any_value,
    metadata=st.dictionaries(_keys, any_value, max_size=3),
)
def test_every_built_record_is_one_the_model_accepts_unchanged(
    entity: Any, message: str, payload: Any, metadata: dict[Any, Any]
) -> None:
    """Records are assembled without validation: the model must accept each one as it is."""
    from actionlogkit.models import ActionLogInput

    with Recorder(MemoryStore(), on_store_error="raise") as rec:

        @rec.action("update", entity_type="product", entity_id=entity, metadata=metadata)
        def call(body: Any) -> Any:
            raise BadInput(message)

        with pytest.raises(BadInput):
            call(payload)
        stored = rec.store.list().data[0]
    given = stored.to_input()
    validated = ActionLogInput.model_validate(given.model_dump(by_alias=True))
    assert validated.model_dump_json(by_alias=True) == given.model_dump_json(by_alias=True)
