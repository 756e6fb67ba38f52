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
    """The probability the model gave its (wrong) answer."""


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


def find_mistakes(predictor: Predictor, data: Dataset, per_pair: int = 5) -> Mistakes:
    """Every wrong answer on the test split: counted by (true, predicted), the `per_pair` most confident
    of each pair kept."""
    if not len(data.x_test):
        return Mistakes(0, 0)
    raw = np.asarray(
        predictor.model.predict(data.x_test, batch_size=PREDICT_BATCH, verbose=0), dtype="float64"
    )
    probs = np.concatenate([1.0 - raw, raw], axis=1) if raw.shape[1] == 1 else raw
    predicted = probs.argmax(axis=1)  # a binary model: p > 0.5, as the runner's confusion matrix counts
    true = np.asarray(data.y_test).reshape(len(probs), -1)[:, 0].astype(int)
    names = predictor.class_names or [str(i) for i in range(probs.shape[1])]
    pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row in np.flatnonzero(predicted != true):
        pairs[(int(true[row]), int(predicted[row]))].append(int(row))
    groups = []
    for (t, p), rows in sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ranked = sorted(rows, key=lambda r: (-probs[r, p], r))[:per_pair]
        examples = [
            Mistake(r, _describe(predictor.encoder, data.x_test, r), float(probs[r, p])) for r in ranked
        ]
        groups.append(MistakeGroup(_name(names, t), _name(names, p), len(rows), examples))
    return Mistakes(len(probs), int((predicted != true).sum()), groups)


def _name(names: list[str], index: int) -> str:
    return names[index] if 0 <= index < len(names) else str(index)
