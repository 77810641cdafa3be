"""``Target``: one decorated function (or ``with`` block) with its sources compiled, once."""

from __future__ import annotations

from actionlogkit.recorder._action import UNSET
from actionlogkit.recorder._options import ActionOptions
from actionlogkit.recorder._sources import DEFAULT, NOTHING, Binder, compile_source

__all__ = ["Target"]


class Target:
    """The options of an action and, for one callable, how to bind its arguments and sources."""

    __slots__ = ("binder", "entity", "options", "payload", "response")

    def __init__(self, options: ActionOptions, binder: Binder, *, block: bool) -> None:
        self.options = options
        self.binder = binder
        names = binder.parameters
        # A with block has no arguments and no return value: nothing to record by default.
        if not options.capture_payload:
            self.payload = NOTHING
        elif options.payload is UNSET:
            self.payload = NOTHING if block else DEFAULT
        else:
            self.payload = compile_source(options.payload, names)
        if not options.capture_response:
            self.response = NOTHING
        elif options.response is UNSET:
            self.response = NOTHING if block else DEFAULT
        else:
            self.response = compile_source(options.response, names)
        self.entity = compile_source(options.entity_id, names)
