"""What the app remembers between launches: the last preset, dataset, architecture and field values.

Kept in `$XDG_STATE_HOME/seqtui/app.json` (else the platform's user state folder, via platformdirs): state,
not configuration, so it may be deleted at any time (`Reset remembered settings` in the command palette,
or ctrl+r on Setup). A damaged or foreign file is ignored, never an error.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "app.json"


def state_dir() -> Path:
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg:
        return Path(xdg) / "seqtui"
    from platformdirs import user_state_dir

    return Path(user_state_dir("seqtui", appauthor=False))


def recall() -> dict[str, Any]:
    """The remembered setup, or {} when there is none (or it can't be read)."""
    try:
        data = json.loads((state_dir() / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(setup: dict[str, Any]) -> None:
    """Save the setup atomically; a folder that can't be written only means nothing is remembered."""
    from seqtui.common.files import atomic_write_json

    with contextlib.suppress(OSError):
        state_dir().mkdir(parents=True, exist_ok=True)
        atomic_write_json(state_dir() / STATE_FILE, setup)


def forget() -> None:
    (state_dir() / STATE_FILE).unlink(missing_ok=True)
