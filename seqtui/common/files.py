"""Atomic file writes: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


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
