"""One trainer per run folder: an exclusive OS lock on `.train.lock` inside it.

`fcntl.flock` locks belong to the open file, so the operating system releases them when the process
ends, however it ends: a crashed or killed run stays resumable, and no stale lock file needs cleaning.
The holder's process id is written into the file so that the second trainer can name it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from seqtui.common.files import read_limited
from seqtui.core.runs.folder import RunFolderError

try:
    import fcntl
except ImportError:  # Windows: no flock; the `running` status check still applies
    fcntl = None  # type: ignore[assignment]

LOCK = ".train.lock"


class RunLocked(RunFolderError):
    """Another process trains this run folder; `pid` is that process (None when it can't be read)."""

    def __init__(self, folder: Path, pid: int | None) -> None:
        who = f"process {pid}" if pid else "another process"
        super().__init__(
            f"{folder} is being trained by {who} right now; wait for it to end or stop it (Ctrl+C there), "
            "then resume it"
        )
        self.pid = pid


def _holder(path: Path) -> int | None:
    try:
        text = read_limited(path, 64).decode("ascii").strip()  # a process id; never a device's endless bytes
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return int(text) if text.isdigit() else None
    except ValueError:  # more digits than Python converts (a damaged file): no process to name
        return None


@contextlib.contextmanager
def training_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock while the block runs; RunLocked at once if another process holds it."""
    path = Path(folder) / LOCK
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only folder: training would fail on its first write and say so
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(Path(folder), _holder(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def check_unlocked(folder: Path) -> None:
    """RunLocked when another process trains the folder now (a check only: the lock is not kept)."""
    with training_lock(folder):
        pass
