"""The store commands: `serve`, `list`, `export`, `migrate`, `get`, `delete` and `openapi`.

Exit codes and errors as ``_common`` says. FastAPI and uvicorn are imported only by ``serve`` and
``openapi``.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

from actionlogkit._text_table import text_table
from actionlogkit.cli._common import (
    EXIT_FAILED,
    EXIT_USAGE,
    Failure,
    add_query_options,
    add_store_option,
    opened,
    redacted,
    run,
)
from actionlogkit.errors import ConfigurationError
from actionlogkit.models import ActionLog
from actionlogkit.query import DEFAULT_LIMIT, MAX_LIMIT
from actionlogkit.store import Store

__all__ = ["register"]

_CELL_WIDTH = 36
_TABLE_COLUMNS: tuple[tuple[str, Callable[[ActionLog], object]], ...] = (
    ("_id", lambda log: log.id),
    ("createdAt", lambda log: log.model_dump(mode="json", by_alias=True)["createdAt"]),
    ("status", lambda log: log.status.value),
    ("actionType", lambda log: log.action_type.value),
    ("integrationId", lambda log: log.integration_id),
    ("entityType", lambda log: log.entity_type),
    ("entityId", lambda log: log.entity_id),
    ("retryCount", lambda log: log.retry_count),
    # Rounded for reading; --json and get give the exact value.
    (
        "executionTime",
        lambda log: None if log.execution_time is None else round(log.execution_time, 2),
    ),
    ("errorMessage", lambda log: log.error_message),
)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def _record_json(record: ActionLog, indent: int | None = None) -> str:
    if indent is None:
        return record.model_dump_json(by_alias=True)  # the API's JSON, as the REST API writes it
    return json.dumps(
        record.model_dump(mode="json", by_alias=True), indent=indent, ensure_ascii=False
    )


# -- serve -----------------------------------------------------------------------------------------


class _Stopped(Exception):
    """Raised by SIGINT or SIGTERM once the server has shut down."""


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`_Stopped` while the server runs.

    uvicorn shuts down gracefully on these signals and then raises them again for the handlers it
    found installed: with these, ``serve`` closes its store and exits 0 instead of dying of the
    signal (SIGTERM) or with a traceback (Ctrl-C).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _raise_stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _require_http() -> None:
    """Fail clearly when the REST API's extra is missing; only serve and openapi need it."""
    try:
        import uvicorn  # noqa: F401 - imported here only to tell whether the extra is there

        import actionlogkit.http  # noqa: F401 - same
    except ImportError as exc:
        raise Failure(
            f"the REST API needs its extra: pip install 'actionlogkit[http]' ({exc})",
            EXIT_FAILED,
        ) from exc


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only: 127.0.0.0/8, ::1, localhost."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a host name: it may resolve to any interface
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _token_source(args: argparse.Namespace) -> tuple[str | None, str | None, str | None]:
    """The token file, the token text (of the environment), and a line saying what they hold."""
    from actionlogkit.http import TOKENS_ENV, check_tokens

    from_env = os.environ.get(TOKENS_ENV)
    if args.token_file is not None and from_env is not None:
        raise Failure(
            f"tokens come from --token-file or {TOKENS_ENV}, not both: unset one", EXIT_USAGE
        )
    if args.token_file is None and from_env is None:
        return None, None, None
    if args.insecure_no_auth:
        raise Failure("--insecure-no-auth contradicts the tokens given: drop one", EXIT_USAGE)
    try:
        configured = check_tokens(token_file=args.token_file, tokens=from_env, source=TOKENS_ENV)
    except ConfigurationError as exc:
        raise Failure(str(exc), EXIT_USAGE) from exc
    origin = args.token_file if args.token_file is not None else TOKENS_ENV
    scopes = ", ".join(f"{name} ({scope})" for name, scope in configured)
    return args.token_file, from_env, f"tokens from {origin}: {scopes}"


