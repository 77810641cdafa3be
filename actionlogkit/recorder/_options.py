"""``ActionOptions``: the options of one action, defined once for every way of asking for one.

``recorder.action(...)``, ``actionlogkit.action(...)`` and the options object itself take the
same parameters: the two functions are made by :func:`takes_action_options` from this class, so
their signature (for type checkers and for ``help()``) is the dataclass's own, written once.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from actionlogkit._rules import text_problem
from actionlogkit.errors import ConfigurationError
from actionlogkit.models import MAX_ID_TEXT, ActionType
from actionlogkit.recorder._action import UNSET
from actionlogkit.recorder._call import Call
from actionlogkit.recorder._retry import Backoff, RetryOn, RetryPolicy
from actionlogkit.recorder._sources import NOTHING, Source

__all__ = [
    "ActionOptions",
    "check_count",
    "check_name",
    "takes_action_options",
    "takes_action_options_after_self",
]

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


def check_name(option: str, value: object, *, required: bool) -> str | None:
    """Check an ``integrationId`` or ``entityType`` given as an option."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{option}: expected non-empty text, got {value!r}")
    if len(value) > MAX_ID_TEXT:
        raise ConfigurationError(f"{option}: at most {MAX_ID_TEXT} characters")
    problem = text_problem(value)
    if problem:
        raise ConfigurationError(f"{option}: {problem}")
    return value


def check_count(option: str, value: object, least: int) -> int:
    """Check an integer option with a lower bound."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigurationError(f"{option}: expected an integer ≥ {least}, got {value!r}")
    return value


def _check_action_type(value: object) -> ActionType:
    try:
        return ActionType(value)
    except ValueError:
        allowed = ", ".join(member.value for member in ActionType)
        raise ConfigurationError(f"action_type: expected one of {allowed}; got {value!r}") from None


def _metadata_source(value: object) -> Source:
    if value is None:
        return NOTHING
    if isinstance(value, Mapping):
        return Source("const", dict(value))
    if callable(value):
        return Source("call", value)
    raise ConfigurationError(f"metadata: expected a mapping or a callable, got {value!r}")


@dataclass(frozen=True, eq=False)
class ActionOptions:
    """What to record of an action, and how to run it.

    Args:
        action_type: ``create``, ``update``, ``delete``, ``sync`` or ``webhook``.
        entity_type: the ``entityType`` of the records (``"product"``).
        entity_id: the ``entityId``: a constant, the name of an argument (or a dotted path into
            one: ``"product.sku"``), or a callable receiving the :class:`Call`.
        integration_id: the ``integrationId``; defaults to the recorder's.
        payload: what to record as ``payload`` (as ``entity_id``); defaults to the arguments.
        response: what to record as ``response`` (as ``entity_id``); defaults to the result.
        capture_payload: ``False`` records no payload.
        capture_response: ``False`` records no response.
        retries: how many more attempts a failed call gets (decorated functions only).
        retry_on: the exception classes, or a predicate over the exception, that are retried.
        backoff: seconds before retry ``n``: ``b`` waits ``b * 2**(n-1)``; a callable gets ``n``.
        record_pending: write a ``pending`` record when the call starts, updated as it goes.
        metadata: a mapping, or a callable receiving the :class:`Call`, recorded as ``metadata``.
        snapshot_payload: capture the payload when the call starts (``None``: the recorder's
            setting).

    Raises:
        ConfigurationError: an option is unusable; the message names it.

    """

    action_type: ActionType | str
    _: KW_ONLY
    entity_type: str
    entity_id: Any = None
    integration_id: str | None = None
    payload: Any = UNSET
    response: Any = UNSET
    capture_payload: bool = True
    capture_response: bool = True
    retries: int = 0
    retry_on: RetryOn = (Exception,)
    backoff: Backoff = 0.1
    record_pending: bool = False
    metadata: Mapping[str, Any] | Callable[[Call], Any] | None = None
    snapshot_payload: bool | None = None
    # Derived from the above, once: the wrappers read them on every call.
    retry: RetryPolicy = field(init=False, repr=False)
    metadata_source: Source = field(init=False, repr=False)
    simple: bool = field(init=False, repr=False)
    """One attempt, one write at the end, nothing captured up front: the hot path's test."""

    def __post_init__(self) -> None:
        given = {
            "action_type": _check_action_type(self.action_type),
            "entity_type": check_name("entity_type", self.entity_type, required=True),
            "integration_id": check_name("integration_id", self.integration_id, required=False),
            "capture_payload": bool(self.capture_payload),
            "capture_response": bool(self.capture_response),
            "record_pending": bool(self.record_pending),
            "snapshot_payload": None
            if self.snapshot_payload is None
            else bool(self.snapshot_payload),
            "retry": RetryPolicy(self.retries, self.retry_on, self.backoff),
            "metadata_source": _metadata_source(self.metadata),
        }
        for name, value in given.items():
            object.__setattr__(self, name, value)
        simple = not self.retries and not self.record_pending and not self.snapshot_payload
        object.__setattr__(self, "simple", simple)


def _signature_of_options(returns: object, *, after_self: bool) -> inspect.Signature:
    signature = inspect.signature(ActionOptions)
    parameters = list(signature.parameters.values())
    if after_self:
        parameters.insert(0, inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD))
    return signature.replace(parameters=parameters, return_annotation=returns)


def _document(function: Callable[..., Any], build: Callable[..., Any], *, after_self: bool) -> None:
    """Give ``function`` the signature of the options and a docstring that describes each one."""
    function.__signature__ = _signature_of_options(  # type: ignore[attr-defined]
        inspect.signature(build).return_annotation, after_self=after_self
    )
    options_doc = inspect.getdoc(ActionOptions) or ""
    described = options_doc[options_doc.index("Args:") :] if "Args:" in options_doc else ""
    function.__doc__ = f"{inspect.getdoc(build) or ''}\n\n{described}".strip()
    # help() and inspect.signature read the signature above, not build's own.
    del function.__wrapped__  # type: ignore[attr-defined]


def takes_action_options(
    options: Callable[P, ActionOptions],
) -> Callable[[Callable[[ActionOptions], R]], Callable[P, R]]:
    """Make ``build(options)`` a function taking the parameters of ``options`` (the class).

    ``@takes_action_options(ActionOptions)``: type checkers see the class's parameters, and
    ``help()`` shows them with their descriptions.
    """

    def decorate(build: Callable[[ActionOptions], R]) -> Callable[P, R]:
        @functools.wraps(build)
        def taking_options(*args: P.args, **kwargs: P.kwargs) -> R:
            return build(options(*args, **kwargs))

        _document(taking_options, build, after_self=False)
        return taking_options

    return decorate


def takes_action_options_after_self(
    options: Callable[P, ActionOptions],
) -> Callable[[Callable[[S, ActionOptions], R]], Callable[Concatenate[S, P], R]]:
    """The method version of :func:`takes_action_options`: ``build(self, options)``."""

    def decorate(build: Callable[[S, ActionOptions], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(build)
        def taking_options(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return build(self, options(*args, **kwargs))

        _document(taking_options, build, after_self=True)
        return taking_options

    return decorate
