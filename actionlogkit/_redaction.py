"""Which values are secrets: the redaction rules, for the recorder and the REST API alike.

A value is redacted by the key it sits under: :class:`Redactor` tells whether a key is secret,
comparing keys in one normal form (:func:`normalize_key`) against the default secret keys plus a
user's own, less the keys the user declares safe. What a redacted value becomes,
:data:`REDACTED`, never contains any part of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["DEFAULT_REDACT_KEYS", "REDACTED", "Redactor", "normalize_key"]

REDACTED = "[REDACTED]"
"""What a redacted value becomes; it never contains any part of the value."""
DEFAULT_REDACT_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "authorization",
        "cookie",
        "set-cookie",
        "session",
        "signature",
        "private_key",
        "client_secret",
        "access_token",
        "refresh_token",
        "card number",
    }
)
"""Keys whose values are redacted by default (compared by :func:`normalize_key`)."""

_KEY_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_key(key: str) -> str:
    """The form keys are compared in: case-folded, without spaces, ``_`` and ``-``.

    ``API_KEY``, ``api-key`` and ``apiKey`` are all ``apikey``; ``Card Number`` and
    ``card_number`` are ``cardnumber``.
    """
    return _KEY_SEPARATORS.sub("", key).casefold()


class Redactor:
    """One set of redaction rules: the default secret keys, plus ``redact``, less ``safe_keys``."""

    def __init__(self, *, redact: Iterable[str] = (), safe_keys: Iterable[str] = ()) -> None:
        safe = {normalize_key(key) for key in safe_keys}
        keys = {normalize_key(key) for key in DEFAULT_REDACT_KEYS}
        keys.update(normalize_key(key) for key in redact)
        self.secret_keys: frozenset[str] = frozenset(keys - safe)

    def is_secret(self, key: str) -> bool:
        """Whether the value under ``key`` is redacted."""
        return normalize_key(key) in self.secret_keys
