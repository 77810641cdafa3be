"""Which values are secrets: the redaction rules, for the recorder and the REST API alike.

Two kinds of rules, both in :class:`Redactor`:

- **Keys.** A value is redacted by the key it sits under. A key is cut into words (on any
  character that is not a letter or a digit, and at camelCase humps), lower-cased; it is secret
  when its last word is one of :data:`SECRET_LAST_WORDS`, its last two words one of
  :data:`SECRET_LAST_TWO_WORDS`, or the whole key one of :data:`SECRET_KEYS`; users add keys
  and exempt keys.
- **Text.** Secrets written inside text are scrubbed: URL user-info, ``Bearer``/``Basic``
  credentials, and the value of every ``name=value`` or ``name: value`` pair whose name is a secret
  key (URL query parameters, form bodies, header lines, JSON or Python dicts quoted in a message);
  users add patterns and a function of their own.

What a redacted value becomes, :data:`REDACTED`, never contains any part of it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from typing import Final

__all__ = [
    "REDACTED",
    "SECRET_KEYS",
    "SECRET_LAST_TWO_WORDS",
    "SECRET_LAST_WORDS",
    "Redactor",
    "TextRule",
    "key_words",
    "normalize_key",
]

REDACTED: Final = "[REDACTED]"
"""What a redacted value becomes; it never contains any part of the value."""

SECRET_LAST_WORDS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "passphrase",
        "credential",
        "credentials",
        "cookie",
        "signature",
        "cvv",
        "cvc",
    }
)
"""A key whose last word is one of these is secret: ``db_password``, ``X-Auth-Token``."""
SECRET_LAST_TWO_WORDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("private", "key"),
        ("secret", "key"),
        ("client", "secret"),
        ("card", "number"),
    }
)
"""A key whose last two words are one of these is secret: ``X-Api-Key``, ``cardNumber``."""
SECRET_KEYS: frozenset[str] = frozenset(
    {
        "authorization",
        "proxy_authorization",
        "auth",
        "apikey",
        "session",
        "sessionid",
        "session_id",
        "set_cookie",
        "pan",
    }
)
"""Whole keys (words joined by ``_``) that are secret: ``Proxy-Authorization``, ``sessionId``."""

# A word: a run of capitals not followed by a small letter (an acronym: "HTTP", "KEY"), or an
# optional capital and small letters ("Api"); any other letter counts as small. Digits and every
# other character separate words, and are dropped: "password2" is "password".
_WORD = re.compile(r"[A-Z]+(?![^\W\dA-Z_])|[A-Z]?[^\W\dA-Z_]+")
_KEY_CACHE_SIZE = 4096

TextRule = Callable[[str], str]
"""A user's own scrubbing of text: takes a text, returns it with its secrets replaced."""


def key_words(key: str) -> tuple[str, ...]:
    """The lower-case words of a key: ``"X-Api-Key"`` and ``"xApiKey"`` give ``x, api, key``."""
    return tuple(word.lower() for word in _WORD.findall(key))


def normalize_key(key: str) -> str:
    """The form whole keys are compared in: the words joined by ``_`` (``"session_id"``)."""
    return "_".join(key_words(key))


def _compact(key: str) -> str:
    # The form a user's own keys are compared in: "x-shop-key", "XShopKey" and "xshopkey" agree.
    return "".join(key_words(key))


_SECRET_ENDINGS = frozenset(
    {
        *SECRET_LAST_WORDS,
        *(pair[1] for pair in SECRET_LAST_TWO_WORDS),
        *(key.rsplit("_", 1)[-1] for key in SECRET_KEYS),
    }
)
# Trailing characters that end no word (a key's last word may be followed by them: "password2").
_NOT_LETTERS = string.punctuation + string.digits + string.whitespace + "\uff0e\uff04"


def _is_secret_by_rule(words: tuple[str, ...]) -> bool:
    if not words:
        return False
    if words[-1] in SECRET_LAST_WORDS or "_".join(words) in SECRET_KEYS:
        return True
    return len(words) > 1 and (words[-2], words[-1]) in SECRET_LAST_TWO_WORDS


# -- text ------------------------------------------------------------------------------------------

# An HTTP credential after its scheme's name.
_AUTH = re.compile(r"\b((?:[Bb]earer|BEARER|[Bb]asic|BASIC)[ \t]+)[\w\-.~+/]+=*")
# The separator of a pair, or the "@" that ends URL user-info: one character class, which the
# engine scans for quickly.
_SEPARATOR = re.compile(r"[=:@]")
# Matched on the reversed text, from just before a trigger: what stands before it.
_REVERSED_NAME = re.compile(r"[ \t]*[\"']?([\w.\-\[\]]*)")
_REVERSED_USERINFO = re.compile(r"[^\s/?#@]*")
_SPACES = re.compile(r"[ \t]*")
_QUOTED = re.compile(r"\"[^\"\n]*\"?|'[^'\n]*'?")
_EQUALS_VALUE = re.compile(r"[^\s&;,#\"'<>)\]}]*")
_COLON_VALUE = re.compile(r"[^\n\r,;{}\"'<>]*")
# A value that is itself an HTTP credential, its scheme first: the credential goes too.
_SCHEMED_VALUE = re.compile(r"(?:bearer|basic)[ \t]+(?:\[REDACTED\]|[\w\-.~+/]+=*)", re.IGNORECASE)
# A window of a longer text that ends inside a URL's authority: the user-info may go on past it.
_OPEN_AUTHORITY = re.compile(r"://[^\s/?#@]*\Z")


