"""The pytest plugin: the actionlog_store and actionlog_recorder fixtures, --actionlog-store."""

from __future__ import annotations

import textwrap

import pytest

TEST_FILE = """
def test_uses_a_fresh_store(actionlog_store):
    assert actionlog_store.count() == 0
    actionlog_store.create(
        {"integrationId": "x", "actionType": "sync", "entityType": "y", "status": "pending"}
    )
    assert actionlog_store.count() == 1
    print("STORE", type(actionlog_store).__name__)

def test_again_fresh(actionlog_store):
    assert actionlog_store.count() == 0
"""

RECORDER_TEST_FILE = """
import actionlogkit

@actionlogkit.action("sync", entity_type="order", entity_id="order_id")
def sync_order(order_id):
    return {"synced": order_id}

BEFORE = actionlogkit.get_recorder()

def test_decorated_code_records_into_the_test_store(actionlog_recorder, actionlog_store):
    assert actionlogkit.get_recorder() is actionlog_recorder
    sync_order("o-1")
    assert actionlog_store.count({"entityId": "o-1", "status": "success"}) == 1

def test_the_previous_default_is_back_and_open():
    assert actionlogkit.get_recorder() is BEFORE
    assert not BEFORE.closed
"""


def test_fixture_gives_a_fresh_memory_store(pytester: pytest.Pytester) -> None:
    """Each test gets an empty memory store by default."""
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*STORE MemoryStore*"])


def test_option_and_environment_choose_the_store(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--actionlog-store and ACTIONLOGKIT_TEST_STORE select the URL; a bad one stops the run."""
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_subprocess("--actionlog-store", "memory://", "-s")
    result.assert_outcomes(passed=2)
    monkeypatch.setenv("ACTIONLOGKIT_TEST_STORE", "nope://x")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown store URL scheme 'nope'*"])
    result.stdout.no_fnmatch_line("*passed*")


def test_a_backend_that_cannot_isolate_is_refused_before_any_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third-party backend without open_isolated stops the run with the reason; no test runs."""
    backend = pytester.path / "plain_backend"
    backend.mkdir()
    (backend / "__init__.py").write_text(
        textwrap.dedent(
            """
            from actionlogkit import MemoryStore

            class PlainStore(MemoryStore):
                schemes = ("plain",)

                @classmethod
                def from_url(cls, url, **options):
                    return cls()
            """
        )
    )
    # A distribution's metadata on the path registers the backend, as an installed one would.
    metadata = pytester.path / "plain_backend-1.0.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: plain-backend\nVersion: 1.0\n")
    (metadata / "entry_points.txt").write_text(
        "[actionlogkit.backends]\nplain = plain_backend:PlainStore\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_subprocess("--actionlog-store", "plain://x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*PlainStore cannot make a store of its own*"])
    result.stdout.no_fnmatch_line("*passed*")


def test_the_recorder_fixture_makes_decorated_code_record_into_the_test_store(
    pytester: pytest.Pytester,
) -> None:
    """actionlog_recorder is the default recorder during the test; the old one comes back open."""
    pytester.makepyfile(RECORDER_TEST_FILE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
