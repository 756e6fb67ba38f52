"""Atomic file writes: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""mkstemp creates files readable by their owner only; written files get the usual permissions instead."""


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temporary path beside `path`, flush it to disk, then rename it over `path`.

    Readers see the old file or the new one, never half of one, even after a crash or a full disk; on any
    failure (a Ctrl+C included) the temporary file is removed.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, _FILE_MODE)
        write(tmp)
        with open(tmp, "rb+") as fh:  # on disk before it replaces the old file: a power cut keeps one
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def is_temp_name(name: str, of: str) -> bool:
    """Whether `name` is a temporary file `atomic_write` made for the file named `of`."""
    return name.startswith(f".{Path(of).stem}-") and name.endswith(Path(of).suffix)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    """JSON as readable UTF-8; with \\u escapes where a value is not valid Unicode (a file name in another
    encoding), so that it reads back exactly."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=2)
    atomic_write_text(path, text + "\n")


class UnreadableFile(OSError):
    """A file that is not a regular file (a FIFO, a device such as /dev/zero, a folder) or is larger than
    its reader allows: refused before a byte of it is read. The message says what it is without its path
    ('is a character device, not a regular file'), for the caller to put after the path."""


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file (a link to one is followed), else
    UnreadableFile; other OSErrors as `open` raises them. The check is on the opened file itself, so a
    link swapped in between cannot slip through, and the file is opened without blocking, so a FIFO is
    refused rather than waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"is {_kind(mode)}, not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file (`open_regular`) of at most `limit` bytes, else UnreadableFile.
    A file that grows past `limit` while it is read is refused too: at most `limit` + 1 bytes are read."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise UnreadableFile(f"holds {_size(size)}, more than the {_size(limit)} allowed")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"grew past the {_size(limit)} allowed while it was read")
    return data


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "a special file")
