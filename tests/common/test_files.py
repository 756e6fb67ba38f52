"""The one bounded reader: a regular file within its bound, else UnreadableFile before a byte is read (a
link to /dev/zero, a FIFO, a folder, a file too large), never a read that grows until memory runs out."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from seqtui.common.files import UnreadableFile, open_regular, read_limited


def test_a_regular_file_within_its_bound_is_read_whole(tmp_path):
    path = tmp_path / "config.json"
    path.write_bytes(b'{"name": "\xeb\x82\xb4 \xec\x8b\xa4\xed\x97\x98"}')
    assert read_limited(path, 100) == path.read_bytes()
    assert read_limited(path, len(path.read_bytes())) == path.read_bytes()  # exactly the bound: read


def test_a_link_to_a_regular_file_is_followed(tmp_path):
    (tmp_path / "real.json").write_text("{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    assert read_limited(tmp_path / "link.json", 10) == b"{}"


def test_a_file_over_its_bound_is_refused_with_both_sizes(tmp_path):
    path = tmp_path / "run.json"
    path.write_bytes(b" " * (3 * 2**20))
    with pytest.raises(UnreadableFile, match=r"holds 3\.0 MiB, more than the 2\.0 MiB allowed"):
        read_limited(path, 2 * 2**20)
    with pytest.raises(UnreadableFile, match="holds 11 bytes, more than the 10 bytes"):
        (tmp_path / "small").write_bytes(b"x" * 11)
        read_limited(tmp_path / "small", 10)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_link_to_dev_zero_is_refused_at_once(tmp_path):
    link = tmp_path / "history.csv"
    link.symlink_to("/dev/zero")
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="is a character device, not a regular file"):
        read_limited(link, 2**40)  # a bound no memory holds: the type alone refuses it
    assert time.monotonic() - started < 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "encoder.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="is a FIFO, not a regular file"):
        read_limited(fifo, 100)
    assert time.monotonic() - started < 1


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(UnreadableFile, match="is a folder"):
        read_limited(tmp_path, 100)
    with pytest.raises(UnreadableFile):
        open_regular(tmp_path)


def test_a_missing_file_is_the_usual_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_limited(tmp_path / "absent", 100)


def test_unreadable_is_an_oserror_so_every_reader_that_handles_one_handles_it(tmp_path):
    assert issubclass(UnreadableFile, OSError)
