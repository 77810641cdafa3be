"""The module-level recorder's functions, like the ``logging`` module's root logger.

``actionlogkit.action(...)`` decorates with the default recorder, looked up at each call, so a
function decorated at import time writes wherever :func:`configure` points later. Until then the
default recorder keeps its records in a :class:`~actionlogkit.MemoryStore`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from actionlogkit.recorder._options import ActionOptions, takes_action_options
from actionlogkit.recorder._recorder import (
    Recorder,
    default_recorder,
    default_sink,
    replace_default,
)
from actionlogkit.recorder._spec import ActionSpec
from actionlogkit.store import Store

__all__ = ["action", "configure", "get_recorder", "using_recorder"]


def get_recorder() -> Recorder:
    """The default recorder (a ``MemoryStore`` one until :func:`configure` is called)."""
    return default_recorder()


def configure(store_or_url: Store | str, **options: Any) -> Recorder:
    """Point the default recorder at a store or URL; return the new recorder.

    ``options`` are those of :class:`~actionlogkit.Recorder` (``mode``, ``integration_id``,
    ``redact``, …). The previous default recorder is closed (flushed first).
    """
    recorder = Recorder(store_or_url, **options)
    previous = replace_default(recorder)
    if previous is not None:
        previous.close()
    return recorder


@contextmanager
def using_recorder(recorder: Recorder) -> Iterator[Recorder]:
    """Make ``recorder`` the default recorder within a ``with`` block; the previous one returns.

    Unlike :func:`configure`, the previous default recorder is neither closed nor flushed, and
    ``recorder`` is not closed at the end: for tests, and for code that records into a store of
    its own for a while. Blocks nest; they are not for several threads at once (the default
    recorder is one for the whole process).
    """
    previous = replace_default(recorder)
    try:
        yield recorder
    finally:
        replace_default(previous)


@takes_action_options(ActionOptions)
def action(options: ActionOptions) -> ActionSpec:
    """:meth:`Recorder.action <actionlogkit.Recorder.action>` on the default recorder.

    The default recorder is looked up at each call, so :func:`configure` may come later.
    """
    return ActionSpec(options, default_sink)
