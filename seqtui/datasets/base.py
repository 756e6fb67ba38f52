"""The one shape every loader answers with, the encoders saved with a run, and the data error."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from seqtui.datasets.errors import DataError
from seqtui.datasets.lengths import TextStats
from seqtui.datasets.tokenizer import Tokenizer, TokenView, pad

Task = Literal["binary", "multiclass", "regression", "generation"]
InputKind = Literal["tokens", "image", "series"]


@dataclass
class TextEncoder:
    """Raw text -> padded id sequences, as in training."""

    tokenizer: Tokenizer
    maxlen: int
    padding: str = "pre"
    truncating: str = "pre"
    kind: str = "text"

    def encode(self, texts: list[str]) -> np.ndarray:
        ids = [self.tokenizer.ids(words) for words in self.tokenizer.split_texts(texts)]
        return pad(ids, self.maxlen, self.padding, self.truncating)

    def view(self, text: str) -> tuple[list[TokenView], int]:
        """The tokens the model sees for a text, and how many were cut off by maxlen."""
        tokens = self.tokenizer.view(text)
        cut = max(0, len(tokens) - self.maxlen)
        if cut:
            tokens = tokens[cut:] if self.truncating == "pre" else tokens[: self.maxlen]
        return tokens, cut

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "maxlen": self.maxlen,
            "padding": self.padding,
            "truncating": self.truncating,
            "tokenizer": self.tokenizer.to_dict(),
        }


Preparation = Literal["digit", "plain"]
PREPARATIONS: tuple[Preparation, ...] = ("digit", "plain")
"""How a new image is made into what the model trained on (`datasets.images.prepare`): "digit" as MNIST
prepared its digits (inverted when bright, cropped to the ink, fit into 20x20, centred by mass), "plain"
resized to 28x28 only (Fashion-MNIST, the user's images): never inverted nor cropped."""


@dataclass
class ImageEncoder:
    """uint8 images (n, 28, 28) -> floats in [0, 1], flattened for MLPs."""

    shape: tuple[int, ...] = (28, 28, 1)
    kind: str = "image"
    preparation: Preparation | None = "plain"
    """How the training images were prepared, so prediction prepares a new one alike; None in a run saved
    before seqtui recorded it (`Predictor.load` then infers it from the run's dataset)."""

    def encode(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, dtype="float32") / 255.0
        return images.reshape((len(images), *self.shape))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "shape": list(self.shape), "preparation": self.preparation}


@dataclass
class SeriesEncoder:
    """Windows of a multivariate series, normalised by the training mean and std."""

    columns: list[str]
    target: str
    mean: list[float]
    std: list[float]
    lookback: int
    step: int
    delay: int
    kind: str = "series"
    unit: str = ""
    """The target's unit when the data names it ("°F", "°C"), for errors shown in the series' units; "" when
    unknown (and in a run saved before seqtui recorded it)."""

    @property
    def target_index(self) -> int:
        return self.columns.index(self.target)

    def normalize(self, values: np.ndarray) -> np.ndarray:
        return ((values - np.asarray(self.mean)) / np.asarray(self.std)).astype("float32")

    def denormalize_target(self, values: np.ndarray) -> np.ndarray:
        i = self.target_index
        return np.asarray(values) * self.std[i] + self.mean[i]

    def to_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("kind", "columns", "target", "mean", "std", "lookback", "step", "delay", "unit")
        }


Encoder = TextEncoder | ImageEncoder | SeriesEncoder


MAX_MAXLEN = 100_000


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _need(ok: bool, name: str, value: Any) -> None:
    if not ok:
        raise ValueError(f"{name}={str(value)[:60]!r} is not a value seqtui writes")


def _check_series(e: SeriesEncoder) -> None:
    for name in ("lookback", "step", "delay"):
        _need(_whole(getattr(e, name)) and getattr(e, name) <= 10_000_000, name, getattr(e, name))
    _need(e.step <= e.lookback, "step", e.step)
    _need(isinstance(e.columns, list) and bool(e.columns) and all(isinstance(c, str) for c in e.columns),
          "columns", e.columns)  # fmt: skip
    _need(e.target in e.columns, "target", e.target)
    _need(isinstance(e.unit, str) and len(e.unit) <= 40, "unit", e.unit)
    for name in ("mean", "std"):
        values = getattr(e, name)
        ok = isinstance(values, list) and len(values) == len(e.columns)
        _need(ok and all(isinstance(v, (int, float)) and math.isfinite(v) for v in values), name, values)


