"""The recorder's redaction, applied to the bodies the REST API stores (``redact=True``).

A client that writes records over HTTP may send what the recorder would have redacted: a
``password`` key in ``payload``, a bearer credential inside ``errorMessage``. With ``redact=True``
the API applies the same rules (:class:`~actionlogkit._redaction.Redactor` with its defaults)
to ``payload``, ``response``, ``metadata`` and ``errorMessage`` before the store sees them, so
the secret is never written.
"""

from __future__ import annotations

from typing import Any

from actionlogkit._redaction import REDACTED, Redactor
from actionlogkit.models import MAX_ERROR_MESSAGE, ActionLogInput

__all__ = ["redact_record"]

_DOCUMENTS = ("payload", "response", "metadata")


def _free_key(result: dict[str, Any], key: str) -> str:
    number = 2
    while f"{key}~{number}" in result:
        number += 1
    return f"{key}~{number}"


def _redact_value(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.scrub(value)
    if isinstance(value, list):
        name = value[0] if len(value) == 2 else None
        if isinstance(name, str) and redactor.is_secret(name):
            # A (name, value) header pair, as the recorder reads one: ["X-Api-Key", "sk_..."].
            return [redactor.scrub(name), REDACTED]
        return [_redact_value(item, redactor) for item in value]
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for given, inner in value.items():
            # A key may hold a secret too ("Bearer abc…" as a key): it is scrubbed like text,
            # and two keys that become one are kept apart, as the recorder does.
            key = redactor.scrub(given)
            if key in result:
                key = _free_key(result, key)
            secret = redactor.is_secret(given) or redactor.is_secret(key)
            result[key] = REDACTED if secret else _redact_value(inner, redactor)
        return result
    return value  # numbers, booleans and null hold no text


def redact_record(record: ActionLogInput, redactor: Redactor) -> ActionLogInput:
    """``record`` with the secrets of its free-form fields replaced by ``[REDACTED]``."""
    changed: dict[str, Any] = {}
    for name in _DOCUMENTS:
        document = getattr(record, name)
        if document is not None:
            changed[name] = _redact_value(document, redactor)
    if record.error_message is not None:
        # A short secret becomes the longer marker: the text stays within its bound.
        changed["error_message"] = redactor.scrub(record.error_message)[:MAX_ERROR_MESSAGE]
    if not changed:
        return record
    return ActionLogInput.model_validate({**record.model_dump(), **changed})
