"""The Keras backend for the engine: which one `auto` (or the settings) stands for, then the lazy import
itself, which lives in `seqtui.common.keras_door`."""

from __future__ import annotations

import os
from types import ModuleType

from seqtui.common.keras_door import BACKENDS, BackendError, loaded_keras
from seqtui.common.keras_door import import_keras as _door
from seqtui.core.config.settings import BACKEND_CHOICES, Settings
from seqtui.core.hardware.devices import choose_backend

__all__ = [
    "BACKENDS",
    "BACKEND_CHOICES",
    "BackendError",
    "backend_note",
    "expected_backend",
    "import_keras",
    "resolve_backend",
]

_note = ""


def backend_note() -> str:
    """Why a GPU present goes unused (no installed backend can use it), once `auto` chose; else ''."""
    return _note


def resolve_backend(backend: str | None) -> str:
    """The backend `backend` stands for (None: the settings' choice; `auto`: one that sees the GPU if there
    is one, else the CPU one; once Keras is loaded, its own). Until Keras loads, KERAS_BACKEND is set to it,
    so a Keras import on the way (a dataset download) already uses it."""
    global _note
    loaded = loaded_keras()
    requested = backend or Settings.from_env().backend
    if requested not in (None, *BACKEND_CHOICES):
        raise BackendError(f"unknown backend {requested!r}; choose one of {', '.join(BACKEND_CHOICES)}")
    if requested in (None, "auto"):
        if loaded is not None:
            return loaded.backend.backend()
        choice = choose_backend(requested)
        requested, _note = choice.backend, choice.note
    if loaded is None:
        os.environ["KERAS_BACKEND"] = requested
    return requested


def expected_backend() -> str:
    """The backend this process will train with, without importing it or setting anything: Keras' own once
    loaded, else what `resolve_backend(None)` would pick."""
    loaded = loaded_keras()
    if loaded is not None:
        return loaded.backend.backend()
    requested = Settings.from_env().backend
    return choose_backend(requested).backend if requested in (None, "auto") else requested


def import_keras(backend: str | None = None) -> ModuleType:
    """Import Keras with the backend `backend` stands for (see `resolve_backend`)."""
    if backend is None and loaded_keras() is not None:
        return _door()
    return _door(resolve_backend(backend))
