"""Leaving the process at once when the work is done.

Once TensorFlow is loaded, the interpreter's own teardown (its thread pools, its C++ destructors) takes
seconds after the last line of our code ran: the shell prompt comes back 3-8 s after the app closed or a
headless run printed its results. Every run file is written atomically and fsynced before the training call
returns, so nothing is left to save by then: flush what we printed and leave without that teardown.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from types import FrameType

from seqtui.common.errors import EXIT_INTERRUPTED

HEAVY_MODULES = ("tensorflow", "keras", "jax", "torch")


def leave_now(code: int) -> None:
    """Exit with `code` now when a deep-learning library is loaded or a thread is still at work (Keras
    importing when the app quit); otherwise return (a normal exit is fast)."""
    busy = any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate())
    if not busy and not any(name in sys.modules for name in HEAVY_MODULES):
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can reach it
            stream.flush()
    os._exit(code)


def _leave(signum: int, frame: FrameType | None) -> None:
    with contextlib.suppress(OSError):
        os.write(2, b"error: interrupted\n")
    os._exit(EXIT_INTERRUPTED)  # nothing is written yet, nothing to clean up


def quiet_interrupts() -> None:
    """Until `usual_interrupts`, Ctrl+C leaves at once with "error: interrupted" and exit code 130, instead
    of a traceback from inside whatever was loading (the command line takes about a second to load and read
    its options before a command can catch it). Only where Python's own handler is in place: a process that
    ignores SIGINT, or handles it itself, keeps its way."""
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _leave)


def usual_interrupts() -> None:
    """Ctrl+C raises KeyboardInterrupt again (what the commands catch), if `quiet_interrupts` changed it."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is _leave:
        signal.signal(signal.SIGINT, signal.default_int_handler)
