"""`--limit` while reading a table: how many rows it needs, and a seeded uniform sample of labelled rows.

A label-sorted export (every "neg" row, then every "pos" row) makes a prefix of the file hold one class,
so classification tables keep a reservoir sample spread over the whole file; a time series keeps its
first rows, since the limit keeps the first windows chronologically anyway.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from seqtui.datasets.config import DataConfig

SAMPLE_MARGIN = 2.0
"""Rows sampled per training example asked for, beyond the split: rows without words are dropped later."""
MIN_SAMPLE_ROWS = 100
"""Never fewer: a classifier needs a few rows of each class to split into train, validation and test."""


def classification_rows(config: DataConfig, own_test: bool) -> int | None:
    """How many labelled rows to sample for `config.sample_limit` training examples (None: no limit).

    The split keeps (1 - validation) x (1 - test) of them for training; a file's own test set (NSMC's
    ratings_test.txt) takes no test share."""
    limit = config.sample_limit
    if not limit:
        return None
    kept = (1 - config.validation_split) * (1 if own_test else 1 - config.test_split)
    return max(MIN_SAMPLE_ROWS, math.ceil(SAMPLE_MARGIN * limit / max(kept, 1e-3)))


def series_rows(config: DataConfig) -> int | None:
    """How many first rows of a series give `config.sample_limit` training windows and validation and test
    parts with the windows the limit keeps of them (None: no limit).

    Splits are chronological: the training part is the first (1 - test) x (1 - validation) of the rows, and
    its windows need `lookback - 1` rows of history and `delay` rows ahead. Validation and test keep a share
    in proportion, as Dataset.limit gives them."""
    limit = config.sample_limit
    if not limit:
        return None
    t, v, delay, lookback = config.test_split, config.validation_split, config.delay, config.lookback
    val_windows = limit * v / (1 - v)  # what Dataset.limit keeps of a long series' parts
    test_windows = limit * t / ((1 - t) * (1 - v))

    def enough(rows: int) -> bool:
        """Whether, split as series_dataset splits and cut as Dataset.limit cuts, the parts hold their windows
        (validation and test within one window of it: their share of a short series is a little lower)."""
        n_test = int(rows * t)
        n_val = int((rows - n_test) * v)
        train = rows - n_test - n_val - delay - (lookback - 1)
        if train < limit:
            return False
        if min(n_val, n_test) <= delay:
            return False
        ratio = limit / train  # Dataset.limit keeps max(1, int(windows x ratio)) of a part
        val, test = max(1, int((n_val - delay) * ratio)), max(1, int((n_test - delay) * ratio))
        return val >= int(val_windows) - 1 and test >= int(test_windows) - 1

    rows = max(  # each part's rows over its share of the whole
        math.ceil((limit + lookback - 1 + delay) / ((1 - t) * (1 - v))),
        math.ceil((math.ceil(val_windows) + delay) / ((1 - t) * v)),
        math.ceil((math.ceil(test_windows) + delay) / t),
    )
    for _ in range(100):  # a delay long next to the lookback needs more rows to reach those shares
        if enough(rows):
            break
        rows = math.ceil(rows * 1.05) + 1
    return rows


T = TypeVar("T")


@dataclass
class Reservoir(Generic[T]):
    """A seeded uniform sample of at most `size` items from a stream (all of them when `size` is None), kept
    with their 1-based positions. Algorithm R: the i-th item replaces a random kept one with probability
    size / i, so each item is kept with the same chance whatever its place; the same seed keeps the same ones.
    """

    size: int | None
    seed: int = 0
    seen: int = 0
    kept: list[tuple[int, T]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def add(self, item: T) -> None:
        self.seen += 1
        if self.size is None or len(self.kept) < self.size:
            self.kept.append((self.seen, item))
            return
        slot = int(self._rng.random() * self.seen)
        if slot < self.size:
            self.kept[slot] = (self.seen, item)

    def in_order(self) -> list[T]:
        """The kept items in stream order."""
        return [item for _, item in sorted(self.kept, key=lambda kept: kept[0])]


@dataclass
class LabelledSample:
    """A seeded uniform sample of at most `size` labelled rows (all of them when `size` is None), plus one
    row of each label the sample would otherwise miss, so every class of the file stays a class (unless
    those would outnumber the sample: a label column with a value per row is no set of classes).

    The rows go through a `Reservoir`, so each is kept with the same chance whatever its place in the file.
    """

    size: int | None
    seed: int = 0
    _per_label: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    """label -> (rows seen, position, text) of one uniformly chosen row of that label."""

    def __post_init__(self) -> None:
        self._rows: Reservoir[tuple[str, str]] = Reservoir(self.size, self.seed)
        self._label_rng = random.Random(self.seed + 1)

    def add(self, text: str, label: str) -> None:
        self._rows.add((text, label))
        if self.size is not None:
            count, position, kept_text = self._per_label.get(label, (0, 0, ""))
            count += 1
            if self._label_rng.random() * count < 1:
                position, kept_text = self.seen, text
            self._per_label[label] = (count, position, kept_text)

    @property
    def seen(self) -> int:
        """Labelled rows offered so far."""
        return self._rows.seen

    @property
    def kept(self) -> int:
        return len(self._rows.kept)

    @property
    def classes(self) -> int:
        """Distinct labels among every row offered (counted when sampling)."""
        return len(self._per_label)

    @property
    def partial(self) -> bool:
        return self.seen > self.kept

    def take(self, k: int | None = None) -> tuple[list[str], list[str], list[str]]:
        """(texts, labels in file order, the labels added because the sample missed them); `k` takes a
        seeded uniform `k` of the sample (a uniform sample of a uniform sample is one of the whole file)."""
        rows = [(position, text, label) for position, (text, label) in self._rows.kept]
        if k is not None and k < len(rows):
            rows = [rows[i] for i in random.Random(self.seed + 2).sample(range(len(rows)), k)]
        have = {label for _, _, label in rows}
        missed = [
            (pos, text, label) for label, (_, pos, text) in self._per_label.items() if label not in have
        ]
        if len(missed) > len(rows):
            missed = []
        rows = sorted(rows + missed)
        return [text for _, text, _ in rows], [label for _, _, label in rows], [m[2] for m in missed]
