"""Hypothesis strategies that hide a secret where the redaction rules promise to find it.

Shared by the tests that record such values into every backend and read the raw stored JSON.
"""

from __future__ import annotations

import base64
import keyword
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from actionlogkit._redaction import SECRET_KEYS, SECRET_LAST_TWO_WORDS, SECRET_LAST_WORDS

_prefix_words = st.lists(
    st.sampled_from(["x", "db", "aws", "my", "user", "client", "api"]), max_size=2
)


def _spell(words: list[str], style: str) -> str:
    match style:
        case "snake":
            return "_".join(words)
        case "kebab":
            return "-".join(word.capitalize() for word in words)
        case "camel":
            return words[0] + "".join(word.capitalize() for word in words[1:])
        case "upper":
            return "_".join(words).upper()
        case "spaced":
            return " ".join(words)
        case _:
            raise AssertionError(style)


_styles = st.sampled_from(["snake", "kebab", "camel", "upper", "spaced"])


@st.composite
def secret_keys(draw: st.DrawFn) -> str:
    """A key the rules call secret: by its last word, its last two words, or whole."""
    rule = draw(st.sampled_from(["last", "two", "whole"]))
    if rule == "whole":
        words = draw(st.sampled_from(sorted(SECRET_KEYS))).split("_")
        return _spell(words, draw(_styles) if len(words) > 1 else "snake")
    tail = (
        [draw(st.sampled_from(sorted(SECRET_LAST_WORDS)))]
        if rule == "last"
        else list(draw(st.sampled_from(sorted(SECRET_LAST_TWO_WORDS))))
    )
    return _spell([*draw(_prefix_words), *tail], draw(_styles))


def new_secret() -> str:
    """A secret no stored record can hold by chance."""
    return "zq9" + uuid.uuid4().hex


# Names used in text forms: the separators of text (spaces) are not part of a name there.
_text_names = secret_keys().filter(lambda key: " " not in key)


@st.composite
def secret_texts(draw: st.DrawFn, secret: str) -> str:
    """A text with ``secret`` written inside it in one of the forms the text rules scrub."""
    name = draw(_text_names)
    form = draw(
        st.sampled_from(
            [
                "query",
                "userinfo",
                "token_userinfo",
                "bearer",
                "basic",
                "pair",
                "header",
                "json",
                "repr",
                "scheme_pair",
            ]
        )
    )
    match form:
        case "query":
            text = f"GET https://api.example.com/v1/items?page=2&{name}={secret}&sort=asc"
        case "userinfo":
            text = f"connecting to postgresql://app:{secret}@db.example.com:5432/shop"
        case "token_userinfo":
            text = f"cloning https://{secret}@git.example.com/shop.git"
        case "bearer":
            text = f"sent header Bearer {secret} to the shop"
        case "basic":
            credential = base64.b64encode(f"app:{secret}".encode()).decode()
            # A credential shown as is, and the secret itself after the scheme.
            text = f"Basic {credential} then basic {secret}"
        case "pair":
            text = f"login failed for {name}={secret} (user=bob)"
        case "header":
            text = f"HTTP 401\n{name}: {secret}\nContent-Type: application/json"
        case "json":
            text = f'upstream said {{"user": "bob", "{name}": "{secret}", "ok": false}}'
        case "repr":
            text = f"bad request {{'user': 'bob', '{name}': '{secret}'}}"
        case "scheme_pair":
            text = f"{name}: Bearer {secret}"
        case _:
            raise AssertionError(form)
    return text


_plain_text = st.text(alphabet="abcdef ", max_size=6)
_plain = st.recursive(
    st.none() | st.integers() | _plain_text,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(_plain_text.filter(str.strip), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def hidden_secret(draw: st.DrawFn, secret: str) -> Any:
    """A nested value of plain data with ``secret`` hidden somewhere a rule promises to find it.

    Under a secret key (as text, or inside a list or object there), in a ``(name, value)`` header
    pair, or written inside a text in one of the scrubbed forms.
    """
    placement = draw(st.sampled_from(["key", "pair", "text"]))
    hidden: Any
    if placement == "key":
        hidden = {draw(secret_keys()): draw(st.sampled_from([secret, [secret], {"v": secret}]))}
    elif placement == "pair":
        name = draw(secret_keys())
        pair: Any = (name, secret)
        hidden = [draw(st.sampled_from([pair, list(pair), (name.encode(), secret.encode())]))]
    else:
        hidden = draw(secret_texts(secret))
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            hidden = [*draw(st.lists(_plain, max_size=2)), hidden]
        else:
            siblings = draw(st.dictionaries(_plain_text.filter(str.strip), _plain, max_size=2))
            hidden = {**siblings, "n" + draw(_plain_text): hidden}
    return hidden


class HiddenSecrets:
    """Where a secret was put for one recorded call, and the call itself."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any], secret: str) -> None:
        self.secret = secret
        self.argument = draw(hidden_secret(secret))
        self.result = draw(hidden_secret(secret))
        self.metadata = draw(hidden_secret(secret))
        self.error = draw(secret_texts(secret))
        self.failure = draw(secret_texts(secret))
        self.entity = draw(secret_texts(secret))
        self.secret_parameter = draw(secret_keys().map(_parameter_name))
        self.how = draw(st.sampled_from(["raises", "returns", "block"]))

    def record(self, action: Callable[..., Any]) -> None:
        """Record one call or block with the secret in its arguments, result, error and handle."""
        parameter = self.secret_parameter
        spec = action(
            "update",
            entity_type="product",
            entity_id=parameter if self.how != "block" else None,
            metadata={"extra": self.metadata},
        )
        if self.how == "block":
            with spec as act:
                act.payload = self.argument
                act.response = self.result
                act.entity_id = self.entity
                act.metadata["more"] = self.metadata
                act.fail(self.failure)
            return
        namespace: dict[str, Any] = {}
        exec(  # a function whose parameter has the secret name, so entity_id can name it
            f"def call(body, {parameter}):\n"
            "    if raise_it:\n"
            "        raise ValueError(message)\n"
            "    return result\n",
            {"raise_it": self.how == "raises", "message": self.error, "result": self.result},
            namespace,
        )
        recorded = spec(namespace["call"])
        try:
            recorded(self.argument, self.secret)
        except ValueError:
            assert self.how == "raises"


def _parameter_name(key: str) -> str:
    name = "".join(c if c.isalnum() else "_" for c in key)
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"p_{name}"


def forbidden(secret: str) -> list[str]:
    """What must never be stored: the secret, and the Basic credential made from it."""
    return [secret, base64.b64encode(f"app:{secret}".encode()).decode()]
