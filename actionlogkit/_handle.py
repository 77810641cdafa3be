"""The handle a ``with recorder.action(...)`` block gets."""

from __future__ import annotations

from typing import Any

__all__ = ["UNSET", "Action"]

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET", "__slots__": ()})()
"""Marks a handle field the code did not set (``None`` is a value: record nothing)."""


class Action:
    """The handle of one recorded action: set what the record should say, or mark it failed.

    ``act.response = …``, ``act.entity_id = …`` and ``act.payload = …`` override the action's
    sources; ``act.metadata["key"] = …`` adds metadata; ``act.fail("HTTP 422 …")`` records the
    action as ``failed`` with that message, without raising.
    """

    __slots__ = ("_entity_id", "_failure", "_notes", "_payload", "_response", "metadata")

    def __init__(self) -> None:
        self._entity_id: Any = UNSET
        self._payload: Any = UNSET
        self._response: Any = UNSET
        self._failure: str | None = None
        self._notes: dict[str, Any] | None = None
        self.metadata: dict[str, Any] = {}

    @property
    def entity_id(self) -> Any:
        """The entity id to record (``None`` until set)."""
        return None if self._entity_id is UNSET else self._entity_id

    @entity_id.setter
    def entity_id(self, value: Any) -> None:
        self._entity_id = value

    @property
    def payload(self) -> Any:
        """The payload to record (``None`` until set)."""
        return None if self._payload is UNSET else self._payload

    @payload.setter
    def payload(self, value: Any) -> None:
        self._payload = value

    @property
    def response(self) -> Any:
        """The response to record (``None`` until set)."""
        return None if self._response is UNSET else self._response

    @response.setter
    def response(self, value: Any) -> None:
        self._response = value

    def fail(self, message: str) -> None:
        """Record the action as ``failed`` with ``message`` as its ``errorMessage``."""
        self._failure = str(message)

    @property
    def failed(self) -> bool:
        """Whether :meth:`fail` was called."""
        return self._failure is not None

    def note(self, key: str, value: Any) -> None:
        """Add metadata that the recorder itself writes (after the size cap)."""
        if self._notes is None:
            self._notes = {}
        self._notes[key] = value

    def __repr__(self) -> str:
        state = f"failed: {self._failure!r}" if self._failure is not None else "ok"
        return f"<Action {state}>"
