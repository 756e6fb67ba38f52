"""Why a model answered: occlusion explanations that need only a batch of predictions.

Occlusion works on every Keras backend and every architecture (no gradients): hide one part of the input,
predict again, and the drop in the class's log-odds, log(p / (1 - p)), is a token's importance (in
probability the words of a confident answer all score near 0: at p = 0.996 hiding "gorgeous" moves p by
0.004 but its log-odds by about 1); an image region's importance is the drop in probability. Each explanation is one
batched prediction, so a 200-token sentence costs one forward pass of 201 rows.

- Text: each token replaced by the OOV id (or removed, the rest re-padded); the prefix curve gives the
  class probabilities after each prefix of the sentence, which is what a recurrent state "believes" so far.
- Images: a square patch set to background slides over the 28x28 image; a pixel's importance is the mean
  drop of the patches covering it.

The functions take `predict`, any batch -> probabilities function, so they explain a Keras model
(`Predictor.explain_*`) or anything else that answers in that shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from seqtui.datasets.base import ImageEncoder, TextEncoder
from seqtui.datasets.tokenizer import TokenView, pad

Predict = Callable[[np.ndarray], np.ndarray]
Occlusion = Literal["oov", "remove"]


@dataclass(frozen=True)
class TextExplanation:
    """The tokens the model saw, what each did for one class, and the class probability after each prefix."""

    tokens: list[TokenView]
    class_name: str
    probability: float
    """The class probability for the whole text."""
    importance: list[float]
    """Per token: the class's log-odds with the text minus with the token hidden (+ = supports)."""
    prefix: list[float]
    """Per token k: the class probability having read tokens 0..k."""
    prefix_all: list[list[float]]
    """Per token k: every class's probability having read tokens 0..k (the classes in model order)."""
    method: Occlusion = "oov"

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "probability": self.probability,
            "method": self.method,
            "importance_unit": "log-odds",
            "tokens": [
                {"text": t.text, "id": t.id, "known": t.known, "importance": imp, "prefix_probability": p}
                for t, imp, p in zip(self.tokens, self.importance, self.prefix, strict=True)
            ],
        }


@dataclass(frozen=True)
class ImageExplanation:
    """Which pixels pushed one class: a 28x28 map of probability drops when a patch around them is hidden."""

    class_name: str
    probability: float
    heat: np.ndarray
    """(28, 28) floats: + where hiding the ink lowers the class probability."""
    patch: int
    stride: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "probability": self.probability,
            "patch": self.patch,
            "stride": self.stride,
            "heat": np.round(self.heat, 5).tolist(),
        }


def class_probabilities(raw: np.ndarray) -> np.ndarray:
    """Model outputs -> (n, classes) probabilities; a binary model's single sigmoid becomes [1-p, p]."""
    raw = np.asarray(raw, dtype="float64")
    if raw.ndim == 1:
        raw = raw[:, None]
    if raw.shape[1] == 1:
        return np.concatenate([1.0 - raw, raw], axis=1)
    return raw


LOG_ODDS_LIMIT = 1e-7
"""Probabilities are clipped to [1e-7, 1 - 1e-7] first: a saturated sigmoid's 1.0 has finite log-odds."""


def log_odds(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 - p)), the scale on which a confident model's evidence adds up."""
    p = np.clip(np.asarray(p, dtype="float64"), LOG_ODDS_LIMIT, 1 - LOG_ODDS_LIMIT)
    return np.log(p) - np.log1p(-p)


def _target(probs: np.ndarray, class_names: list[str], target: str | None) -> tuple[int, str]:
    """The explained class: `target` by name, else the predicted one."""
    names = class_names or [str(i) for i in range(probs.shape[-1])]
    names = names + [str(i) for i in range(len(names), probs.shape[-1])]
    if target is None:
        index = int(np.argmax(probs))
        return index, names[index]
    if target not in names:
        raise ValueError(f"unknown class {target!r}; the classes are {', '.join(names)}")
    return names.index(target), target


def explain_text(
    predict: Predict,
    encoder: TextEncoder,
    text: str,
    class_names: list[str],
    target: str | None = None,
    method: Occlusion = "oov",
) -> TextExplanation:
    """Token importance by occlusion and the prefix curve, from one batched prediction."""
    tokens, _ = encoder.view(text)
    ids = [t.id for t in tokens]
    tok = encoder.tokenizer
    occludable = [i for i, t in enumerate(tokens) if t.id != tok.start_id]
    rows: list[list[int]] = [ids]
    for i in occludable:
        rows.append(ids[:i] + [tok.oov_id] + ids[i + 1 :] if method == "oov" else ids[:i] + ids[i + 1 :])
    rows += [ids[: k + 1] for k in range(len(ids))]
    probs = class_probabilities(predict(pad(rows, encoder.maxlen, encoder.padding, encoder.truncating)))
    index, name = _target(probs[0], class_names, target)
    base = float(probs[0, index])
    odds = log_odds(probs[: 1 + len(occludable), index])
    importance = [0.0] * len(tokens)
    for row, i in enumerate(occludable, start=1):
        importance[i] = float(odds[0] - odds[row])
    prefix_rows = probs[1 + len(occludable) :]
    return TextExplanation(
        tokens,
        name,
        base,
        importance,
        [float(p) for p in prefix_rows[:, index]],
        prefix_rows.tolist(),
        method,
    )


def explain_image(
    predict: Predict,
    encoder: ImageEncoder,
    image: np.ndarray,
    class_names: list[str],
    target: str | None = None,
    patch: int = 4,
    stride: int = 2,
) -> ImageExplanation:
    """Patch occlusion over a prepared 28x28 uint8 image (white ink on black), in one batched prediction."""
    image = np.asarray(image, dtype="uint8")
    h, w = image.shape
    corners = [(y, x) for y in range(0, h - patch + 1, stride) for x in range(0, w - patch + 1, stride)]
    batch = np.repeat(image[None], len(corners) + 1, axis=0)
    for n, (y, x) in enumerate(corners, start=1):
        batch[n, y : y + patch, x : x + patch] = 0
    probs = class_probabilities(predict(encoder.encode(batch)))
    index, name = _target(probs[0], class_names, target)
    base = float(probs[0, index])
    total = np.zeros((h, w))
    covered = np.zeros((h, w))
    for n, (y, x) in enumerate(corners, start=1):
        total[y : y + patch, x : x + patch] += base - probs[n, index]
        covered[y : y + patch, x : x + patch] += 1
    heat = np.divide(total, covered, out=np.zeros_like(total), where=covered > 0)
    return ImageExplanation(name, base, heat, patch, stride)
