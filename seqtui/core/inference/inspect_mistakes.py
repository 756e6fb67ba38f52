"""Where the model fails: the test examples it gets wrong, grouped by (true, predicted) class, most
confident first.

The test split is rebuilt as training built it: the run's config.json read again and its data loaded with
`load_dataset` (the same seeded splits and sample limit). A user's file must still hold the bytes the run
trained on (the SHA-256 saved in config.json), and the data must encode as the run's saved encoder does;
otherwise the "test examples" would be other ones, so the view refuses with one message.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from seqtui.core.inference.errors import InspectError
from seqtui.core.runs.folder import CONFIG
from seqtui.datasets.base import Dataset, TextEncoder

if TYPE_CHECKING:
    from seqtui.core.inference.predict import Predictor

PREDICT_BATCH = 256


def rebuilt_data(predictor: Predictor) -> Dataset:
    """The run's data split again exactly as when it trained, or InspectError when that can't be."""
    from seqtui.datasets.fingerprint import data_fingerprint
    from seqtui.datasets.registry import load_dataset

    folder = predictor.folder
    config = folder.read_config()
    path, saved = config.data.data_path, folder.read_json(CONFIG).get("data_sha256")
    if path and saved and data_fingerprint(path) != saved:
        raise InspectError(
            f"{path} is missing or no longer holds the data this run trained on (its SHA-256 differs from the one "
            f"in {folder.file(CONFIG)}), so its test split can't be rebuilt"
        )
    data = load_dataset(config.data)
    if _encoding(data.encoder) != _encoding(predictor.encoder):
        raise InspectError(
            f"the data of {folder.path} now encodes differently than when the run trained (another vocabulary "
            "or maxlen), so its test split can't be rebuilt"
        )
    return data


def _encoding(encoder: Any) -> str:
    raw = encoder.to_dict()
    if isinstance(raw.get("tokenizer"), dict):
        raw["tokenizer"] = {k: v for k, v in raw["tokenizer"].items() if k != "analyser"}
    return json.dumps(raw, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Mistake:
    row: int
    """The example's row in the test split."""
    text: str
    """Its tokens as the model saw them (for an image: 'test image N')."""
    confidence: float
    """The probability the model gave its answer (the predicted class; a wrong one in `find_mistakes`)."""


@dataclass(frozen=True)
class MistakeGroup:
    true: str
    predicted: str
    count: int
    examples: list[Mistake] = field(default_factory=list)


@dataclass(frozen=True)
class Mistakes:
    total: int
    wrong: int
    groups: list[MistakeGroup] = field(default_factory=list)
    """The (true, predicted) pairs, most frequent first."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "wrong": self.wrong,
            "groups": [
                {"true": g.true, "predicted": g.predicted, "count": g.count,
                 "examples": [{"row": m.row, "text": m.text, "confidence": round(m.confidence, 6)} for m in g.examples]}
                for g in self.groups
            ],
        }  # fmt: skip


def _describe(encoder: Any, x: np.ndarray, row: int) -> str:
    if not isinstance(encoder, TextEncoder):
        return f"test image {row}"
    tok = encoder.tokenizer
    joiner = "" if tok.split == "character" else " "
    return joiner.join(tok.decode(x[row]))


@dataclass(frozen=True)
class TestAnswers:
    """The model's answer on every test example: the one computation behind the mistakes, the confusion
    matrix and each of its cells."""

    __test__ = False  # a name pytest would otherwise collect
    probs: np.ndarray
    """(examples, classes): a binary model's p becomes the two columns [1 - p, p]."""
    true: np.ndarray
    x: np.ndarray
    """The test inputs as the model read them (token ids, or images in [0, 1])."""
    encoder: Any
    names: list[str]

    @property
    def predicted(self) -> np.ndarray:
        return self.probs.argmax(axis=1)  # a binary model: p > 0.5, as the runner's confusion matrix counts

    def name(self, index: int) -> str:
        return _name(self.names, index)

    def confusion(self) -> list[list[int]]:
        """Rows are true classes, columns predictions, as the runner's matrix at the end of training."""
        n = max(self.probs.shape[1], int(self.true.max(initial=0)) + 1)
        matrix = np.zeros((n, n), dtype=int)
        np.add.at(matrix, (self.true, self.predicted), 1)
        return matrix.tolist()

    def rows(self, true: int, predicted: int) -> list[int]:
        """The test rows of one cell, most confident (in the predicted class) first, ties by row."""
        rows = np.flatnonzero((self.true == true) & (self.predicted == predicted))
        return sorted((int(r) for r in rows), key=lambda r: (-self.probs[r, predicted], r))

    def cell(self, true: int, predicted: int, limit: int | None = None) -> list[Mistake]:
        """The examples of one (true, predicted) cell, right answers on the diagonal included."""
        return [
            Mistake(r, _describe(self.encoder, self.x, r), float(self.probs[r, predicted]))
            for r in self.rows(true, predicted)[:limit]
        ]

    def image(self, row: int) -> np.ndarray | None:
        """A test image as 28x28 uint8 pixels (what the Predict canvas holds); None for other inputs."""
        if isinstance(self.encoder, TextEncoder) or self.x[row].size != 28 * 28:
            return None
        return (
            np.clip(np.round(np.asarray(self.x[row], dtype="float64") * 255), 0, 255)
            .astype("uint8")
            .reshape(28, 28)
        )


def answer_test(predictor: Predictor, data: Dataset) -> TestAnswers:
    """Every test example run through the model once."""
    names = predictor.class_names
    if not len(data.x_test):
        return TestAnswers(
            np.zeros((0, max(2, len(names)))), np.zeros(0, dtype=int), data.x_test, predictor.encoder, names
        )
    raw = np.asarray(
        predictor.model.predict(data.x_test, batch_size=PREDICT_BATCH, verbose=0), dtype="float64"
    )
    probs = np.concatenate([1.0 - raw, raw], axis=1) if raw.shape[1] == 1 else raw
    true = np.asarray(data.y_test).reshape(len(probs), -1)[:, 0].astype(int)
    return TestAnswers(
        probs, true, data.x_test, predictor.encoder, names or [str(i) for i in range(probs.shape[1])]
    )


def find_mistakes(predictor: Predictor, data: Dataset, per_pair: int = 5) -> Mistakes:
    """Every wrong answer on the test split: counted by (true, predicted), the `per_pair` most confident
    of each pair kept."""
    answers = answer_test(predictor, data)
    if not len(answers.probs):
        return Mistakes(0, 0)
    wrong = answers.predicted != answers.true
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for row in np.flatnonzero(wrong):
        pairs[(int(answers.true[row]), int(answers.predicted[row]))] += 1
    groups = [
        MistakeGroup(answers.name(t), answers.name(p), count, answers.cell(t, p, per_pair))
        for (t, p), count in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Mistakes(len(answers.probs), int(wrong.sum()), groups)


def _name(names: list[str], index: int) -> str:
    return names[index] if 0 <= index < len(names) else str(index)
