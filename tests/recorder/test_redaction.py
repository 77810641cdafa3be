"""Redaction: secret keys by rule, header pairs, secrets written inside text, a user's own rules."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionlogkit import MemoryStore, Recorder
from actionlogkit._redaction import (
    REDACTED,
    SECRET_KEYS,
    SECRET_LAST_TWO_WORDS,
    SECRET_LAST_WORDS,
    Redactor,
    normalize_key,
)
from actionlogkit.models import MAX_ERROR_MESSAGE
from actionlogkit.recorder._capture import Capture
from tests.recorder._secrets import HiddenSecrets, forbidden, new_secret

# The keys the fault campaign found stored verbatim.
CAMPAIGN_KEYS = [
    "X-Api-Key",
    "Proxy-Authorization",
    "X-Auth-Token",
    "secret_key",
    "db_password",
    "aws_secret_access_key",
    "auth",
    "credentials",
    "passphrase",
    "id_token",
    "pwd",
    "cvv",
]
KEPT_KEYS = [
    "tokens_used",
    "max_tokens",
    "token_count",
    "author",
    "authority",
    "session_count",
    "passwordless",
    "secretary",
]


def _spellings(words: list[str]) -> list[str]:
    """Every way the tests spell a key of these words."""
    return [
        "_".join(words),
        "-".join(words),
        "-".join(word.capitalize() for word in words),
        " ".join(words),
        words[0] + "".join(word.capitalize() for word in words[1:]),
        "_".join(words).upper(),
        "".join(words) if len(words) == 1 else "_".join(words),
    ]


def _rule_keys() -> list[str]:
    """Every key the rules make secret, with and without a prefix word, in every spelling."""
    keys = []
    for prefix in ([], ["x"], ["db", "main"]):
        for word in sorted(SECRET_LAST_WORDS):
            keys += _spellings([*prefix, word])
        for pair in sorted(SECRET_LAST_TWO_WORDS):
            keys += _spellings([*prefix, *pair])
    for whole in sorted(SECRET_KEYS):
        keys += _spellings(whole.split("_"))
    return sorted(set(keys))


@pytest.mark.parametrize("key", CAMPAIGN_KEYS)
def test_the_keys_the_campaign_found_are_redacted(key: str) -> None:
    """Each key the fault campaign found stored verbatim is now redacted."""
    assert Redactor().is_secret(key)
    captured = Capture().capture({key: "s3cret"}).value
    assert captured == {key: REDACTED}


@pytest.mark.parametrize("key", KEPT_KEYS)
def test_keys_that_only_look_secret_are_kept(key: str) -> None:
    """Keys whose last word is not a secret word keep their values."""
    assert not Redactor().is_secret(key)
    assert Capture().capture({key: 42}).value == {key: 42}


def test_every_key_a_rule_names_is_secret_in_every_spelling() -> None:
    """Last word, last two words, whole key: each in snake, kebab, camel, upper and spaced form."""
    redactor = Redactor()
    keys = _rule_keys()
    assert len(keys) > 300
    assert [key for key in keys if not redactor.is_secret(key)] == []


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("X-Api-Key", "x_api_key"),
        ("xApiKey", "x_api_key"),
        ("HTTPAuthorization", "http_authorization"),
        ("sessionId", "session_id"),
        ("password2", "password"),
        ("Card Number", "card_number"),
        ("a\uff0epassword", "a_password"),
    ],
)
def test_keys_are_compared_by_their_words(key: str, words: str) -> None:
    """Lower case, words split on separators and camelCase humps, digits dropped."""
    assert normalize_key(key) == words


def test_a_key_with_a_secret_word_elsewhere_than_last_is_kept() -> None:
    """Only the last word (or two) counts: ``token_count`` and ``password_hint_shown`` are kept."""
    redactor = Redactor()
    for word in sorted(SECRET_LAST_WORDS):
        assert not redactor.is_secret(f"{word}_count"), word


def test_user_keys_are_added_and_safe_keys_exempted() -> None:
    """redact adds keys (compared without case and separators), safe_keys exempts rule keys."""
    redactor = Redactor(redact=["x-shop-frob"], safe_keys=["session", "X-Auth-Token"])
    assert redactor.is_secret("XShopFrob")
    assert redactor.is_secret("x_shop_frob")
    assert not redactor.is_secret("session")
    assert not redactor.is_secret("x_auth_token")
    assert redactor.is_secret("token")


@pytest.mark.parametrize(
    "pair",
    [
        ("Authorization", "Bearer abc"),
        ["X-Api-Key", "abc"],
        (b"authorization", b"Basic abc"),
        ("set-cookie", "sid=abc"),
    ],
)
def test_header_pairs_with_a_secret_name_are_redacted(pair: Any) -> None:
    """A (name, value) pair, as headers are often passed, loses its value if the name is secret."""
    captured = Capture().capture({"headers": [pair, ("Accept", "application/json")]}).value
    assert captured is not None
    name = pair[0].decode() if isinstance(pair[0], bytes) else pair[0]
    assert captured["headers"] == [[name, REDACTED], ["Accept", "application/json"]]


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (
            "GET https://api.shop.test/v1?page=2&api_key=sk_live_123&sort=asc",
            "GET https://api.shop.test/v1?page=2&api_key=[REDACTED]&sort=asc",
        ),
        ("postgresql://app:hunter2@db:5432/shop", "postgresql://app:[REDACTED]@db:5432/shop"),
        ("https://ghp_abc123@git.test/shop.git", "https://[REDACTED]@git.test/shop.git"),
        ("Authorization: Bearer sk_live_abc", "Authorization: [REDACTED]"),
        ("sent Bearer sk_live_abc.def to it", "sent Bearer [REDACTED] to it"),
        ("header Basic dXNlcjpwYXNz=", "header Basic [REDACTED]"),
        ("login password=hunter2 user=bob", "login password=[REDACTED] user=bob"),
        (
            '{"user": "bob", "client_secret": "abc"}',
            '{"user": "bob", "client_secret": "[REDACTED]"}',
        ),
        ("{'X-Api-Key': 'k1', 'Accept': '*/*'}", "{'X-Api-Key': '[REDACTED]', 'Accept': '*/*'}"),
        (
            "HTTP 401\nX-Auth-Token: t1\nVia: proxy",
            "HTTP 401\nX-Auth-Token: [REDACTED]\nVia: proxy",
        ),
        ("Authorization=Bearer abc", "Authorization=[REDACTED]"),
    ],
)
def test_secrets_written_inside_text_are_scrubbed(text: str, scrubbed: str) -> None:
    """URL parameters and user-info, HTTP credentials, and name=value or name: value pairs."""
    assert Redactor().scrub(text) == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "timestamp 2024-01-02T10:00:00 ok",
        "https://shop.test/items?page=2&sort=asc",
        "mail ops@shop.test about user=bob",
        "tokens_used=120 max_tokens: 4096",
        "a plain message",
    ],
)
def test_text_without_secrets_is_kept_as_it_is(text: str) -> None:
    """Text that holds no secret form comes back unchanged."""
    assert Redactor().scrub(text) == text


def test_user_patterns_and_a_text_rule_scrub_text_too() -> None:
    """Patterns replace their matches; the function runs last; a failing function redacts all."""
    redactor = Redactor(
        patterns=[r"sk_live_\w+"], text_rule=lambda text: text.replace("ACME-", "ACME-***")
    )
    assert redactor.scrub("key sk_live_abc for ACME-42") == f"key {REDACTED} for ACME-***42"

    def broken(text: str) -> str:
        raise RuntimeError(text)

    assert Redactor(text_rule=broken).scrub("anything") == REDACTED


def test_recorder_options_reach_the_redaction_rules() -> None:
    """redact, safe_keys, redact_patterns and redact_text are Recorder options."""
    store = MemoryStore()
    with Recorder(
        store,
        redact=["x-shop-frob"],
        safe_keys=["session"],
        redact_patterns=[r"sk_live_\w+"],
        redact_text=lambda text: text.replace("ACME-", "ACME-***"),
        on_store_error="raise",
    ) as rec:

        @rec.action("update", entity_type="product")
        def call(body: dict[str, str]) -> str:
            return "key sk_live_abc"

        call({"XShopFrob": "a", "session": "s", "note": "ACME-42"})
    record = store.list().data[0]
    assert record.payload == {"body": {"XShopFrob": REDACTED, "session": "s", "note": "ACME-***42"}}
    assert record.response == {"value": f"key {REDACTED}"}


@pytest.mark.parametrize("cut_at", range(0, 24, 3))
def test_a_cut_text_never_keeps_the_start_of_a_secret(cut_at: int) -> None:
    """Texts are scrubbed before they are cut: a cut inside ``Bearer sk_live_…`` leaves no part."""
    secret = "sk_live_" + "q" * 2000
    cap = 256
    lead = "x" * (cap - 20 + cut_at)
    captured = Capture(max_field_bytes=cap).capture({"note": f"{lead} Bearer {secret}"}).value
    stored = json.dumps(captured)
    assert "sk_li" not in stored
    assert "qqq" not in stored


@pytest.mark.parametrize("form", ["Bearer {s}", "password={s}", "https://app:{s}@db.test/"])
def test_a_long_error_message_is_scrubbed_before_it_is_cut(form: str) -> None:
    """errorMessage keeps at most its limit, and a secret across the cut leaves nothing."""
    secret = "sk_live_" + "q" * 3 * MAX_ERROR_MESSAGE
    with Recorder(MemoryStore(), on_store_error="raise") as rec:
        for lead in (MAX_ERROR_MESSAGE - 40, MAX_ERROR_MESSAGE - 5):

            @rec.action("update", entity_type="product")
            def call(lead: int = lead) -> None:
                raise ValueError("x" * lead + " " + form.format(s=secret))

            with pytest.raises(ValueError, match="x"):
                call()
        for record in rec.store.list().data:
            assert record.error_message is not None
            assert len(record.error_message) <= MAX_ERROR_MESSAGE
            assert "sk_li" not in record.error_message
            assert "qqq" not in record.error_message


def test_an_entity_id_or_payload_read_from_a_secret_parameter_is_redacted() -> None:
    """entity_id="api_key" (or a path into a secret key) stores [REDACTED], not the argument."""
    with Recorder(MemoryStore(), on_store_error="raise") as rec:

        @rec.action("update", entity_type="product", entity_id="api_key", payload="auth.token")
        def call(api_key: str, auth: dict[str, str]) -> None:
            return None

        call("sk_live_1", {"token": "sk_live_2"})
        record = rec.store.list().data[0]
    assert record.entity_id == REDACTED
    assert record.payload == {"value": REDACTED}
    assert "sk_live" not in record.model_dump_json()


@settings(max_examples=150)
@given(data=st.data())
def test_a_secret_anywhere_in_a_call_never_reaches_the_stored_json(data: st.DataObject) -> None:
    """In arguments, results, exceptions, metadata and handle fields: never in the stored record."""
    secret = new_secret()
    hidden = HiddenSecrets(data.draw, secret)
    store = MemoryStore()
    with Recorder(store, on_store_error="raise") as rec:
        hidden.record(rec.action)
        raw = "".join(record.model_dump_json(by_alias=True) for record in store.list().data)
    assert store.count() == 1
    for text in forbidden(secret):
        assert text not in raw


def test_scrubbing_reads_a_pair_only_once_whatever_the_text() -> None:
    """Scrubbing a long text of many pairs finishes and redacts every secret one of them."""
    text = "&".join(f"k{n}=v&token={n}" for n in range(2000))
    scrubbed = Redactor().scrub(text)
    assert re.findall(r"token=([^&]*)", scrubbed) == [REDACTED] * 2000
    assert list(itertools.islice(re.finditer(r"k(\d+)=v", scrubbed), 3))
