"""The data part of a `train.py` for a run on the data seqtui generates: the toy sine `sequence` (a few steps
in, the next one out) and the `adding` problem (sum the two marked values of a long sequence). The script
generates them as `seqtui.datasets.samples.load_sequence` and `seqtui.datasets.memory.load_adding` do, with
the same NumPy calls and seed, splits and windows, so its arrays are seqtui's exactly (`--limit` is the
shared `limited`)."""

from __future__ import annotations

from typing import Any

from seqtui.core.runs.script_parts import Config, DataReader

TOY_DATASETS = ("sequence", "adding")
"""The datasets seqtui generates rather than reads."""


def _sequence(data: dict[str, Any]) -> str:
    return f'''COLUMNS = ["value"]
LOOKBACK = {data["lookback"]!r}  # rows the model sees, every STEP-th of them
STEP = {data["step"]!r}
DELAY = {data["delay"]!r}  # how many rows ahead the target lies


def windows(values, start, stop):
    """The windows whose last row and target both lie in [start, stop): LOOKBACK // STEP rows each, every
    STEP-th one, ending on the last observed row; the target DELAY rows after it."""
    ends = np.arange(max(start, LOOKBACK - 1), min(stop, len(values)) - DELAY)
    offsets = -STEP * np.arange(LOOKBACK // STEP)[::-1]
    return values[ends[:, None] + offsets[None, :]], values[ends + DELAY, 0]


def load_data():
    """A sine wave sampled every 0.1 rad, 2,000 values; split in time (train, then validation, then test),
    normalised by the training part's mean and std, and cut into windows."""
    t = np.arange(2000, dtype="float32")
    values = np.sin(0.1 * t)[:, None].astype("float32")
    n = len(values)
    n_test = int(n * TEST_SPLIT)
    n_val = int((n - n_test) * VALIDATION_SPLIT)
    n_train = n - n_val - n_test
    mean = values[:n_train].astype("float64").mean(axis=0)
    std = values[:n_train].astype("float64").std(axis=0)
    values = ((values - mean) / std).astype("float32")
    return windows(values, 0, n_train), windows(values, n_train, n_train + n_val), windows(values, n_train + n_val, n)'''


def _adding(data: dict[str, Any]) -> str:
    from seqtui.datasets.memory import ADDING_FEATURES, ADDING_SAMPLES, SEED

    return f'''COLUMNS = {list(ADDING_FEATURES)!r}  # per step: a value in [0, 1], and a marker (1 on two steps)
LOOKBACK = {data["lookback"]!r}  # steps per sequence
STEP = 1
SEQUENCES = {ADDING_SAMPLES!r}
DATA_SEED = {SEED!r}  # the data's own seed: the same sequences on every run


def adding_problem(n, length, seed):
    """n sequences of `length` steps; the target is the sum of the two marked values (one marked step in
    each half). Always answering 1, the mean, scores MSE 1/6: the baseline to beat."""
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


def load_data():
    """The adding problem, split in order: the first sequences train, then validation, then test."""
    x, y = adding_problem(SEQUENCES, LOOKBACK, DATA_SEED)
    n_test = max(1, int(round(len(x) * TEST_SPLIT)))
    n_val = max(1, int(round((len(x) - n_test) * VALIDATION_SPLIT)))
    n_train = len(x) - n_test - n_val
    val = n_train + n_val
    return (x[:n_train], y[:n_train]), (x[n_train:val], y[n_train:val]), (x[val:], y[val:])'''


_SECTIONS = {"sequence": _sequence, "adding": _adding}


def _claims(config: Config) -> bool:
    return config.get("data", {}).get("dataset") in TOY_DATASETS and config.get("input_kind") == "series"


def _problem(config: Config) -> str | None:
    """Settings seqtui itself refuses for these datasets (a damaged config.json)."""
    data = config["data"]
    if data["dataset"] == "adding" and data.get("step") != 1:
        return (
            f"the adding problem reads every step (--step 1), but config.json says step {data.get('step')!r}"
        )
    if data["dataset"] == "sequence" and data.get("target_column") not in (None, "value"):
        return f"the toy sequence has one column, 'value', not {str(data.get('target_column'))[:40]!r}"
    return None


TOYS_READER = DataReader(
    what="the generated sequence and adding problem",
    claims=_claims,
    section=lambda config: _SECTIONS[config["data"]["dataset"]](config["data"]),
    imports=lambda config: (),
    problem=_problem,
)
