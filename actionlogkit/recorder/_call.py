"""``Call``: what a source callable sees of one recorded call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actionlogkit.errors import NoResult

__all__ = ["Call"]


class Call:
    """What a source callable sees of one recorded call.

    ``call["sku"]`` and ``call.arguments`` are the bound arguments (defaults applied, ``self`` and
    ``cls`` left out); ``call.result`` is the return value (:class:`NoResult` if the call raised);
    ``call.error`` the exception's ``"Type: message"`` text, or ``None``.
    """

    __slots__ = ("_result", "arguments", "error")

    def __init__(self, arguments: Mapping[str, Any], result: Any, error: str | None) -> None:
        self.arguments = arguments
        self._result = result
        self.error = error

    def __getitem__(self, name: str) -> Any:
        return self.arguments[name]

    @property
    def result(self) -> Any:
        """The return value of the call (for generators, the value they returned)."""
        if self.error is not None:
            raise NoResult("the call raised; there is no return value")
        return self._result

    def __repr__(self) -> str:
        return f"Call(arguments={dict(self.arguments)!r}, error={self.error!r})"
