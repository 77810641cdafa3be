"""The text a search term is looked for in, folded once by Python for every backend.

Databases fold case differently from ``str.casefold`` (``ß``, ``ẞ``, the Kelvin sign, final
sigma), so the fields are folded here, as the term is by the parser, and every store looks for the
term in what this gives: the memory store keeps the text beside each record, the SQL backend
stores it in a column, the MongoDB backend stores its four parts.
"""

from __future__ import annotations

from actionlogkit.models import ActionLog

__all__ = ["SEARCH_FIELDS", "search_fields", "search_text"]

SEARCH_FIELDS: tuple[str, ...] = ("integrationId", "entityType", "entityId", "errorMessage")
"""The fields a search term is looked for in."""


def search_fields(record: ActionLog) -> tuple[str, str, str, str]:
    """The four search fields of a record, case-folded, an absent field as empty text."""
    return (
        record.integration_id.casefold(),
        record.entity_type.casefold(),
        (record.entity_id or "").casefold(),
        (record.error_message or "").casefold(),
    )


def search_text(record: ActionLog) -> str:
    """The text a search term is looked for in: the case-folded search fields joined by NUL.

    NUL never occurs in stored text nor in a search term, so a term found in this text was found
    inside one field. Backends that cannot fold case exactly as Python does store this text.
    """
    return "\x00".join(search_fields(record))
