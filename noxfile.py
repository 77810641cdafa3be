"""The project's checks: ``uv run nox`` runs them all, as CI does."""

from __future__ import annotations

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

# backend → (extras to install, test directories)
BACKENDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "memory": ((), ("tests/core", "tests/recorder")),
    "sql": (("sql",), ("tests/sql", "tests/recorder_sql")),
    "mongo": (("mongo",), ("tests/mongo",)),
    "http": (("http", "sql"), ("tests/http", "tests/cli")),
}
# backend → dependency groups its tests need besides "test"
TEST_GROUPS: dict[str, tuple[str, ...]] = {"http": ("test-http", "test-browser")}


def _sync(
    session: nox.Session, *, extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()
) -> None:
    """Install the workspace into the session's environment with uv, as the lock resolves it."""
    session.run_install(
        "uv",
        "sync",
        "--active",
        "--no-default-groups",
        *(f"--extra={extra}" for extra in extras),
        *(f"--group={group}" for group in groups),
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        silent=True,
    )


@nox.session
@nox.parametrize("backend", list(BACKENDS))
def tests(session: nox.Session, backend: str) -> None:
    """Run the tests of one backend (memory: the core's)."""
    extras, paths = BACKENDS[backend]
    _sync(session, extras=extras, groups=("test", *TEST_GROUPS.get(backend, ())))
    session.run("pytest", *paths, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff, and the architecture's import rules."""
    _sync(session, groups=("lint",))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # The backends' packages are found where they lie; their dependencies are not needed.
    session.run("lint-imports", env={"PYTHONPATH": "backends/sql:backends/mongo"})


@nox.session
def mypy(session: nox.Session) -> None:
    """Type-check everything with mypy --strict."""
    _sync(
        session,
        extras=tuple(sorted({e for extras, _ in BACKENDS.values() for e in extras})),
        groups=("typing",),
    )
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation, warnings as errors."""
    _sync(session, groups=("docs",))
    session.run("mkdocs", "build", "--strict", "--site-dir", f"{session.create_tmp()}/site")


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdists and wheels of every distribution."""
    session.run_install(
        "uv", "build", "--all-packages", "--out-dir", f"{session.create_tmp()}/dist", external=True
    )
