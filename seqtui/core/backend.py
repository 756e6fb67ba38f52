"""The Keras backend for the engine; the lazy import itself lives in `seqtui.common.keras_door`."""

from seqtui.common.keras_door import BACKENDS, BackendError, import_keras

__all__ = ["BACKENDS", "BackendError", "import_keras"]