def encoder_from_dict(raw: dict[str, Any]) -> Encoder:
    """The encoder a run saved; a DataError (never a KeyError or TypeError) when the dict is not one."""
    kind = raw.get("kind")
    try:
        if kind == "text":
            tokenizer = Tokenizer.from_dict(raw["tokenizer"])
            _need(_whole(raw["maxlen"]) and raw["maxlen"] <= MAX_MAXLEN, "maxlen", raw["maxlen"])
            for name in ("padding", "truncating"):
                _need(raw[name] in ("pre", "post"), name, raw[name])
            return TextEncoder(tokenizer, raw["maxlen"], raw["padding"], raw["truncating"])
        if kind == "image":
            shape = raw["shape"]
            ok = isinstance(shape, list) and all(_whole(s) for s in shape) and math.prod(shape) == 28 * 28
            _need(ok, "shape", shape)
            preparation = raw.get("preparation")  # absent in a run saved before it was recorded
            _need(preparation is None or preparation in PREPARATIONS, "preparation", preparation)
            return ImageEncoder(tuple(shape), preparation=preparation)
        if kind == "series":
            encoder = SeriesEncoder(**{k: v for k, v in raw.items() if k != "kind"})
            _check_series(encoder)
            return encoder
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"no {exc.args[0]!r} field" if isinstance(exc, KeyError) else str(exc)
        raise DataError(f"a damaged {kind} encoder ({reason})") from None
    raise DataError(f"an encoder of unknown kind {kind!r}")


PARTS = ("train", "val", "test")


@dataclass
class Dataset:
    """Arrays ready for Keras plus what prediction needs to read raw input and name the answer."""

    name: str
    task: Task
    input_kind: InputKind
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    encoder: Encoder
    class_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Warnings for the user (e.g. a vocab size above what the data has)."""
    baseline: dict[str, float] = field(default_factory=dict)
    """Reference metrics of a trivial model (e.g. 'tomorrow equals now' MAE)."""
    words: dict[str, np.ndarray] = field(default_factory=dict)
    """Text data only: per part ('train', 'val', 'test'), each row's raw text as an object array, row for row
    with its x and y (IMDB and Reuters: Keras' word ids spelt as words, before any vocabulary cut). What the
    word-level baseline reads, so it stays the same whatever the run's tokenizer, vocabulary or maxlen."""
    text_stats: TextStats | None = None
    """Text read from the user's files: the training texts' token lengths and the vocabulary's coverage (the
    suggested maxlen, the coverage lines of the CLI's start and the sweep's default maxlen range)."""

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def cut_parts(self, cut: Callable[[np.ndarray], np.ndarray]) -> Dataset:
        """A copy with `cut` applied to x and y of the train, validation and test parts (x and y of a part
        have the same length, so a cut that depends only on it keeps them paired), and to the raw words."""
        return dataclasses.replace(
            self,
            **{f"{xy}_{part}": cut(getattr(self, f"{xy}_{part}")) for part in PARTS for xy in "xy"},
            words={part: cut(rows) for part, rows in self.words.items()},
        )

    def limit(self, n: int | None) -> Dataset:
        """At most n training samples (and proportionally fewer validation/test ones).

        Training rows are already shuffled (or chronological, for a series), so the first n are kept. A test
        set may come in file order (aclImdb's test/neg before test/pos), so validation and test keep a
        seeded sample spread over the whole set, in its order: a prefix could hold a single class.
        Tables and series were already read only in part for the limit (`row_limits`); this cuts to n.
        """
        if not n or n >= len(self.x_train):
            return self
        ratio = n / len(self.x_train)
        self.x_train, self.y_train = self.x_train[:n], self.y_train[:n]
        if "train" in self.words:
            self.words["train"] = self.words["train"][:n]
        for part in ("val", "test"):
            rows = _sample(len(getattr(self, f"x_{part}")), ratio)
            setattr(self, f"x_{part}", getattr(self, f"x_{part}")[rows])
            setattr(self, f"y_{part}", getattr(self, f"y_{part}")[rows])
            if part in self.words:
                self.words[part] = self.words[part][rows]
        return self


def _sample(n: int, ratio: float) -> np.ndarray:
    """A seeded `ratio` of n rows (at least one), in their original order."""
    keep = min(n, max(1, int(n * ratio)))
    return np.sort(np.random.default_rng(0).choice(n, keep, replace=False))


def shuffled_split(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with a seed, then hold out `fraction` of the rows: (x_keep, y_keep, x_out, y_out)."""
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_out = max(1, int(round(len(x) * fraction)))
    if n_out >= len(x):
        raise DataError(
            f"only {len(x)} samples: too few to hold out {fraction:.2%} of them; lower --validation-split or "
            "--test-split, or add more data"
        )
    return x[:-n_out], y[:-n_out], x[-n_out:], y[-n_out:]


def label_ids(labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """String labels -> ids, with class names sorted (numeric labels numerically)."""
    unique = sorted(set(labels), key=_label_order)
    index = {name: i for i, name in enumerate(unique)}
    return np.array([index[v] for v in labels], dtype="int32"), unique


def _label_order(label: str) -> tuple[int, float, str]:
    """Numbers first, numerically, then text; 'nan' is text (it would make the order depend on the input's)."""
    value = float(label) if is_number(label) else math.nan
    return (0, value, label) if math.isfinite(value) else (1, 0.0, label)


def is_number(text: str) -> bool:
    """Whether a cell reads as a number (as `float` reads it: '3', '-2.5e3', 'nan', 'inf')."""
    try:
        float(text)
    except ValueError:
        return False
    return True
