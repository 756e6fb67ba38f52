"""Standard streams that may vanish while a run trains: `seqtui train | head -1`, a `tee` whose reader dies,
an SSH session that drops, or a cron job started with stdout closed (`>&-`).

A run must outlive its terminal: what it prints is a view of it, never a reason to fail it. `guard_std_streams`
(called once by the process's entry point) gives a closed descriptor /dev/null, so a file the run opens never
lands on fd 1 or 2, and wraps `sys.stdout` and `sys.stderr` so that the first write that finds no reader
sends the rest of the process's output (native code's included) to /dev/null instead of raising.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from typing import IO, Any


class GuardedStream:
    """A text stream whose writes never raise once its reader is gone: the first broken pipe, I/O error (a
    dropped terminal) or closed file turns it into a sink, and its descriptor into /dev/null."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.lost = False
        """True once a write found no reader: everything since went nowhere."""

    def _lose(self) -> None:
        """Point the descriptor at /dev/null (later writes, native ones and the final flush go there)."""
        self.lost = True
        with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
            fd = self._stream.fileno()
            sink = os.open(os.devnull, os.O_WRONLY)
            os.dup2(sink, fd)
            os.close(sink)

    def _guarded(self, action: str, *args: Any) -> Any:
        if self.lost:
            return len(args[0]) if args else None
        with self._lock:
            try:
                return getattr(self._stream, action)(*args)
            except (OSError, ValueError):  # EPIPE, EIO of a hung-up terminal, a closed file
                self._lose()
                return len(args[0]) if args else None

    def write(self, text: str) -> int:
        return self._guarded("write", text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._guarded("flush")

    def isatty(self) -> bool:
        if self.lost:
            return False
        try:
            return self._stream.isatty()
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, reconfigure, buffer...
        return getattr(self._stream, name)


def _reopen_closed(fd: int) -> None:
    """A descriptor the process was started without becomes /dev/null (the lowest free number is `fd`)."""
    try:
        os.fstat(fd)
    except OSError:
        with contextlib.suppress(OSError):
            opened = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)


def _text_stream(current: IO[str] | None, fd: int) -> IO[str]:
    """`current`, or for a process started without it, a stream on its descriptor (now /dev/null)."""
    if current is not None:
        return current
    return open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115


def guard_std_streams() -> None:
    """Make stdout and stderr safe to write for the rest of the process (see the module's docstring)."""
    for fd in (0, 1, 2):
        _reopen_closed(fd)
    if not isinstance(sys.stdout, GuardedStream):
        sys.stdout = GuardedStream(_text_stream(sys.stdout, 1))  # type: ignore[assignment]
    if not isinstance(sys.stderr, GuardedStream):
        sys.stderr = GuardedStream(_text_stream(sys.stderr, 2))  # type: ignore[assignment]
