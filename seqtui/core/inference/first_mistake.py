"""The first validation example a trained model gets wrong: what the app pins as a probe for the next run
(watch, epoch by epoch, whether a new model learns the case this one missed).

The validation split is rebuilt as the run trained (`inspect_mistakes.rebuilt_data`), so "the first" is
the same example every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.inspect_mistakes import PREDICT_BATCH, rebuilt_data
from seqtui.datasets.base import ImageEncoder, TextEncoder

if TYPE_CHECKING:
    from seqtui.core.inference.predict import Predictor

SCAN_LIMIT = 5000
"""Validation rows looked at, at most (in order)."""


@dataclass(frozen=True)
class Missed:
    """The example (its text, or 28x28 uint8 pixels), its row, its true class and the model's answer."""

    row: int
    true: str
    answer: str
    text: str | None = None
    pixels: np.ndarray | None = None


def _text(data_words: dict[str, np.ndarray], encoder: TextEncoder, x: np.ndarray, row: int) -> str:
    """The raw validation text where the dataset keeps it, else its tokens joined back."""
    if "val" in data_words and row < len(data_words["val"]):
        return str(data_words["val"][row])
    joiner = "" if encoder.tokenizer.split == "character" else " "
    return joiner.join(encoder.tokenizer.decode(x[row]))


def first_validation_mistake(predictor: Predictor) -> Missed:
    """The first validation row whose predicted class is not its label; InspectError when the model answers
    every one right (or the run has no classes, or its split can't be rebuilt)."""
    if predictor.task not in ("binary", "multiclass"):
        raise InspectError("only a classifier's mistakes can be pinned as probes")
    data = rebuilt_data(predictor)
    x, y = data.x_val[:SCAN_LIMIT], np.asarray(data.y_val[:SCAN_LIMIT]).reshape(-1)
    if not len(x):
        raise InspectError("this run has no validation examples")
    raw = np.asarray(predictor.model.predict(x, batch_size=PREDICT_BATCH, verbose=0), dtype="float64")
    predicted = (raw[:, 0] > 0.5).astype(int) if raw.shape[1] == 1 else raw.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y.astype(int))
    if not len(wrong):
        raise InspectError(f"the model answers all {len(x):,} validation examples it was checked on right")
    row = int(wrong[0])
    names = predictor.class_names or [str(i) for i in range(max(2, raw.shape[1]))]
    missed = {"row": row, "true": names[int(y[row])], "answer": names[int(predicted[row])]}
    encoder = predictor.encoder
    if isinstance(encoder, ImageEncoder):
        pixels = np.clip(np.round(np.asarray(x[row], dtype="float64") * 255), 0, 255).astype("uint8")
        return Missed(**missed, pixels=pixels.reshape(encoder.shape[:2]))
    assert isinstance(encoder, TextEncoder)
    return Missed(**missed, text=_text(data.words, encoder, x, row))
