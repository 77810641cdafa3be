"""Token files and token text: the rules of an entry, and rotation without a restart."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from actionlogkit import ConfigurationError
from actionlogkit.http._access import Access, parse_tokens

READER = "reader:read:r-0123456789abcdef"
WRITER = "writer:write:w-0123456789abcdef"


def test_a_token_file_gives_named_scoped_tokens(tmp_path: Path) -> None:
    """Comments and blank lines are skipped; each entry is name, scope and secret."""
    path = tmp_path / "tokens"
    path.write_text(f"# who may read\n{READER}\n\n  {WRITER}  \n")
    access = Access(token_file=path)
    assert [(e.name, e.scope) for e in access.entries()] == [
        ("reader", "read"),
        ("writer", "write"),
    ]
    assert access.holder(b"w-0123456789abcdef").name == "writer"  # type: ignore[union-attr]
    assert access.holder(b"w-0123456789abcdeX") is None


def test_comma_separated_text_gives_the_same_tokens() -> None:
    """The ACTIONLOGKIT_TOKENS form: entries separated by commas."""
    access = Access(tokens=f"{READER},{WRITER}")
    assert [entry.name for entry in access.entries()] == ["reader", "writer"]


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        ("reader:read", "expected name:scope:token"),
        ("re ader:read:r-0123456789abcdef", "the name is"),
        ("reader:admin:r-0123456789abcdef", "the scope is 'read' or 'write'"),
        ("reader:read:short", "at least 16"),
        ("reader:read:has a space in it!", "at least 16"),
    ],
)
def test_a_bad_entry_names_its_place_and_rule_but_not_the_token(entry: str, rule: str) -> None:
    """ConfigurationError says where and which rule; the secret is never in the message."""
    with pytest.raises(ConfigurationError) as caught:
        parse_tokens(["# first line", entry], "token file t", "line")
    message = str(caught.value)
    assert message.startswith("token file t, line 2: ")
    assert rule in message
    secret = entry.split(":", 2)[-1]
    if len(secret) > 4:
        assert secret not in message


def test_names_are_unique_and_a_source_holds_one_token_at_least(tmp_path: Path) -> None:
    """A repeated name, an empty file and a missing file are refused."""
    with pytest.raises(ConfigurationError, match="repeats"):
        Access(tokens=[READER, READER.replace("r-0", "r-1")])
    (tmp_path / "empty").write_text("# nothing\n")
    with pytest.raises(ConfigurationError, match="no token"):
        Access(token_file=tmp_path / "empty")
    with pytest.raises(ConfigurationError, match="token file"):
        Access(token_file=tmp_path / "missing")
    with pytest.raises(ConfigurationError, match="one of them"):
        Access()


def test_a_changed_file_is_read_again_and_a_broken_one_keeps_the_last_tokens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Rotation: a new token works at once; a broken rewrite keeps the tokens in force."""
    path = tmp_path / "tokens"
    path.write_text(READER + "\n")
    access = Access(token_file=path)
    path.write_text("reader:read:r-rotated-0123456789\n")
    os.utime(path, ns=(1, 1))  # a different modification time, however fast the rewrite
    assert access.holder(b"r-rotated-0123456789") is not None
    assert access.holder(b"r-0123456789abcdef") is None
    path.write_text("reader:read:\n")
    os.utime(path, ns=(2, 2))
    with caplog.at_level(logging.WARNING, logger="actionlogkit.http"):
        assert access.holder(b"r-rotated-0123456789") is not None
    assert "was not reloaded" in caplog.text
    assert "r-rotated" not in caplog.text


def test_an_entry_never_shows_its_secret() -> None:
    """repr() of a configured token has its name and scope, not its secret."""
    [entry] = parse_tokens([WRITER], "tokens", "entry")
    assert "0123456789abcdef" not in repr(entry)
