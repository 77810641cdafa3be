"""Opening stores by URL: built-ins, entry points loaded on demand, clear errors and hints."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import actionlogkit
from actionlogkit import (
    ConfigurationError,
    MemoryStore,
    StoreError,
    _registry,
    available_schemes,
    open_store,
)


def test_memory_url_opens_a_memory_store() -> None:
    """memory:// opens a fresh MemoryStore each time."""
    first, second = open_store("memory://"), open_store("memory://")
    assert isinstance(first, MemoryStore)
    first.create(
        {"integrationId": "x", "actionType": "sync", "entityType": "y", "status": "pending"}
    )
    assert second.count() == 0


@pytest.mark.parametrize("url", ["memory://somewhere", "nonsense", "://x", "", 42])
def test_malformed_urls_are_configuration_errors(url: object) -> None:
    """A URL that is not scheme://… (or memory:// with a location) raises ConfigurationError."""
    with pytest.raises(ConfigurationError):
        open_store(url)  # type: ignore[arg-type]


def test_unknown_scheme_lists_the_available_ones() -> None:
    """An unknown scheme says which schemes are available."""
    with pytest.raises(ConfigurationError, match=r"available: .*memory"):
        open_store("redis://localhost")


@pytest.fixture
def no_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend no backend distribution is installed."""
    monkeypatch.setattr(_registry, "_entry_points", dict)
    monkeypatch.setattr(_registry, "_loaded", {})


@pytest.mark.usefixtures("no_backends")
@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("sqlite:///logs.db", "sql"),
        ("postgresql+psycopg://u@h/db", "sql"),
        ("mongodb://127.0.0.1/app", "mongo"),
        ("mongodb+srv://cluster/app", "mongo"),
    ],
)
def test_missing_backend_says_what_to_install(url: str, extra: str) -> None:
    """A known scheme whose backend is missing names the extra to install."""
    with pytest.raises(ConfigurationError, match=rf"pip install 'actionlogkit\[{extra}\]'"):
        open_store(url)


@pytest.fixture
def fake_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real distribution on sys.path that registers the 'fake' scheme through an entry point."""
    (tmp_path / "fake_backend.py").write_text(
        textwrap.dedent(
            """
            from actionlogkit import MemoryStore, ConfigurationError

            LOADED = True

            class FakeStore(MemoryStore):
                def __init__(self, url, *, flavour="plain"):
                    super().__init__()
                    self.url, self.flavour = url, flavour

                @classmethod
                def from_url(cls, url, **options):
                    if url.endswith("broken"):
                        raise OSError("cannot reach it")
                    return cls(url, **options)

            NotAStore = object
            """
        )
    )
    info = tmp_path / "fake_backend-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-backend\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[actionlogkit.backends]\nfake = fake_backend:FakeStore\nwrong = fake_backend:NotAStore\n"
        "missing = no_such_module:Store\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_registry, "_loaded", {})
    monkeypatch.delitem(sys.modules, "fake_backend", raising=False)


@pytest.mark.usefixtures("fake_backend")
def test_entry_point_backends_open_by_scheme() -> None:
    """A backend registered under actionlogkit.backends opens for its scheme, options passed on."""
    assert "fake_backend" not in sys.modules
    assert "fake" in available_schemes()
    assert "fake_backend" not in sys.modules, "listing schemes must not import backends"
    store = open_store("fake+variant://here", flavour="spicy")
    assert type(store).__name__ == "FakeStore"
    assert store.flavour == "spicy"  # type: ignore[attr-defined]


@pytest.mark.usefixtures("fake_backend")
def test_backend_failures_are_wrapped() -> None:
    """Bad options, unreachable storage, a non-store target and a broken import raise our errors."""
    with pytest.raises(ConfigurationError, match="options"):
        open_store("fake://here", colour="red")
    with pytest.raises(StoreError) as caught:
        open_store("fake://broken")
    assert isinstance(caught.value.__cause__, OSError)
    with pytest.raises(ConfigurationError, match="not a Store"):
        open_store("wrong://x")
    with pytest.raises(ConfigurationError, match="failed to import"):
        open_store("missing://x")


def test_importing_the_package_loads_no_driver() -> None:
    """import actionlogkit imports neither SQLAlchemy nor pymongo nor any backend."""
    code = (
        "import actionlogkit, sys; "
        "drivers = ('sqlalchemy', 'pymongo', 'psycopg', 'actionlogkit_sql', 'actionlogkit_mongo', "
        "'fastapi', 'hypothesis', 'pytest'); "
        "bad = [m for m in drivers if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_package_exports_its_api() -> None:
    """Everything in __all__ exists."""
    for name in actionlogkit.__all__:
        assert hasattr(actionlogkit, name), name
