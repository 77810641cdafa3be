"""``Action``: the handle a ``with recorder.action(...)`` block (and a recorded generator) gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["UNSET", "Action", "Overridable"]

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET", "__slots__": ()})()
"""Marks a handle field the code did not set (``None`` is a value: record nothing)."""

Overridable = Literal["entity_id", "payload", "response"]
"""The fields a handle may set in place of the action's sources."""


class Action:
    """The handle of one recorded action: set what the record should say, or mark it failed.

    ``act.response = …``, ``act.entity_id = …`` and ``act.payload = …`` override the action's
    sources; ``act.metadata["key"] = …`` adds metadata; ``act.fail("HTTP 422 …")`` records the
    action as ``failed`` with that message, without raising.
    """

    __slots__ = ("_failure", "_notes", "_set", "metadata")

    def __init__(self) -> None:
        self._set: dict[str, Any] = {}
        self._failure: str | None = None
        self._notes: dict[str, Any] | None = None
        self.metadata: dict[str, Any] = {}

    def given(self, name: Overridable) -> Any:
        """What the code set for ``name`` (``entity_id``, ``payload``, ``response``), else UNSET."""
        return self._set.get(name, UNSET)

    @property
    def entity_id(self) -> Any:
        """The entity id to record (``None`` until set)."""
        return self._set.get("entity_id")

    @entity_id.setter
    def entity_id(self, value: Any) -> None:
        self._set["entity_id"] = value

    @property
    def payload(self) -> Any:
        """The payload to record (``None`` until set)."""
        return self._set.get("payload")

    @payload.setter
    def payload(self, value: Any) -> None:
        self._set["payload"] = value

    @property
    def response(self) -> Any:
        """The response to record (``None`` until set)."""
        return self._set.get("response")

    @response.setter
    def response(self, value: Any) -> None:
        self._set["response"] = value

    def fail(self, message: str) -> None:
        """Record the action as ``failed`` with ``message`` as its ``errorMessage``."""
        self._failure = str(message)

    @property
    def failed(self) -> bool:
        """Whether :meth:`fail` was called."""
        return self._failure is not None

    @property
    def failure(self) -> str | None:
        """The message given to :meth:`fail`, or ``None``."""
        return self._failure

    def note(self, key: str, value: Any) -> None:
        """Add metadata that the recorder itself writes (after the size cap)."""
        if self._notes is None:
            self._notes = {}
        self._notes[key] = value

    @property
    def notes(self) -> Mapping[str, Any]:
        """What :meth:`note` added."""
        return self._notes or {}

    def __repr__(self) -> str:
        state = f"failed: {self._failure!r}" if self._failure is not None else "ok"
        return f"<Action {state}>"
