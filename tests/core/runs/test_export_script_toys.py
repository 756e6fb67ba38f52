"""`seqtui export --format script` on a run on the data seqtui generates (the toy sine `sequence`, the
`adding` problem): the script generates, splits, normalises and windows them as seqtui does, so its arrays
are seqtui's exactly, `--limit` included; and, run as its own process, it trains the same model to the same
test metrics.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from seqtui.core.config.presets import PRESETS
from seqtui.core.runs.export_script import ScriptError, check_scriptable
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)


def _same_arrays(module, ds, limit: int | None) -> None:
    parts = module.load_data()
    if limit:
        parts = module.limited(parts)
    same_arrays(parts, ds)


@pytest.mark.parametrize(
    "settings",
    [
        {"lookback": 3, "step": 1, "delay": 1},
        {"lookback": 12, "step": 3, "delay": 4, "sample_limit": 300, "validation_split": 0.1},
        {
            "lookback": 5,
            "step": 1,
            "delay": 2,
            "test_split": 0.3,
            "target_column": "value",
            "sample_limit": 50,
        },
    ],
    ids=["preset", "step-limit", "test-split-limit"],
)
def test_the_script_makes_seqtuis_toy_sequence(tmp_path, settings):
    data = DataConfig("sequence", **settings)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    _same_arrays(module, ds, data.sample_limit)
    assert ds.x_train.shape[1:] == (settings["lookback"] // settings["step"], 1)
    assert (module.LOOKBACK // module.STEP, len(module.COLUMNS)) == ds.x_train.shape[
        1:
    ]  # build_model's input
    assert abs(float(ds.x_train.mean())) < 0.5 and 0.5 < float(ds.x_train.std()) < 1.5  # normalised, not raw


@pytest.mark.parametrize(
    "settings",
    [
        {"lookback": 70, "step": 1, "delay": 1},
        {
            "lookback": 9,
            "step": 1,
            "delay": 1,
            "sample_limit": 500,
            "validation_split": 0.1234,  # 8,500 x 0.1234 = 1,048.9: rounded, not cut
            "test_split": 0.15,
        },
    ],
    ids=["preset-length", "short-limit-splits"],
)
def test_the_script_makes_seqtuis_adding_problem(tmp_path, settings):
    data = DataConfig("adding", **settings)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    _same_arrays(module, ds, data.sample_limit)
    x, y = module.adding_problem(4, settings["lookback"], module.DATA_SEED)
    assert (x[:, :, 1].sum(axis=1) == 2).all()  # two marks per sequence
    np.testing.assert_allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=1), rtol=1e-6)  # the sum of the marked


def test_the_presets_toys_are_claimed_by_this_reader(tmp_path):
    """series-rnn and memory-lstm, as the presets set them, export (they were refused before)."""
    for preset in ("series-rnn", "memory-lstm"):
        data = PRESETS[preset].config.data
        ds = load_dataset(dataclasses.replace(data, sample_limit=64))
        reader = check_scriptable(run_config(data, ds))
        assert reader.what == "the generated sequence and adding problem"


def test_a_damaged_toy_config_is_one_clear_error():
    data = DataConfig("adding", lookback=8, delay=1)
    ds = load_dataset(data)
    config = run_config(data, ds)
    config["data"]["step"] = 2
    with pytest.raises(ScriptError, match=re.escape("the adding problem reads every step (--step 1)")):
        check_scriptable(config)
    data = DataConfig("sequence", lookback=3, delay=1)
    config = run_config(data, load_dataset(data))
    config["data"]["target_column"] = "temp"
    with pytest.raises(ScriptError, match="the toy sequence has one column, 'value', not 'temp'"):
        check_scriptable(config)


def test_the_exported_script_trains_the_toy_sequence_run_again(tmp_path):
    """series-rnn as the lesson has it (SimpleRNN(10), 3 steps in), 3 epochs: the same 131 parameters and test
    MAE as the run."""
    train = ["--preset", "series-rnn", "--epochs", "3", "--seed", "5"]
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "3"])
    assert same_model_and_metrics(run, output, ("mae", "loss")) == (1 * 10 + 10 * 10 + 10) + 10 + 1


@pytest.mark.slow
def test_the_exported_script_trains_the_adding_run_again(tmp_path):
    """The adding problem, a GRU of 8 units over 30 steps, 2 epochs on 1,000 sequences."""
    train = ["--preset", "memory-gru", "--units", "8", "--lookback", "30", "--epochs", "2", "--limit", "1000"]
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    assert same_model_and_metrics(run, output, ("mae", "loss")) == 3 * (2 * 8 + 8 * 8 + 2 * 8) + 8 + 1
