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
import sys
import threading

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
