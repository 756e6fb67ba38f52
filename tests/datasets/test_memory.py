"""The long-memory experiment's data: the adding problem, seeded and exact, and its baseline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqtui.core.config.run_config import DataConfig
from seqtui.core.model.baselines import compute
from seqtui.datasets.errors import DataError
from seqtui.datasets.memory import ADDING_SAMPLES, adding_problem
from seqtui.datasets.registry import get_dataset, load_dataset


def test_the_target_is_the_sum_of_the_two_marked_values():
    x, y = adding_problem(500, 20, seed=3)
    assert x.shape == (500, 20, 2) and y.shape == (500,) and x.dtype == y.dtype == np.float32
    values, marks = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(marks)) == {0.0, 1.0}
    assert (marks.sum(axis=1) == 2).all()
    assert (marks[:, :10].sum(axis=1) == 1).all() and (marks[:, 10:].sum(axis=1) == 1).all()  # one per half
    for row in range(500):
        expected = sum(float(v) for v, m in zip(values[row], marks[row], strict=True) if m == 1.0)
        assert y[row] == pytest.approx(expected, abs=1e-6)


def test_the_generator_is_seeded():
    first, again, other = (
        adding_problem(50, 30, seed=1),
        adding_problem(50, 30, seed=1),
        adding_problem(50, 30, 2),
    )
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_the_marks_spread_over_each_half():
    x, _ = adding_problem(4000, 40)
    positions = np.argwhere(x[..., 1] == 1.0)[:, 1]
    assert positions.min() == 0 and positions.max() == 39
    assert len(np.unique(positions)) == 40  # every step is marked somewhere


@pytest.mark.parametrize("length", [1, 10_001])
def test_a_length_out_of_range_is_one_clear_error(length):
    with pytest.raises(DataError, match="--lookback"):
        adding_problem(10, length)


def test_the_registered_dataset_splits_10000_sequences_of_the_lookback():
    info = get_dataset("adding")
    assert info.status == "built in" and info.features == 2 and info.task == "regression"
    data = load_dataset(DataConfig("adding", lookback=25, step=1))
    assert data.input_shape == (25, 2)
    assert len(data.x_train) + len(data.x_val) + len(data.x_test) == ADDING_SAMPLES
    assert (len(data.x_test), len(data.x_val)) == (2000, 1600)
    assert data.encoder.lookback == 25 and data.encoder.columns == ["value", "marker"]


def test_another_step_is_refused():
    with pytest.raises(DataError, match="--step must be 1"):
        load_dataset(DataConfig("adding", lookback=25, step=5))


def test_the_baseline_is_always_answering_the_mean_not_tomorrow_equals_now():
    data = load_dataset(DataConfig("adding", lookback=10, step=1))
    result = compute(data)
    assert result.name.startswith("always the training mean (1") and not result.higher_is_better
    # the sum of two uniform values: 1 on average, mean absolute error 1/3 and squared error 1/6 from 1
    assert result.test == pytest.approx(1 / 3, abs=0.01)
    assert result.metrics["mean_test_mse"] == pytest.approx(1 / 6, abs=0.01)
    mean = float(np.mean(data.y_train.astype("float64")))
    assert result.test == pytest.approx(float(np.mean(np.abs(data.y_test - mean))), rel=1e-5)


@pytest.mark.parametrize("preset", ["memory-simple-rnn", "memory-lstm", "memory-gru"])
def test_each_memory_preset_trains_at_a_tiny_size_and_is_judged_against_the_mean(preset, runs_dir):
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.training.runner import train

    config = with_overrides(PRESETS[preset].config, lookback=6, sample_limit=256, epochs=1, batch_size=64)
    end = train(config, lambda event: None)
    assert end.status == "completed", end.message
    assert end.baseline_name.startswith("always the training mean")
    assert 0 < end.test_metrics["mae"] < 1.5 and math.isfinite(end.test_metrics["loss"])


@pytest.mark.slow
def test_at_the_default_length_lstm_and_gru_remember_where_simple_rnn_does_not(runs_dir):
    """The lesson's claim, as `seqtui compare --preset memory-simple-rnn,memory-lstm,memory-gru` runs it
    (README: the lesson's experiment): at least 5x lower test error for LSTM and GRU than for SimpleRNN,
    which stays near the baseline of always answering the mean."""
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.training.runner import train

    mae = {}
    for name in ("memory-simple-rnn", "memory-lstm", "memory-gru"):
        end = train(PRESETS[name].config, lambda event: None)
        assert end.status == "completed", end.message
        mae[name] = end.test_metrics["mae"]
    assert mae["memory-simple-rnn"] > 0.25  # the baseline is 1/3
    assert mae["memory-lstm"] * 5 < mae["memory-simple-rnn"]
    assert mae["memory-gru"] * 5 < mae["memory-simple-rnn"]
