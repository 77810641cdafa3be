"""``RecordBuilder``: turning a call's event into the record to store.

Binding the arguments, evaluating the sources, running the capture pipeline and assembling the
:class:`~actionlogkit.models.ActionLog` all happen here, on the thread that writes (sync mode) or
on the writer's preparing thread (background mode), never on the caller's side of a
background-recorded call. A source or a value that fails never fails the record: the failure is
noted in ``metadata.captureErrors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from actionlogkit import _ids, _time
from actionlogkit._redaction import REDACTED
from actionlogkit._rules import repair_text
from actionlogkit.errors import NoResult
from actionlogkit.models import MAX_ERROR_MESSAGE, MAX_ID_TEXT, ActionLog, Status, assemble
from actionlogkit.recorder._action import UNSET, Action
from actionlogkit.recorder._call import Call
from actionlogkit.recorder._call_state import CallEvent, Snapshot, Step, error_text
from actionlogkit.recorder._capture import Capture, Captured, Truncation
from actionlogkit.recorder._sources import NOTHING, Source
from actionlogkit.recorder._target import Target

__all__ = ["RecordBuilder", "bounded_text"]

_NOTHING = Captured(None, None, 0)
# An enum member read from its class costs a lookup through the class on every record.
_FINAL, _PENDING, _RETRYING = Step.FINAL, Step.PENDING, Step.RETRYING
_SUCCESS, _FAILED = Status.SUCCESS, Status.FAILED

_RECORD_FIELDS = frozenset(ActionLog.model_fields)
_CAPTURE_ERROR_TEXT = 1024
_SCRUB_MARGIN = 256
_RECORD_OVERHEAD = 256
"""Bytes a record takes besides its payload, response, metadata and texts."""
_SOURCES_KEPT = 4096
"""The most sources whose secrecy one builder remembers (one per decorated function and field)."""


def bounded_text(text: str, limit: int, capture: Capture | None = None) -> str:
    """``text`` made storable, scrubbed of secrets, and cut to ``limit`` characters.

    An ellipsis marks the cut. Only the part that can be kept is read (and a margin past it, so
    that a secret crossing the cut is seen whole and redacted before the cut).
    """
    if len(text) <= limit:
        text = repair_text(text)
        return text if capture is None else capture.redactor.scrub(text)
    window = repair_text(text[: limit + _SCRUB_MARGIN])
    if capture is not None:
        window = capture.redactor.scrub(window, cut=True)
    return window if len(window) <= limit else window[: limit - 1] + "…"


def _shared_id(token: list[str | None]) -> str:
    """The id of every record of one call, taken when its first record is built.

    The later records replace the pending one by it. Events are built in the order they are
    written (on one thread), so the first built is the first written.
    """
    shared = token[0]
    if shared is None:
        shared = token[0] = _ids.new_id()
    return shared


def _entity_text(value: Any, capture: Capture) -> str | None:
    if value is None:
        return None
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # a broken __str__ gives no entity id rather than no record
        return None
    return bounded_text(text, MAX_ID_TEXT, capture) or None


class RecordBuilder:
    """Builds records with one recorder's capture settings and default ``integrationId``."""

    def __init__(self, capture: Capture, integration_id: str | None) -> None:
        self.capture = capture
        self.integration_id = integration_id
        # Source -> whether it reads from under a secret name: fixed for a source and these
        # redaction rules, and asked for every record.
        self._secret_sources: dict[Source, bool] = {}

    def _reads_a_secret(self, source: Source) -> bool:
        """Whether a source reads an argument (or a key or attribute in it) whose name is secret."""
        if source.kind != "arg":
            return False
        known = self._secret_sources.get(source)
        if known is None:
            is_secret = self.capture.is_secret
            known = is_secret(source.value) or any(map(is_secret, source.path))
            if len(self._secret_sources) < _SOURCES_KEPT:
                self._secret_sources[source] = known
        return known

    def _value(
        self, source: Source, call: Call, default: Any, field: str, problems: dict[str, str]
    ) -> Any:
        """The source's value for ``call``; ``None`` if it fails (noted in ``problems``)."""
        if source is NOTHING:
            return None
        if self._reads_a_secret(source):
            return REDACTED  # read from under a secret name: redacted like the value under that key
        try:
            return source.evaluate(call, default)
        except NoResult:
            return None
        except Exception as exc:  # a source must never break the call or the record
            if call.error is None:
                problems[field] = error_text(exc)
            return None

    def snapshot(
        self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Snapshot | None:
        """The payload captured as the call starts; ``None`` if its source fails (noted later)."""
        call = Call(target.binder.bind(args, kwargs), None, None)
        if self._reads_a_secret(target.payload):
            return self.capture.capture(REDACTED)
        try:
            value = target.payload.evaluate(call, call.arguments)
        except Exception:  # the source is evaluated again, and its failure noted, at the end
            return None
        return self.capture.capture(value)

    def build(self, event: CallEvent, written: datetime) -> ActionLog:
        """The record of ``event``, with a new id, stamped as written at ``written``.

        ``createdAt`` is when the call started. Every field is already what the model allows (the
        capture pipeline keeps the JSON rules), so the record is assembled without being
        validated a second time.
        """
        return self.build_sized(event, written)[0]

    def build_sized(self, event: CallEvent, written: datetime) -> tuple[ActionLog, int]:
        """:meth:`build`, and about how many bytes the record takes (for the queue's budget)."""
        (
            step,
            target,
            args,
            kwargs,
            result,
            error,
            started,
            elapsed,
            retries,
            handle,
            token,
            snap,
        ) = event
        final = step is _FINAL
        if final and error is None and handle is not None:
            error = handle.failure
        arguments = target.binder.bind(args, kwargs or {}) if args is not None else {}
        # Before the final record there is no result: result sources give nothing yet.
        call = Call(arguments, result if final else None, error if final else "pending")
        problems: dict[str, str] = {}
        truncated: dict[str, Truncation] = {}
        capture = self.capture
        given = UNSET if handle is None else handle.given("payload")
        if given is not UNSET:
            payload = capture.capture(given)
        elif snap is not None:
            payload = snap
        else:
            raw = self._value(target.payload, call, arguments, "payload", problems)
            payload = capture.capture(raw)
        if payload.truncated is not None:
            truncated["payload"] = payload.truncated
        given = UNSET if handle is None else handle.given("response")
        if given is not UNSET:
            response = capture.capture(given)
        elif final:
            raw = self._value(target.response, call, result, "response", problems)
            response = capture.capture(raw)
        else:
            response = _NOTHING
        if response.truncated is not None:
            truncated["response"] = response.truncated
        entity = UNSET if handle is None else handle.given("entity_id")
        if entity is UNSET:
            entity = self._value(target.entity, call, None, "entityId", problems)
        options = target.options
        if options.metadata_source is NOTHING and handle is None and not truncated and not problems:
            metadata = _NOTHING  # the common case, without the merging below
        else:
            metadata = self._metadata(target, call, handle, problems, truncated)

        status, error_message = self._outcome(step, error)
        entity_id = _entity_text(entity, capture)
        created = _time.from_seconds(started)
        record = assemble(
            ActionLog,
            {
                "id": _ids.new_id() if token is None else _shared_id(token),
                "integration_id": options.integration_id or self.integration_id or "default",
                "action_type": options.action_type,
                "entity_type": options.entity_type,
                "entity_id": entity_id,
                "status": status,
                "payload": payload.value,
                "response": response.value,
                "error_message": error_message,
                "retry_count": retries,
                "execution_time": None if elapsed is None else max(elapsed * 1000.0, 0.0) + 0.0,
                "metadata": metadata.value,
                "created_at": created,
                "updated_at": written if created < written else created,
            },
            set(_RECORD_FIELDS),
        )
        size = _RECORD_OVERHEAD + payload.size + response.size + metadata.size
        if error_message is not None:
            size += len(error_message)
        return record, size

    def _outcome(self, step: Step, error: str | None) -> tuple[Status, str | None]:
        """The record's status and its ``errorMessage`` (scrubbed and cut)."""
        if step is _PENDING:
            return Status.PENDING, None
        if error is None:
            return (Status.RETRYING if step is _RETRYING else _SUCCESS), None
        status = Status.RETRYING if step is _RETRYING else _FAILED
        return status, bounded_text(error, MAX_ERROR_MESSAGE, self.capture)

    def _metadata(
        self,
        target: Target,
        call: Call,
        handle: Action | None,
        problems: dict[str, str],
        truncated: dict[str, Truncation],
    ) -> Captured:
        capture = self.capture
        given = self._value(target.options.metadata_source, call, None, "metadata", problems)
        if handle is not None and handle.metadata:
            if given is None:
                given = handle.metadata
            elif isinstance(given, Mapping):
                given = {**given, **handle.metadata}
            else:
                given = {"value": given, **handle.metadata}
        metadata = capture.capture(given)
        if metadata.truncated is not None:
            truncated["metadata"] = metadata.truncated
        # The recorder's own notes come after the cap, so that they are always there.
        notes: dict[str, Any] = dict(handle.notes) if handle is not None else {}
        if truncated:
            notes["truncated"] = truncated
        if problems:
            notes["captureErrors"] = {
                key: bounded_text(text, _CAPTURE_ERROR_TEXT) for key, text in problems.items()
            }
        if not notes:
            return metadata
        return Captured(
            {**(metadata.value or {}), **capture.json_safe(notes)},
            metadata.truncated,
            metadata.size + 256,
        )
