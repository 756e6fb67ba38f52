"""Where things live on disk, found without importing Keras."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def keras_home() -> Path:
    """Keras' cache root: Keras' own answer once it is loaded (it reads KERAS_HOME at import), else the same
    rule without importing Keras."""
    config = sys.modules.get("keras.src.backend.config")
    if config is not None:
        return Path(config.keras_home()).expanduser()
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
