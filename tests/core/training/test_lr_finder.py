"""The learning-rate range test: its schedule, its stop rules, its suggestion, on tiny real models."""

from __future__ import annotations

import dataclasses
import math
import threading

import numpy as np
import pytest

from seqtui.core.config.errors import Cancelled
from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig
from seqtui.core.training.lr_finder import EXPLODE_FACTOR, RangeTest, find_lr

TINY = RunConfig(
    DataConfig("sequence", lookback=3, step=1, delay=1, sample_limit=400),
    ModelConfig("simple_rnn", units=4),
    TrainConfig(epochs=3, batch_size=16, learning_rate=0.0123),
    preset="series-rnn",
)


def test_the_rate_grows_exponentially_from_start_to_stop():
    test = RangeTest(1e-6, 1.0, 61)
    rates = [test.rate(i) for i in range(61)]
    assert rates[0] == pytest.approx(1e-6) and rates[-1] == pytest.approx(1.0)
    ratios = [b / a for a, b in zip(rates, rates[1:], strict=False)]
    assert ratios == pytest.approx(
        [10 ** (6 / 60)] * 60
    )  # the same factor every batch: 6 decades in 60 steps


def test_the_suggestion_is_a_tenth_of_the_lowest_smoothed_loss():
    test = RangeTest(1e-4, 1.0, 41)
    # a valley: the loss falls to its lowest at rate 1e-2 (batch 20), then rises without exploding
    for i in range(41):
        assert test.record(i, 1.0 + (math.log10(test.rate(i)) + 2) ** 2 / 10) == (i < 40)
    assert test.ended == "reached the top rate" and test.failed_rate is None
    average, smoothed = 0.0, []
    for n, loss in enumerate(test.losses, 1):  # the moving average, corrected for its start, by hand
        average = 0.9 * average + 0.1 * loss
        smoothed.append(average / (1 - 0.9**n))
    assert test.smoothed == pytest.approx(smoothed)
    low = int(np.argmin(smoothed))
    assert 20 < low < 30  # the lowest raw loss is at batch 20; the average lags behind it
    assert test.lowest_rate == pytest.approx(test.rate(low))
    assert test.suggestion == pytest.approx(test.lowest_rate / 10)
    assert test.rates[0] <= test.steepest_rate < test.lowest_rate
    assert test.last_good_rate == pytest.approx(1.0)


def test_an_exploding_loss_ends_the_test_and_keeps_the_last_good_rate():
    test = RangeTest(1e-3, 1.0, 30)
    for i, loss in enumerate([1.0, 0.8, 0.6, 0.5]):
        assert test.record(i, loss)
    best = min(test.smoothed)
    assert test.record(4, EXPLODE_FACTOR * best * 0.99)  # under 4x the best: still good
    assert not test.record(5, EXPLODE_FACTOR * best * 1.01)
    assert test.ended == "the loss exploded" and test.failed_rate == pytest.approx(test.rate(5))
    assert test.last_good_rate == pytest.approx(test.rate(4)) and len(test.rates) == 5


def test_a_loss_that_is_nan_from_the_first_batch_has_no_suggestion():
    test = RangeTest()
    assert not test.record(0, float("nan"))
    assert test.ended == "the loss became NaN" and test.failed_rate == pytest.approx(1e-6)
    assert test.last_good_rate is None and test.suggestion is None and test.steepest_rate is None


def test_a_suggestion_is_never_below_the_first_rate():
    test = RangeTest(1e-3, 1.0, 10)
    for i, loss in enumerate([0.1, 0.5, 0.9]):
        test.record(i, loss)
    assert test.lowest_rate == pytest.approx(1e-3) and test.suggestion == pytest.approx(1e-3)


@pytest.mark.parametrize("start, stop, batches", [(0, 1, 10), (1, 1e-3, 10), (1e-6, 1, 1)])
def test_a_schedule_that_does_not_grow_is_refused(start, stop, batches):
    with pytest.raises(ValueError):
        RangeTest(start, stop, batches)


def test_the_callback_records_each_batchs_own_loss_not_the_epochs_running_mean():
    import keras

    from seqtui.core.training.lr_range import LRRangeCallback

    keras.utils.set_random_seed(0)
    x = np.repeat(np.array([1.0, 1.5, 0.5, 1.2] * 2, dtype="float32"), 8)[:, None]  # a value per batch
    y = np.zeros(64, dtype="float32")
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(keras.optimizers.SGD(), "mse")
    test = RangeTest(1e-12, 1e-11, 8)  # rates too small to move the weights
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[LRRangeCallback(test)])
    expected = [
        float(np.mean((x[i : i + 8, 0] + float(model.layers[0].bias[0])) ** 2)) for i in range(0, 64, 8)
    ]
    assert test.losses == pytest.approx(expected, rel=1e-4)
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-11)  # the last batch's rate was set


def test_a_real_range_test_grows_the_rate_suggests_one_inside_and_changes_nothing(runs_dir):
    before = dataclasses.replace(TINY)
    finding = find_lr(TINY, batches=60)
    t = finding.test
    assert before == TINY and finding.current_rate == 0.0123  # the config as given
    assert not runs_dir.exists() or not any(runs_dir.iterdir())  # no run folder
    assert len(t.rates) >= 20 and t.rates[0] == pytest.approx(1e-6)
    logs = np.diff(np.log(t.rates))
    assert logs == pytest.approx([math.log(1e6) / 59] * len(logs))
    assert t.rates[0] <= t.suggestion <= t.rates[-1]
    assert all(math.isfinite(v) for v in t.losses)
    assert finding.to_dict()["suggested_learning_rate"] == t.suggestion


def test_a_diverging_setting_reports_the_last_good_rate():
    """Plain SGD with rates up to 1e6 blows up: the test stops there and names the rate before."""
    config = dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, optimizer="sgd"))
    finding = find_lr(config, start=1e-2, stop=1e6, batches=60)
    t = finding.test
    assert t.ended in ("the loss exploded", "the loss became NaN")
    assert t.failed_rate > t.last_good_rate == t.rates[-1]
    assert len(t.rates) < 60 and t.rates[0] <= t.suggestion <= t.last_good_rate


def test_a_cancelled_range_test_stops_and_writes_nothing(runs_dir):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        find_lr(TINY, cancel=cancel, batches=20)
    assert not runs_dir.exists() or not any(runs_dir.iterdir())
