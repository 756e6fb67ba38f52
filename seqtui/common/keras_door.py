"""The lazy Keras import: seqtui loads Keras only through `import_keras`, inside the functions that need it,
so `--help` and the first screen never load TensorFlow. Modules that use Keras at module level
(core/training/callbacks.py) are themselves imported only after `import_keras` ran."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from types import ModuleType

from seqtui.common.errors import SeqtuiError

BACKENDS = ("tensorflow", "jax", "torch")


class BackendError(SeqtuiError):
    """The requested Keras backend can't be used."""

    title = "Keras could not start"


def import_keras(backend: str | None = None) -> ModuleType:
    """Import Keras with the chosen backend, TensorFlow's C++ logging quieted first."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if backend:
        if backend not in BACKENDS:
            raise BackendError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        loaded = sys.modules.get("keras")
        if loaded is not None and loaded.backend.backend() != backend:
            raise BackendError(
                f"Keras is already running on {loaded.backend.backend()}; restart to use {backend}"
            )
        os.environ["KERAS_BACKEND"] = backend
    try:
        warnings.filterwarnings("ignore", module="keras")
        import keras
    except ImportError as exc:
        name = os.environ.get("KERAS_BACKEND", "tensorflow")
        raise BackendError(
            f"Keras could not load its {name} backend ({exc}). Install it (pip install {name}) "
            "or pick another with --backend jax|torch|tensorflow."
        ) from exc
    logging.getLogger("absl").setLevel(logging.ERROR)
    return keras
