"""The module-level recorder, like the ``logging`` module's root logger.

``actionlogkit.action(...)`` decorates with the default recorder, looked up at each call, so a
function decorated at import time writes wherever :func:`configure` points later. Until then the
default recorder keeps its records in a :class:`~actionlogkit.MemoryStore`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from actionlogkit._handle import UNSET
from actionlogkit._sources import Call
from actionlogkit.models import ActionType

if TYPE_CHECKING:
    from actionlogkit._action import ActionSpec, Backoff, RetryOn
    from actionlogkit._recorder import Recorder
    from actionlogkit.store import Store

__all__ = ["action", "configure", "default_recorder", "get_recorder"]

_slot: list[Recorder] = []
_lock = threading.Lock()


def default_recorder() -> Recorder:
    """The default recorder, made on first use (a ``MemoryStore`` one, in sync mode)."""
    if _slot:
        return _slot[0]
    with _lock:
        if not _slot:
            from actionlogkit._recorder import Recorder
            from actionlogkit.memory import MemoryStore

            _slot.append(Recorder(MemoryStore()))
        return _slot[0]


def get_recorder() -> Recorder:
    """The default recorder (a ``MemoryStore`` one until :func:`configure` is called)."""
    return default_recorder()


def configure(store_or_url: Store | str, **options: Any) -> Recorder:
    """Point the default recorder at a store or URL; return the new recorder.

    ``options`` are those of :class:`~actionlogkit.Recorder` (``mode``, ``integration_id``,
    ``redact``, …). The previous default recorder is closed (flushed first).
    """
    from actionlogkit._recorder import Recorder

    recorder = Recorder(store_or_url, **options)
    with _lock:
        previous = _slot[0] if _slot else None
        _slot[:] = [recorder]
    if previous is not None:
        previous.close()
    return recorder


def action(
    action_type: ActionType | str,
    *,
    entity_type: str,
    entity_id: Any = None,
    integration_id: str | None = None,
    payload: Any = UNSET,
    response: Any = UNSET,
    capture_payload: bool = True,
    capture_response: bool = True,
    retries: int = 0,
    retry_on: RetryOn = (Exception,),
    backoff: Backoff = 0.1,
    record_pending: bool = False,
    metadata: Mapping[str, Any] | Callable[[Call], Any] | None = None,
    snapshot_payload: bool | None = None,
) -> ActionSpec:
    """:meth:`Recorder.action <actionlogkit.Recorder.action>` on the default recorder.

    The default recorder is looked up at each call, so :func:`configure` may come later.
    """
    from actionlogkit._action import ActionSpec

    return ActionSpec(
        None,
        action_type,
        entity_type=entity_type,
        entity_id=entity_id,
        integration_id=integration_id,
        payload=payload,
        response=response,
        capture_payload=capture_payload,
        capture_response=capture_response,
        retries=retries,
        retry_on=retry_on,
        backoff=backoff,
        record_pending=record_pending,
        metadata=metadata,
        snapshot_payload=snapshot_payload,
    )