class Redactor:
    """One set of redaction rules: the default ones, plus a user's keys, patterns and function.

    Args:
        redact: keys to redact besides the rules' (compared without case and separators).
        safe_keys: keys not to redact although a rule says so (``safe_keys=["session"]``).
        patterns: regular expressions; in text, every match is replaced by :data:`REDACTED`.
        text_rule: a function applied to every text after the other rules; if it raises, the
            whole text is redacted.

    """

    def __init__(
        self,
        *,
        redact: Iterable[str] = (),
        safe_keys: Iterable[str] = (),
        patterns: Iterable[str | re.Pattern[str]] = (),
        text_rule: TextRule | None = None,
    ) -> None:
        self.redact_keys: frozenset[str] = frozenset(_compact(key) for key in redact)
        self.safe_keys: frozenset[str] = frozenset(_compact(key) for key in safe_keys)
        self.patterns: tuple[re.Pattern[str], ...] = tuple(
            pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
            for pattern in patterns
        )
        self.text_rule = text_rule
        self._always_scrub = bool(self.patterns) or text_rule is not None
        self._keys: dict[str, bool] = {}
        # How every secret key ends (its last word, in lower case): most keys end otherwise and
        # are told apart without cutting them into words.
        self._endings = tuple(
            sorted(_SECRET_ENDINGS | {words[-1] for words in map(key_words, redact) if words})
        )

    # -- keys ---------------------------------------------------------------------------------

    def is_secret(self, key: str) -> bool:
        """Whether the value under ``key`` is redacted."""
        known = self._keys.get(key)
        if known is None:
            if not key.lower().rstrip(_NOT_LETTERS).endswith(self._endings):
                return False  # its last word is none of the secret ones
            words = key_words(key)
            compact = "".join(words)
            known = compact not in self.safe_keys and (
                compact in self.redact_keys or _is_secret_by_rule(words)
            )
            if len(self._keys) < _KEY_CACHE_SIZE:  # bounded: keys may come from untrusted data
                self._keys[key] = known
        return known

    # -- text ---------------------------------------------------------------------------------

    def scrub(self, text: str, *, cut: bool = False) -> str:
        """``text`` with every secret it holds replaced by :data:`REDACTED`.

        ``cut``: ``text`` is the start of a longer text, so what it ends with may go on: a URL
        authority still open at its end is redacted as if it held user-info.
        """
        scrubbed = self._scrub_builtin(text)
        if cut and "://" in scrubbed:
            scrubbed = _OPEN_AUTHORITY.sub("://" + REDACTED, scrubbed)
        for pattern in self.patterns:
            scrubbed = pattern.sub(REDACTED, scrubbed)
        if self.text_rule is not None:
            try:
                scrubbed = str(self.text_rule(scrubbed))
            except Exception:  # a user's rule that fails must not let the text through
                return REDACTED
        return scrubbed

    def _scrub_builtin(self, text: str) -> str:
        # Plain substring tests first: most texts hold none of these, and skip the scans.
        if "earer" in text or "asic" in text or "EARER" in text or "ASIC" in text:
            text = _AUTH.sub(_keep_scheme, text)
        if "=" in text or ":" in text or "@" in text:
            text = self._scrub_pairs(text)
        return text

    def _scrub_pairs(self, text: str) -> str:
        parts: list[str] = []
        position = 0  # everything before it is in parts, scrubbed
        reversed_text = ""
        length = len(text)
        for separator in _SEPARATOR.finditer(text):
            at = separator.start()
            if at < position:
                continue  # inside a value already redacted
            if not reversed_text:
                reversed_text = text[::-1]
            if text[at] == "@":
                run = _REVERSED_USERINFO.match(reversed_text, length - at)
                assert run is not None  # the pattern matches the empty text too
                start = max(length - run.end(), position)
                if text[start - 3 : start] != "://":
                    continue
                user, colon, _ = text[start:at].partition(":")
                parts.append(text[position:start])
                parts.append(f"{user}:{REDACTED}" if colon else REDACTED)
                position = at
                continue
            name = _REVERSED_NAME.match(reversed_text, length - at)
            assert name is not None  # the pattern matches the empty text too
            if not name.group(1) or not self.is_secret(name.group(1)[::-1]):
                continue
            begin = _SPACES.match(text, at + 1)
            assert begin is not None  # the pattern matches the empty text too
            value_at = begin.end()
            value = (
                _QUOTED.match(text, value_at)
                or _SCHEMED_VALUE.match(text, value_at)
                or (_EQUALS_VALUE if text[at] == "=" else _COLON_VALUE).match(text, value_at)
            )
            assert value is not None  # the unquoted patterns match the empty text too
            found = value.group()
            if not found.strip():
                continue
            parts.append(text[position:value_at])
            quote = found[0]
            parts.append(f"{quote}{REDACTED}{quote}" if quote in "'\"" else REDACTED)
            position = value.end()
        if not parts:
            return text
        parts.append(text[position:])
        return "".join(parts)


def _keep_scheme(match: re.Match[str]) -> str:
    return match.group(1) + REDACTED
