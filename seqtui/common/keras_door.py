"""The lazy Keras import: seqtui loads Keras only through `import_keras`, inside the functions that need it,
so `--help` and the first screen never load TensorFlow. Modules that use Keras at module level
(core/training/callbacks.py) are themselves imported only after `import_keras` ran."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from types import FrameType, ModuleType

from seqtui.common.errors import SeqtuiError
from seqtui.common.native_stderr import native_stderr_to

BACKENDS = ("tensorflow", "jax", "torch")


_import_lock = threading.Lock()
"""One import at a time: a second thread (Start pressed while the app still loads Keras) waits for the first
instead of seeing a partially initialised module."""


class BackendError(SeqtuiError):
    """The requested Keras backend can't be used."""

    title = "Keras could not start"


def loaded_keras() -> ModuleType | None:
    """Keras once it is imported whole; None before, and while a thread is still importing it (its module is
    in sys.modules half-made: asking it for `keras.backend` then fails)."""
    module = sys.modules.get("keras")
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return None
    return module


def import_keras(backend: str | None = None) -> ModuleType:
    """Import Keras with the chosen backend, TensorFlow's C++ start-up lines kept off the screen. Threads take
    turns: one asking while another imports waits for a whole module (the app's Start during its load)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if backend and backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    with _import_lock:
        if backend:
            loaded = sys.modules.get("keras")
            if loaded is not None and loaded.backend.backend() != backend:
                raise BackendError(
                    f"Keras is already running on {loaded.backend.backend()}; restart to use {backend}"
                )
            os.environ["KERAS_BACKEND"] = backend
        keras = _import()
    for name in ("absl", "tensorflow"):  # tf.function's retracing warnings, absl's notices
        logging.getLogger(name).setLevel(logging.ERROR)
    return keras


@contextlib.contextmanager
def interrupts_kept() -> Iterator[list[BaseException]]:
    """While Keras imports, remember what the SIGINT handler raised (a Ctrl+C's KeyboardInterrupt). pybind11
    turns an exception raised while a C extension initialises into ImportError("initialization failed"), and
    Keras then reports a dependency as missing ("you need to have `optree` installed"): the caller raises the
    interrupt instead. Only in the main thread, where a Python handler is in place."""
    raised: list[BaseException] = []
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield raised
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        try:
            previous(signum, frame)
        except BaseException as exc:
            raised.append(exc)
            raise

    signal.signal(signal.SIGINT, handler)
    try:
        yield raised
    finally:
        signal.signal(signal.SIGINT, previous)


def _import() -> ModuleType:
    warnings.filterwarnings("ignore", module="keras")
    with interrupts_kept() as interrupted:
        try:
            with native_stderr_to(None):
                import keras
        except ImportError as exc:
            if interrupted:
                raise interrupted[0] from None
            name = os.environ.get("KERAS_BACKEND", "tensorflow")
            raise BackendError(
                f"Keras could not load its {name} backend ({exc}). Install it (pip install {name}) "
                "or pick another with --backend jax|torch|tensorflow."
            ) from exc
    if interrupted:  # swallowed on the way (an optional part taken as missing): Keras may be half-working
        raise interrupted[0]
    return keras
