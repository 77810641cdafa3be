"""Who may read and change the logs: bearer tokens, their scopes, and the audit of changes.

Tokens come from a file (``name:scope:token`` a line, ``#`` comments) that is read again when it
changes, so a token is rotated without a restart, or from text holding the same entries separated
by commas (``ACTIONLOGKIT_TOKENS``). The scope ``read`` allows the API's reading routes; ``write``
allows every route. A request's token is compared with every configured token in constant time;
no token is ever logged or put in an answer.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from starlette.exceptions import HTTPException
from starlette.requests import Request

from actionlogkit.errors import ConfigurationError

__all__ = [
    "READ_METHODS",
    "TOKENS_ENV",
    "Access",
    "Scope",
    "TokenEntry",
    "audit",
    "check_tokens",
    "parse_tokens",
    "token_name",
]

TOKENS_ENV = "ACTIONLOGKIT_TOKENS"
"""Where ``actionlogkit serve`` reads tokens from: entries separated by commas."""
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""The methods a ``read`` token may use."""

Scope = Literal["read", "write"]
_SCOPES: tuple[Scope, ...] = ("read", "write")
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_MIN_TOKEN_LENGTH = 16
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_NAME_ON_REQUEST = "actionlogkit_token_name"  # where the request keeps who it is

logger = logging.getLogger("actionlogkit.http")


@dataclass(frozen=True)
class TokenEntry:
    """One configured token: who it is (``name``), what it may do, and its secret."""

    name: str
    scope: Scope
    secret: bytes

    def __repr__(self) -> str:  # the secret never reaches a log or a traceback
        return f"TokenEntry(name={self.name!r}, scope={self.scope!r})"


def _entry(text: str, where: str) -> TokenEntry:
    parts = text.split(":", 2)
    if len(parts) != 3:
        raise ConfigurationError(f"{where}: expected name:scope:token")
    name, scope, secret = (part.strip() for part in parts)
    if not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"{where}: the name is 1 to 64 letters, digits and '_.@-'; got {name[:64]!r}"
        )
    if scope not in _SCOPES:
        raise ConfigurationError(f"{where}: the scope is 'read' or 'write', not {scope[:16]!r}")
    if len(secret) < _MIN_TOKEN_LENGTH or not secret.isprintable() or " " in secret:
        # The token itself is never quoted back: a message may end up in a log.
        raise ConfigurationError(
            f"{where}: the token of {name!r} must be at least {_MIN_TOKEN_LENGTH} printable "
            "characters without spaces"
        )
    return TokenEntry(name, scope, secret.encode())


def parse_tokens(lines: Iterable[str], source: str, unit: str) -> tuple[TokenEntry, ...]:
    """The entries of a token file's lines (or of comma-separated text), checked.

    Blank lines and lines starting with ``#`` are skipped. Raises :class:`ConfigurationError`
    naming the place (``source``, then ``unit`` and its number: "line 3") and the rule; a name
    may appear once.
    """
    entries: list[TokenEntry] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        where = f"{source}, {unit} {number}"
        entry = _entry(text, where)
        if any(known.name == entry.name for known in entries):
            raise ConfigurationError(f"{where}: the name {entry.name!r} repeats")
        entries.append(entry)
    if not entries:
        raise ConfigurationError(f"{source}: no token in it")
    return tuple(entries)


