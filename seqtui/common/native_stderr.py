"""TensorFlow's C++ start-up lines (absl's "All log messages before absl::InitializeLog()", oneDNN's notice)
are written straight to file descriptor 2, whatever TF_CPP_MIN_LOG_LEVEL says (TensorFlow 2.21), so they
paint over the app and clutter every headless run. Python's own writes go through `sys.stderr` and are kept:
only the native writes of the moment are set aside. `SEQTUI_DEBUG=1` leaves them on stderr.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_aside = threading.Event()
"""Set while the whole process's fd 2 already goes elsewhere (the app): nothing more to do per import."""


def _shown() -> bool:
    return bool(os.environ.get("SEQTUI_DEBUG")) or _aside.is_set()


def _open_sink(target: Path | None) -> int:
    """The file to write to: `target` (appended), else os.devnull, also where `target` can't be written."""
    if target is not None:
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            return os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return os.open(os.devnull, os.O_WRONLY)


@contextlib.contextmanager
def native_stderr_to(target: Path | None) -> Iterator[IO[str] | None]:
    """Send what native code writes to fd 2 to `target` (None: nowhere) until the block ends, while Python's
    `sys.stderr` (and `sys.__stderr__`, where Textual draws) keep writing to the real stderr. Yields that
    stream, or None where fd 2 can't be moved (no fd 2, SEQTUI_DEBUG)."""
    if _shown():
        yield None
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no stderr at all (a daemon): nothing reaches a screen
        yield None
        return
    sink = _open_sink(target)
    real = os.fdopen(saved, "w", buffering=1, encoding=getattr(sys.stderr, "encoding", None) or "utf-8",
                     errors="backslashreplace")  # fmt: skip
    before = sys.stderr, sys.__stderr__
    os.dup2(sink, 2)
    os.close(sink)
    sys.stderr = sys.__stderr__ = real
    try:
        yield real
    finally:
        with contextlib.suppress(OSError, ValueError):
            real.flush()
        os.dup2(saved, 2)
        sys.stderr, sys.__stderr__ = before
        with contextlib.suppress(OSError):
            real.close()


@contextlib.contextmanager
def app_native_stderr(log: Path) -> Iterator[None]:
    """For the app's whole life: native lines go to `log` (else nowhere), Textual keeps the terminal, and
    imports of Keras from any thread need not move fd 2 again."""
    with native_stderr_to(log) as moved:
        if moved is not None:
            _aside.set()
        try:
            yield
        finally:
            _aside.clear()
