"""The Embedding's most frequent words on a plane: an exact 2-D PCA, each word marked by the class it
pushes toward.

PCA: the embedding rows of the `count` most frequent words (the tokenizer's lowest ids) are centred on their
mean and decomposed with NumPy's SVD, X - mean = U S V^T; a word's coordinates are its centred row times the
first two right singular vectors (= U S's first two columns). Each component's sign is fixed so that its
largest loading is positive (a sign an SVD may flip between machines). `explained` is each component's
share of the total variance, S_k^2 / sum S^2.

The class a word pushes toward: the model reads the word alone (one token, the rest padding) and the
sentence with no word (all padding); the word's class is the one whose probability rises most from the
second to the first (a sigmoid head: the positive class if p rises, else the negative one), and `push` is
that rise. It is the whole model's answer, not a guess from the output layer's weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqtui.core.inference.errors import InspectError

COUNT = 60


def pca_2d(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of `matrix` (n, d) on their first two principal components (n, 2), and each component's
    share of the variance (2,). A matrix with one column has a second coordinate of 0."""
    x = np.asarray(matrix, dtype="float64")
    if len(x) < 2:
        raise InspectError("a projection needs at least 2 words with their own embedding row")
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    signs = np.sign(vt[np.arange(len(vt)), np.argmax(np.abs(vt), axis=1)])
    vt = vt * np.where(signs == 0, 1.0, signs)[:, None]
    coords = np.zeros((len(x), 2))
    k = min(2, len(vt))
    coords[:, :k] = centred @ vt[:k].T
    total = float((s**2).sum())
    explained = np.zeros(2)
    explained[:k] = s[:k] ** 2 / total if total > 0 else 0.0
    return coords, explained


def class_push(alone: np.ndarray, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per word the class whose probability rises most from the empty sentence `empty` (k,) to the word
    alone `alone` (n, k), and that rise. A sigmoid head (k = 1): class 1 when p rises, else class 0."""
    alone, empty = np.asarray(alone, dtype="float64"), np.asarray(empty, dtype="float64").reshape(-1)
    rise = alone - empty
    if rise.shape[1] == 1:
        up = rise[:, 0] >= 0
        return up.astype(int), np.abs(rise[:, 0])
    best = np.argmax(rise, axis=1)
    return best, rise[np.arange(len(rise)), best]


@dataclass(frozen=True)
class Projection:
    """The most frequent words on the plane of the embedding's first two principal components."""

    words: list[str]
    ids: list[int]
    coords: np.ndarray
    """(n, 2)."""
    explained: np.ndarray
    classes: list[int] = field(default_factory=list)
    """Per word the class it pushes toward (an index into `class_names`)."""
    push: list[float] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)

    def class_of(self, n: int) -> str | None:
        """The name of the class word `n` pushes toward; None for a model without classes."""
        if not self.classes:
            return None
        c = self.classes[n]
        return self.class_names[c] if c < len(self.class_names) else str(c)

    def to_dict(self) -> dict[str, Any]:
        words = []
        for n, (word, i, (x, y)) in enumerate(zip(self.words, self.ids, self.coords, strict=True)):
            push = round(self.push[n], 6) if self.push else None
            words.append({"word": word, "id": i, "x": round(float(x), 6), "y": round(float(y), 6),
                          "class": self.class_of(n), "push": push})  # fmt: skip
        return {"explained": np.round(self.explained, 6).tolist(), "words": words}


def alone_ids(ids: list[int], maxlen: int, padding: str) -> np.ndarray:
    """Each id as a one-token padded sequence (len(ids) + 1, maxlen), and last the sequence with no token."""
    x = np.zeros((len(ids) + 1, maxlen), dtype="int32")
    x[np.arange(len(ids)), maxlen - 1 if padding == "pre" else 0] = ids
    return x
