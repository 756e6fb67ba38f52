"""The long-memory experiment: Hochreiter and Schmidhuber's adding problem, generated offline and seeded.

Each sequence has `length` steps of two features: a value drawn uniformly from [0, 1] and a marker, 1 on
exactly two steps (one in the first half, one in the second) and 0 elsewhere. The target is the sum of the
two marked values. Everything between the marks is noise the model must carry its memory across, so the
task shows what a recurrent layer keeps over many steps: a SimpleRNN loses the first mark as the sequence
grows, an LSTM or a GRU keeps it (Hochreiter & Schmidhuber 1997, experiment 4; Le et al. 2015).

The natural reference is always answering 1, the mean of the target (two uniform values sum to 1 on
average): its mean squared error is 1/6 (the variance of the sum) and its mean absolute error 1/3. The
inputs are used as they are (already in [0, 1]); `SeriesEncoder` records them as not normalised.
"""

from __future__ import annotations

import numpy as np

from seqtui.datasets.base import Dataset, SeriesEncoder
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError

ADDING_SAMPLES = 10_000
"""Sequences in all, before the validation and test parts are held out."""
ADDING_FEATURES = ("value", "marker")
MIN_LENGTH = 2
MAX_LENGTH = 10_000
SEED = 23
"""The data is the same on every run and every machine: the seed is the dataset's, not the run's."""


def adding_problem(n: int, length: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """n sequences of the adding problem: x (n, length, 2) float32, y (n,) float32 the marked sums."""
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise DataError(
            f"the adding problem needs a length from {MIN_LENGTH} to {MAX_LENGTH:,} steps (got {length}); "
            "set it with --lookback"
        )
    rng = np.random.default_rng(seed)
    values = rng.random((n, length), dtype=np.float64).astype("float32")
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    markers = np.zeros((n, length), dtype="float32")
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values[rows, first] + values[rows, second]).astype("float32")
    return x, y


def load_adding(config: DataConfig, info: object = None) -> Dataset:
    """The adding problem with `config.lookback` steps, split into train, validation and test parts."""
    if config.step != 1:
        raise DataError(f"the adding problem reads every step: --step must be 1 (got {config.step})")
    x, y = adding_problem(ADDING_SAMPLES, config.lookback)
    n_test = max(1, int(round(len(x) * config.test_split)))
    n_val = max(1, int(round((len(x) - n_test) * config.validation_split)))
    n_train = len(x) - n_test - n_val
    if n_train < 1:
        raise DataError(
            f"--validation-split {config.validation_split:g} and --test-split {config.test_split:g} leave no "
            f"training sequences of the {len(x):,}; lower them (e.g. 0.2)"
        )
    parts = np.split(np.arange(len(x)), [n_train, n_train + n_val])
    (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = ((x[p], y[p]) for p in parts)
    encoder = SeriesEncoder(
        list(ADDING_FEATURES), "value", [0.0, 0.0], [1.0, 1.0], config.lookback, 1, 1
    )  # the inputs are already in [0, 1]: nothing to normalise
    # no "tomorrow equals now" here: the baseline to beat is always answering the mean (`baselines.py`)
    return Dataset("adding", "regression", "series", x_tr, y_tr, x_val, y_val, x_te, y_te, encoder)
