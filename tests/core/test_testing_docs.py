"""docs/testing.md's complete example runs as written, on memory:// and on SQLite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def _files() -> dict[str, str]:
    blocks = re.findall(r'```python title="([^"]+)"\n(.*?)```', DOC.read_text(), re.DOTALL)
    return dict(blocks)


def test_the_example_passes_on_memory(pytester: pytest.Pytester) -> None:
    """The client and its test from the page pass with the default store."""
    files = _files()
    assert set(files) == {"shop_client.py", "test_shop_client.py"}
    for name, text in files.items():
        (pytester.path / name).write_text(text)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_shop_client.py")
    result.assert_outcomes(passed=1)