class _TokenFile:
    """A token file, read again whenever its modification time or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._entries: tuple[TokenEntry, ...] = ()
        self.entries()  # a missing or broken file is refused at once

    def _read(self) -> tuple[tuple[int, int], tuple[TokenEntry, ...]]:
        try:
            status = os.stat(self.path)
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"token file {self.path}: {exc.strerror}") from None
        return (status.st_mtime_ns, status.st_size), parse_tokens(
            text.splitlines(), f"token file {self.path}", "line"
        )

    def entries(self) -> tuple[TokenEntry, ...]:
        try:
            status = os.stat(self.path)
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        if stamp is not None and stamp == self._stamp:
            return self._entries
        with self._lock:
            if self._stamp is None:
                self._stamp, self._entries = self._read()
                return self._entries
            try:
                self._stamp, self._entries = self._read()
            except ConfigurationError as exc:
                # A file being rewritten, or broken by hand: the last good tokens stay in force.
                logger.warning("the token file was not reloaded: %s", exc)
            return self._entries


class Access:
    """The token check of one API: the configured tokens, and the FastAPI dependency using them.

    Args:
        token_file: a file of ``name:scope:token`` lines, read again when it changes.
        tokens: entries given directly, as a list or as comma-separated text.
        source: what ``tokens`` is called in error messages (``ACTIONLOGKIT_TOKENS``).

    Raises:
        ConfigurationError: both or neither source is given, or an entry breaks a rule.

    """

    def __init__(
        self,
        *,
        token_file: str | os.PathLike[str] | None = None,
        tokens: Iterable[str] | str | None = None,
        source: str = "tokens",
    ) -> None:
        if (token_file is None) == (tokens is None):
            raise ConfigurationError("give tokens either as token_file or as tokens, one of them")
        self._file: _TokenFile | None = None
        self._fixed: tuple[TokenEntry, ...] = ()
        if token_file is not None:
            self._file = _TokenFile(Path(token_file))
        else:
            given = tokens.split(",") if isinstance(tokens, str) else list(tokens or ())
            self._fixed = parse_tokens(given, source, "entry")

    def entries(self) -> tuple[TokenEntry, ...]:
        """The tokens in force now."""
        return self._file.entries() if self._file is not None else self._fixed

    def holder(self, presented: bytes) -> TokenEntry | None:
        """The entry whose secret is ``presented``, compared with all of them in constant time."""
        found = None
        for entry in self.entries():
            # Every entry is compared, whatever matched before: the time taken says nothing.
            if hmac.compare_digest(entry.secret, presented):
                found = entry
        return found

    def __call__(self, request: Request) -> None:
        """The dependency: 401 without a valid bearer token, 403 for a read token writing."""
        header = request.headers.get("authorization", "")
        kind, _, presented = header.partition(" ")
        if kind.lower() != "bearer" or not presented.strip():
            raise HTTPException(401, "a bearer token is required", headers=_CHALLENGE)
        entry = self.holder(presented.strip().encode())
        if entry is None:
            raise HTTPException(401, "the bearer token is not valid", headers=_CHALLENGE)
        if entry.scope == "read" and request.method not in READ_METHODS:
            raise HTTPException(403, f"the token {entry.name!r} may only read")
        setattr(request.state, _NAME_ON_REQUEST, entry.name)


def check_tokens(
    *,
    token_file: str | os.PathLike[str] | None = None,
    tokens: Iterable[str] | str | None = None,
    source: str = "tokens",
) -> tuple[tuple[str, Scope], ...]:
    """The names and scopes of the tokens ``token_file`` or ``tokens`` configure, checked.

    Raises :class:`ConfigurationError` as :class:`Access` does (``source`` names ``tokens`` in
    its messages), so that a command refuses bad tokens before it opens anything.
    """
    access = Access(token_file=token_file, tokens=tokens, source=source)
    return tuple((entry.name, entry.scope) for entry in access.entries())


def token_name(request: Request) -> str | None:
    """The name of the token that authorized ``request``, if any."""
    name = getattr(request.state, _NAME_ON_REQUEST, None)
    return name if isinstance(name, str) else None


def audit(request: Request, record_id: str | None) -> None:
    """Log who changed what: the token's name, the route and the record id, never the token."""
    name = token_name(request)
    if name is None:
        return
    logger.info(
        "%s %s by token %r: record %s",
        request.method,
        request.url.path,
        name,
        record_id or "-",
    )
