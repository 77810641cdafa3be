"""Where a record's ``entityId``, ``payload`` and ``response`` come from.

A source is given to :meth:`Recorder.action` as a constant, the name of an argument of the
decorated function (``"sku"``, or a dotted path into it: ``"product.sku"``), or a callable that
receives a :class:`Call`. Sources are compiled once per decorated function and evaluated when the
record is built (on a writer thread in background mode).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from actionlogkit.recorder._call import Call

__all__ = ["DEFAULT", "NOTHING", "Binder", "Source", "compile_source"]


class Source:
    """A compiled source: ``kind`` is ``"const"``, ``"arg"``, ``"call"`` or ``"default"``."""

    __slots__ = ("kind", "path", "value")

    def __init__(self, kind: str, value: Any = None, path: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.value = value
        self.path = path

    def evaluate(self, call: Call, default: Any) -> Any:
        """The source's value for ``call``; ``default`` for the ``"default"`` kind."""
        kind = self.kind
        if kind == "const":
            return self.value
        if kind == "default":
            return default
        if kind == "arg":
            value = call.arguments[self.value]
            for step in self.path:
                value = value[step] if isinstance(value, Mapping) else getattr(value, step)
            return value
        function: Callable[[Call], Any] = self.value
        return function(call)


DEFAULT = Source("default")
NOTHING = Source("const", None)


def compile_source(given: Any, parameters: frozenset[str]) -> Source:
    """Compile what the user gave; a text naming a parameter (or a path into one) is an argument."""
    if isinstance(given, Source):
        return given
    if isinstance(given, str):
        head, _, rest = given.partition(".")
        if head in parameters:
            return Source("arg", head, tuple(rest.split(".")) if rest else ())
        return Source("const", given)
    if callable(given):
        return Source("call", given)
    return Source("const", given)


_POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
_VAR_KINDS = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


class Binder:
    """Maps the positional and keyword arguments of a call to parameter names, cheaply.

    The signature is read once, when the function is decorated. Plain signatures (positional or
    keyword parameters only) are bound with ``zip``; others with ``Signature.bind_partial``.
    """

    __slots__ = ("defaults", "names", "parameters", "signature", "simple", "skip")

    def __init__(self, func: Callable[..., Any] | None, *, skip_first: bool | None = None) -> None:
        self.signature: inspect.Signature | None = None
        self.names: tuple[str, ...] = ()
        self.defaults: tuple[tuple[str, Any], ...] = ()
        self.simple = False
        self.skip: str | None = None
        if func is None:
            self.parameters: frozenset[str] = frozenset()
            return
        try:
            self.signature = inspect.signature(func)
        except (TypeError, ValueError):  # some builtins and C callables have none
            self.parameters = frozenset()
            return
        params = list(self.signature.parameters.values())
        if params and params[0].kind not in _VAR_KINDS:
            first = params[0].name
            if skip_first or (skip_first is None and first in ("self", "cls")):
                self.skip = first
        self.names = tuple(p.name for p in params)
        self.defaults = tuple((p.name, p.default) for p in params if p.default is not p.empty)
        self.simple = all(p.kind is _POSITIONAL_OR_KEYWORD for p in params)
        self.parameters = frozenset(name for name in self.names if name != self.skip)

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults applied, ``self``/``cls`` left out."""
        if self.simple and len(args) <= len(self.names):
            bound = dict(zip(self.names, args, strict=False))  # fewer arguments than names
            if kwargs:
                bound.update(kwargs)
            if len(bound) < len(self.names):
                for name, default in self.defaults:
                    if name not in bound:
                        bound[name] = default
        elif self.signature is not None:
            try:
                bound_args = self.signature.bind_partial(*args, **kwargs)
            except TypeError:  # the call itself failed the same way; keep what was passed
                return {"args": list(args), "kwargs": dict(kwargs)}
            bound_args.apply_defaults()
            bound = dict(bound_args.arguments)
        else:
            return {"args": list(args), "kwargs": dict(kwargs)}
        if self.skip is not None:
            bound.pop(self.skip, None)
        return bound