def _log_config(level: str) -> dict[str, Any]:
    """The server's logging: uvicorn's, and the API's own (the audit, outages) beside it."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["named"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s %(name)s: %(message)s",
    }
    config["handlers"]["named"] = {
        "formatter": "named",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["actionlogkit"] = {
        "handlers": ["named"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


def _serve(args: argparse.Namespace) -> int:
    def body() -> int:
        _require_http()
        token_file, tokens, described = _token_source(args)
        if described is None and not args.insecure_no_auth and not _is_loopback(args.host):
            raise Failure(
                f"refusing to serve on {args.host} without tokens: anyone who can reach it "
                f"could read{'' if args.read_only else ', change and delete'} the logs. Give "
                "--token-file PATH (or "
                "ACTIONLOGKIT_TOKENS), or --insecure-no-auth to serve it unprotected all the same",
                EXIT_USAGE,
            )
        if args.insecure_no_auth:
            print(
                f"actionlogkit serve: warning: --insecure-no-auth: no token is required; anyone "
                f"who can reach {args.host}:{args.port} can read"
                + ("" if args.read_only else ", change and delete")
                + " the logs",
                file=sys.stderr,
                flush=True,
            )
        import uvicorn

        from actionlogkit.http import create_app

        # Read-only serving never creates the store it reads, as no reading command does.
        with opened(args.store, create=not args.read_only) as store:
            app = create_app(
                store,
                cors_origins=args.cors_origin,
                viewer=True,
                read_only=args.read_only,
                redact=args.redact,
                token_file=token_file,
                tokens=tokens,
            )
            base = f"http://{args.host}:{args.port}"
            modes = [
                *(["read-only"] if args.read_only else []),
                *(["redacting"] if args.redact else []),
                described or "no tokens",
            ]
            print(
                f"actionlogkit: serving {redacted(args.store)} at {base}"
                f"/integration-action-logs (log viewer: {base}/, API docs: {base}/docs); "
                + "; ".join(modes),
                file=sys.stderr,
                flush=True,
            )
            try:
                with _stopped_by_signals():
                    uvicorn.run(
                        app,
                        host=args.host,
                        port=args.port,
                        log_level=args.log_level,
                        log_config=_log_config(args.log_level),
                    )
            except _Stopped:
                pass  # a clean stop: the store is closed on the way out
            except SystemExit as exit_:
                # uvicorn exits with its own codes (3: could not start); the frame promises 1.
                if exit_.code not in (None, 0):
                    raise Failure(
                        f"the server stopped with an error (e.g. port {args.port} in use)",
                        EXIT_FAILED,
                    ) from None
        return 0

    return run("serve", body)


# -- list ------------------------------------------------------------------------------------------


def _table(records: Sequence[ActionLog]) -> list[str]:
    rows = [[get(record) for _, get in _TABLE_COLUMNS] for record in records]
    return text_table([name for name, _ in _TABLE_COLUMNS], rows, cell_width=_CELL_WIDTH)


def _summary(shown: int, total: int, offset: int) -> str:
    if shown == 0:
        return f"no records shown; {total} match" if total else "no records match"
    if shown == 1:
        return f"record {offset + 1} of {total}"
    return f"records {offset + 1}-{offset + shown} of {total}"


def _walk(
    store: Store,
    filter: str | None,
    search: str | None,
    sort: str | None = None,
    order: str = "desc",
) -> Iterator[list[ActionLog]]:
    """Every page of a query, read with cursors: only one page is held at a time."""
    cursor = None
    while True:
        page = store.list(
            filter,
            search=search,
            sort=sort,
            order=order,
            limit=MAX_LIMIT,
            cursor=cursor,
            with_total=False,
        )
        if page.data:
            yield page.data
        cursor = page.next_cursor
        if cursor is None:
            return


def _list_all(args: argparse.Namespace) -> int:
    if args.offset:
        raise Failure("--offset cannot be used with --all", EXIT_USAGE)
    shown = 0
    with opened(args.store, create=False) as store:
        if args.json:
            for records in _walk(store, args.filter, args.search, args.sort, args.order):
                sys.stdout.write("".join(_record_json(record) + "\n" for record in records))
                shown += len(records)
            print(f"{shown} records" if shown != 1 else "1 record", file=sys.stderr)
            return 0
        every = [
            record
            for records in _walk(store, args.filter, args.search, args.sort, args.order)
            for record in records
        ]
    if every:
        print("\n".join(_table(every)))
    print(_summary(len(every), len(every), 0))
    return 0


def _list(args: argparse.Namespace) -> int:
    def body() -> int:
        if args.all:
            return _list_all(args)
        if args.limit > MAX_LIMIT:
            raise Failure(
                f"--limit {args.limit}: a page holds at most {MAX_LIMIT} records; for every "
                "match use --all, or 'actionlogkit export' to write them to a file",
                EXIT_USAGE,
            )
        with opened(args.store, create=False) as store:
            page = store.list(
                args.filter,
                search=args.search,
                sort=args.sort,
                order=args.order,
                limit=args.limit,
                offset=args.offset,
            )
        assert page.total is not None
        summary = _summary(len(page.data), page.total, args.offset)
        if args.json:
            for record in page.data:
                print(_record_json(record))
            print(summary, file=sys.stderr)
        else:
            if page.data:
                print("\n".join(_table(page.data)))
            print(summary)
        return 0

    return run("list", body)


# -- export ----------------------------------------------------------------------------------------


class _Progress:
    """A progress line on a terminal's stderr, redrawn at most a few times a second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn = 0.0

    def show(self, done: int, *, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.drawn < 0.2:
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-9)
        share = done / self.total if self.total else 1.0
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        sys.stderr.write(
            f"\r[{bar}] {done:,}/{self.total:,} records {share:4.0%} {done / elapsed:,.0f}/s"
        )
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _export(args: argparse.Namespace) -> int:
    def body() -> int:
        with opened(args.store, create=False) as store:
            total = store.count(args.filter, search=args.search)
            progress = _Progress(total, sys.stderr.isatty())
            try:
                out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise Failure(f"cannot write {args.output}: {exc.strerror}", EXIT_FAILED) from exc
            written = 0
            try:
                # Oldest first, by createdAt: the order every index of the SQL backend ends
                # with, so a filtered export walks an index too.
                for records in _walk(store, args.filter, args.search, "createdAt", "asc"):
                    out.write("".join(_record_json(record) + "\n" for record in records))
                    written += len(records)
                    progress.show(written)
            except OSError as exc:
                raise Failure(f"cannot write {args.output}: {exc.strerror}", EXIT_FAILED) from exc
            finally:
                if out is not sys.stdout:
                    out.close()
                else:
                    out.flush()
            progress.show(written, final=True)
        if args.output != "-":
            print(f"exported {written} records to {args.output}", file=sys.stderr)
        return 0

    return run("export", body)


