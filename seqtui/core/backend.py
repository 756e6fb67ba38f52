"""Lazy Keras import: the only door to Keras, so `--help` and the first screen never load TensorFlow."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from types import ModuleType

from seqtui.core.settings import BACKENDS


class BackendError(Exception):
    """The requested Keras backend can't be used."""


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
