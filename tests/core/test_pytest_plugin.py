"""The pytest plugin: the actionlog_store fixture and the --actionlog-store option."""

from __future__ import annotations

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


def test_fixture_gives_a_fresh_memory_store(pytester: pytest.Pytester) -> None:
    """Each test gets an empty memory store by default."""
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*STORE MemoryStore*"])


def test_option_and_environment_choose_the_store(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--actionlog-store and ACTIONLOGKIT_TEST_STORE select the URL; a bad URL errors clearly."""
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_subprocess("--actionlog-store", "memory://", "-s")
    result.assert_outcomes(passed=2)
    monkeypatch.setenv("ACTIONLOGKIT_TEST_STORE", "nope://x")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*unknown store URL scheme 'nope'*"])