# -- migrate ---------------------------------------------------------------------------------------


def _migrate(args: argparse.Namespace) -> int:
    def body() -> int:
        with opened(args.store, create=True) as store:
            built = store.migrate(progress=lambda line: print(line, file=sys.stderr, flush=True))
        if built:
            print("built: " + ", ".join(built))
        else:
            print("nothing to build: the store is up to date")
        return 0

    return run("migrate", body)


# -- get, delete -----------------------------------------------------------------------------------


def _get(args: argparse.Namespace) -> int:
    def body() -> int:
        with opened(args.store, create=False) as store:
            record = store.get(args.id)
        print(_record_json(record, indent=2))
        return 0

    return run("get", body)


def _delete(args: argparse.Namespace) -> int:
    def body() -> int:
        with opened(args.store, create=False) as store:
            store.delete(args.id)
        print(f"deleted {args.id}")
        return 0

    return run("delete", body)


# -- openapi ---------------------------------------------------------------------------------------


def _openapi(args: argparse.Namespace) -> int:
    def body() -> int:
        _require_http()
        from actionlogkit.http import openapi_json

        text = openapi_json()
        if args.output == "-":
            sys.stdout.write(text)
            return 0
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as exc:
            raise Failure(f"cannot write {args.output}: {exc.strerror}", EXIT_FAILED) from exc
        return 0

    return run("openapi", body)


