"""Record ids: 24 lowercase hex characters in MongoDB's ObjectId layout.

4 bytes of seconds since the epoch, 5 random bytes drawn once per process, and a 3-byte counter
starting at a random value. Ids made by one process therefore increase in creation order, which
keeps the ``_id`` tie-break of the query language close to insertion order.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import time

__all__ = ["is_valid_id", "new_id"]

_ID_RE = re.compile(r"[0-9a-f]{24}")
_lock = threading.Lock()
_process_bytes = os.urandom(5)
_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))


def _reseed_after_fork() -> None:
    # A forked child must not hand out the same ids as its parent.
    global _process_bytes, _counter  # noqa: PLW0603 - module state is what a fork must renew
    _process_bytes = os.urandom(5)
    _counter = itertools.count(int.from_bytes(os.urandom(3), "big"))


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed_after_fork)


def new_id() -> str:
    """Return a new, process-unique record id."""
    seconds = int(time.time()) & 0xFFFFFFFF
    with _lock:
        count = next(_counter) & 0xFFFFFF
    return (seconds.to_bytes(4, "big") + _process_bytes + count.to_bytes(3, "big")).hex()


def is_valid_id(value: object) -> bool:
    """Tell whether ``value`` is a record id (24 lowercase hex characters)."""
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None
