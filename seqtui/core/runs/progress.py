"""How far a run got, checked once for every reader: `seqtui runs` and the Runs screen list a run that
fails it as `damaged`, and a resume refuses it with the same message (`core/training/resume.py`).

A run folder's progress is run.json's `epochs_done` of `epochs` and history.csv's rows. Anything the trainer
can't have written is damage, never something to train on: epochs out of their range, history rows that
are not epochs 1..n, columns Keras doesn't log, and values no float32 training produced (inf, 1e308).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from seqtui.core.runs.folder import HISTORY, RUN, SECONDS, RunFolder, RunFolderError

FLOAT32_MAX = 3.4028234663852886e38
"""No loss or metric of a float32 (or float16) training is beyond this; a 1e308 was edited in."""
SINGLE_COLUMNS = frozenset({"epoch", SECONDS, "learning_rate", "lr"})
"""history.csv columns that come without a `val_` twin."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Progress:
    """A run folder's checked progress: run.json, the history rows, epochs done of epochs."""

    state: dict[str, Any]
    history: list[dict[str, float]]
    epochs_done: int
    epochs: int


MAX_EPOCHS = 100_000
"""The most epochs a run can be set to (`UPPER_LIMITS` in core/config/validation.py)."""


def _whole(state: dict[str, Any], key: str, default: int, folder: RunFolder) -> int:
    value = state.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_EPOCHS:
        shown = (
            repr(value)
            if len(repr(value)) <= 40
            else f"{repr(value)[:20]}... ({len(repr(value))} characters)"
        )
        raise RunFolderError(f"{folder.file(RUN)} holds {key}={shown}, not a number of epochs")
    return value


def _unexpected(column: str, columns: set[str]) -> bool:
    """Keras logs a name it knows (`accuracy`) with its validation twin (`val_accuracy`) when there is
    validation data, which seqtui always has; a bare column without one was added by hand."""
    if not _NAME.match(column):
        return True
    if column in SINGLE_COLUMNS or column == "loss" or column.startswith("val_"):
        return False
    return f"val_{column}" not in columns


def _check_columns(folder: RunFolder, history: list[dict[str, float]]) -> None:
    columns = {k for row in history for k in row}
    odd = sorted(c for c in columns if _unexpected(c, columns))
    if history and "loss" not in columns:
        odd = odd or ["loss (missing)"]
    if odd:
        shown = ", ".join(repr(c[:40]) for c in odd[:5])
        raise RunFolderError(
            f"{folder.file(HISTORY)} has columns the trainer never writes ({shown}); it was edited"
        )


def _check_values(folder: RunFolder, history: list[dict[str, float]]) -> None:
    if [row.get("epoch") for row in history] != list(range(1, len(history) + 1)):
        raise RunFolderError(f"{folder.file(HISTORY)} does not list epochs 1..{len(history)}; it was edited")
    for row in history:
        for key, value in row.items():
            if not math.isfinite(value) or abs(value) > FLOAT32_MAX or (key == SECONDS and value < 0):
                raise RunFolderError(
                    f"{folder.file(HISTORY)}, epoch {int(row['epoch'])}: {key}={value:.3g} is not a value "
                    "training writes (infinite, negative time or beyond float32); it was edited"
                )


def checked_progress(folder: RunFolder) -> Progress:
    """run.json and history.csv read and checked together; RunFolderError says what is wrong."""
    state = folder.read_json(RUN)
    history = folder.read_history()
    _check_columns(folder, history)
    _check_values(folder, history)
    done = _whole(state, "epochs_done", len(history), folder)
    epochs = _whole(state, "epochs", 0, folder)
    if epochs and done > epochs:
        raise RunFolderError(
            f"{folder.file(RUN)} holds epochs_done={done} beyond epochs={epochs}; it was edited"
        )
    return Progress(state, history, done, epochs)