# -- registration ----------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add the store commands to the command line."""
    serve = subparsers.add_parser(
        "serve",
        help="serve the REST API over a store",
        description=(
            "Serve the integration action log REST API and the log viewer; interactive docs at "
            "/docs. Without tokens it serves on loopback addresses only."
        ),
    )
    add_store_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="TCP port (default: 8000)")
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browsers on ORIGIN to call the API (repeatable; default: CORS off)",
    )
    serve.add_argument(
        "--token-file",
        metavar="PATH",
        help=(
            "require bearer tokens: a file of name:scope:token lines (scope read or write), "
            "read again when it changes; or set ACTIONLOGKIT_TOKENS to entries separated by commas"
        ),
    )
    serve.add_argument(
        "--read-only",
        action="store_true",
        help="refuse POST, PUT and DELETE (405); never create the store",
    )
    serve.add_argument(
        "--redact",
        action="store_true",
        help="apply the recorder's redaction rules to the bodies POST and PUT store",
    )
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="serve on an address other than loopback without tokens (warned about on each start)",
    )
    serve.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="info",
        help="server log level (default: info)",
    )
    serve.set_defaults(func=_serve)

    listing = subparsers.add_parser(
        "list",
        help="list records matching a query",
        description="List records as a table (or JSON lines with --json) and how many match.",
    )
    add_store_option(listing)
    add_query_options(listing)
    listing.add_argument("--sort", metavar="FIELD", help="field to sort by (default: createdAt)")
    listing.add_argument("--order", choices=("asc", "desc"), default="desc", help="default: desc")
    listing.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="records to show, 1 to 100 (default: 50)"
    )
    listing.add_argument("--offset", type=int, default=0, help="records to skip (default: 0)")
    listing.add_argument(
        "--json",
        action="store_true",
        help="print one JSON record per line on stdout, the count on stderr",
    )
    listing.add_argument(
        "--all",
        action="store_true",
        help="every match, page after page (with --json: streamed as JSON lines)",
    )
    listing.set_defaults(func=_list)

    export = subparsers.add_parser(
        "export",
        help="write every matching record as JSON lines",
        description=(
            "Write every record matching a query as JSON lines, one record per line, oldest "
            "first; streamed, with a progress bar when stderr is a terminal."
        ),
    )
    add_store_option(export)
    add_query_options(export)
    export.add_argument(
        "--output", "-o", metavar="FILE", default="-", help="where to write (default: stdout)"
    )
    export.set_defaults(func=_export)

    migrate = subparsers.add_parser(
        "migrate",
        help="build the indexes an existing store lacks",
        description=(
            "Build what this version adds to an existing store (the search index, declared "
            "indexes), with progress; opening a store never does."
        ),
    )
    add_store_option(migrate)
    migrate.set_defaults(func=_migrate)

    get = subparsers.add_parser(
        "get", help="print one record as JSON", description="Print one record as JSON."
    )
    add_store_option(get)
    get.add_argument("id", help="the record's _id")
    get.set_defaults(func=_get)

    delete = subparsers.add_parser(
        "delete", help="delete one record", description="Delete one record."
    )
    add_store_option(delete)
    delete.add_argument("id", help="the record's _id")
    delete.set_defaults(func=_delete)

    openapi = subparsers.add_parser(
        "openapi",
        help="write the REST API's OpenAPI document",
        description="Write the OpenAPI document (as committed in docs/openapi.json).",
    )
    openapi.add_argument(
        "--output", "-o", metavar="FILE", default="-", help="where to write it (default: stdout)"
    )
    openapi.set_defaults(func=_openapi)
