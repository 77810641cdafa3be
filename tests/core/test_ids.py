"""Record ids: ObjectId layout, unique, increasing, renewed after fork."""

from __future__ import annotations

import os
import time

import pytest

from actionlogkit._ids import is_valid_id, new_id


def test_ids_have_the_object_id_layout() -> None:
    """An id is 24 lowercase hex characters whose first 4 bytes are the creation second."""
    before = int(time.time())
    record_id = new_id()
    after = int(time.time())
    assert is_valid_id(record_id)
    assert before <= int(record_id[:8], 16) <= after


def test_ids_of_one_process_share_the_random_part_and_count_up() -> None:
    """Ids made in a row share their 5 process bytes and their counters go up by one."""
    first, second = new_id(), new_id()
    assert first[8:18] == second[8:18]
    assert (int(second[18:], 16) - int(first[18:], 16)) % 2**24 == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_draws_new_random_bytes() -> None:
    """A child process does not repeat its parent's ids."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.write(write_end, new_id().encode())
        os._exit(0)
    os.close(write_end)
    child_id = os.read(read_end, 24).decode()
    os.waitpid(pid, 0)
    assert is_valid_id(child_id)
    assert child_id[8:18] != new_id()[8:18]


@pytest.mark.parametrize("value", ["", "0" * 23, "0" * 25, "G" * 24, "ABCDEF" * 4, 12, None])
def test_non_ids_are_recognised(value: object) -> None:
    """Anything but 24 lowercase hex characters is not an id."""
    assert not is_valid_id(value)
