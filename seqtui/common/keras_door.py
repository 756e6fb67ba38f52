"""The lazy Keras import: seqtui loads Keras only through `import_keras`, inside the functions that need it,
so `--help` and the first screen never load TensorFlow. Modules that use Keras at module level
(core/training/callbacks.py) are themselves imported only after `import_keras` ran."""

from __future__ import annotations

import logging
import os
import sys
import threading
import warnings
from types import ModuleType

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


def _import() -> ModuleType:
    try:
        warnings.filterwarnings("ignore", module="keras")
        with native_stderr_to(None):
            import keras
    except ImportError as exc:
        name = os.environ.get("KERAS_BACKEND", "tensorflow")
        raise BackendError(
            f"Keras could not load its {name} backend ({exc}). Install it (pip install {name}) "
            "or pick another with --backend jax|torch|tensorflow."
        ) from exc
    return keras
