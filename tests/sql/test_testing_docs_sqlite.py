"""docs/testing.md's complete example runs as written on SQLite too."""

from __future__ import annotations

import pytest

from tests.core.test_testing_docs import _files


def test_the_example_passes_on_sqlite(pytester: pytest.Pytester) -> None:
    """The page's second command, with --actionlog-store sqlite:///test-logs.db, passes."""
    for name, text in _files().items():
        (pytester.path / name).write_text(text)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "test_shop_client.py",
        "--actionlog-store",
        f"sqlite:///{pytester.path / 'test-logs.db'}",
    )
    result.assert_outcomes(passed=1)
