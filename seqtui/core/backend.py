"""Lazy Keras import: the only door to Keras, so `--help` and the first screen never load TensorFlow."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from types import ModuleType

from seqtui.core.devices import choose_backend
from seqtui.core.settings import BACKEND_CHOICES, Settings


class BackendError(Exception):
    """The requested Keras backend can't be used."""


_note = ""


def backend_note() -> str:
    """Why a GPU present goes unused (no installed backend can use it), once `auto` chose; else ''."""
    return _note


def import_keras(backend: str | None = None) -> ModuleType:
    """Import Keras with the chosen backend (None: the settings' one; `auto`: a backend that sees the GPU
    if there is one, else the CPU one), TensorFlow's C++ logging quieted first."""
    global _note
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    loaded = sys.modules.get("keras")
    if loaded is None or backend not in (None, "auto"):
        backend = backend or Settings.from_env().backend
        if backend not in (None, *BACKEND_CHOICES):
            raise BackendError(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_CHOICES)}")
        if loaded is None and backend in (None, "auto"):
            choice = choose_backend(backend)
            backend, _note = choice.backend, choice.note
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
