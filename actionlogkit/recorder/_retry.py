"""``RetryPolicy``: whether a failed attempt of a recorded call is tried again, and after how long.

The wrappers run the attempts (a sync loop and an async one: they cannot share code across
``await``); every decision they make comes from here.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass

from actionlogkit.errors import ConfigurationError

__all__ = ["MAX_BACKOFF", "Backoff", "RetryOn", "RetryPolicy"]

RetryOn = tuple[type[BaseException], ...] | type[BaseException] | Callable[[BaseException], bool]
"""Which exceptions are retried: exception classes, or a predicate over the exception."""
Backoff = float | Callable[[int], float]
"""Seconds before retry ``n``: a float ``b`` waits ``b * 2**(n-1)``; a callable gets ``n``."""

MAX_BACKOFF = 30.0
"""The longest wait before a retry, in seconds, whatever ``backoff`` says."""
# Never retried, whatever retry_on says: whoever raised them asked to stop.
_STOPPING = (asyncio.CancelledError, KeyboardInterrupt, SystemExit)


def _check_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"retries: expected an integer ≥ 0, got {value!r}")
    return value


def _check_retry_on(value: object) -> RetryOn:
    if isinstance(value, type) and issubclass(value, BaseException):
        return (value,)
    if isinstance(value, tuple):
        if all(isinstance(kind, type) and issubclass(kind, BaseException) for kind in value):
            return value
    elif callable(value):
        predicate: Callable[[BaseException], bool] = value
        return predicate
    raise ConfigurationError(f"retry_on: expected exception classes or a callable, got {value!r}")


def _check_backoff(value: object) -> Backoff:
    if callable(value):
        function: Callable[[int], float] = value
        return function
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigurationError(f"backoff: expected seconds ≥ 0 or a callable, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``retries`` more attempts for exceptions ``retry_on`` accepts, ``backoff`` apart.

    Raises :class:`ConfigurationError` for an unusable option.
    """

    retries: int = 0
    retry_on: RetryOn = (Exception,)
    backoff: Backoff = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "retries", _check_retries(self.retries))
        object.__setattr__(self, "retry_on", _check_retry_on(self.retry_on))
        object.__setattr__(self, "backoff", _check_backoff(self.backoff))

    def should_retry(self, exc: BaseException, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (from 1), failed with ``exc``, is tried again."""
        if attempt > self.retries or isinstance(exc, _STOPPING):
            return False
        retry_on = self.retry_on
        if isinstance(retry_on, (tuple, type)):
            return isinstance(exc, retry_on)
        try:
            return bool(retry_on(exc))
        except Exception:  # a broken predicate means: do not retry
            return False

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (from 1), at most :data:`MAX_BACKOFF`."""
        backoff = self.backoff
        try:
            seconds = float(backoff(retry) if callable(backoff) else backoff * 2 ** (retry - 1))
        except Exception:  # a broken backoff function must not break the call
            return 0.0
        return min(max(seconds, 0.0), MAX_BACKOFF) if math.isfinite(seconds) else 0.0
