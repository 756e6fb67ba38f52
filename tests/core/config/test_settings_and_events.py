"""The settings read from the environment, and the events as JSON lines: small, Keras-free, exact."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from seqtui.core.config.settings import Settings, SettingsError
from seqtui.core.training.events import EpochEnded, RunEnded, event_dict


@pytest.fixture
def env(monkeypatch):
    for name in ("SEQTUI_BACKEND", "KERAS_BACKEND", "SEQTUI_RUNS_DIR", "SEQTUI_BATCH_EVENTS_PER_S",
                 "SEQTUI_STEPS_PER_EXECUTION"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_settings_default_without_environment(env):
    assert Settings.from_env() == Settings(Path("runs"), None, 5.0)


def test_seqtui_backend_wins_over_keras_backend(env):
    env.setenv("KERAS_BACKEND", "jax")
    assert Settings.from_env().backend == "jax"
    env.setenv("SEQTUI_BACKEND", "torch")
    assert Settings.from_env().backend == "torch"


def test_runs_dir_and_event_rate_from_the_environment(env):
    env.setenv("SEQTUI_RUNS_DIR", "/tmp/elsewhere")
    env.setenv("SEQTUI_BATCH_EVENTS_PER_S", "2.5")
    assert Settings.from_env() == Settings(Path("/tmp/elsewhere"), None, 2.5)
    env.setenv("SEQTUI_BATCH_EVENTS_PER_S", "10000")  # the highest rate allowed
    assert Settings.from_env().batch_events_per_s == 10_000
    env.setenv("SEQTUI_BATCH_EVENTS_PER_S", "0.5")  # one event every 2 s
    assert Settings.from_env().batch_events_per_s == 0.5
    env.setenv("SEQTUI_STEPS_PER_EXECUTION", "10000")  # the most batches fused into one step
    assert Settings.from_env().steps_per_execution == 10_000


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "SEQTUI_BACKEND",
            "theano",
            "backend 'theano' (from the environment) is not one of auto, tensorflow, jax, torch",
        ),
        ("KERAS_BACKEND", "cntk", "backend 'cntk'"),
        ("SEQTUI_BATCH_EVENTS_PER_S", "fast", "SEQTUI_BATCH_EVENTS_PER_S='fast': give a number"),
        ("SEQTUI_BATCH_EVENTS_PER_S", "0", "SEQTUI_BATCH_EVENTS_PER_S='0'"),
        ("SEQTUI_BATCH_EVENTS_PER_S", "10001", "SEQTUI_BATCH_EVENTS_PER_S='10001'"),
        ("SEQTUI_STEPS_PER_EXECUTION", "eight", "SEQTUI_STEPS_PER_EXECUTION='eight': give a whole number"),
        ("SEQTUI_STEPS_PER_EXECUTION", "0", "SEQTUI_STEPS_PER_EXECUTION='0'"),
        ("SEQTUI_STEPS_PER_EXECUTION", "10001", "SEQTUI_STEPS_PER_EXECUTION='10001'"),
    ],
)
def test_bad_environment_values_are_one_clear_error(env, name, value, message):
    env.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert str(raised.value).startswith(message)


def test_event_dicts_are_json_ready_with_the_event_name_first():
    raw = event_dict(EpochEnded(1, 2, {"loss": math.nan, "val_loss": math.inf, "acc": 0.5}, 1.0, 10.0))
    assert list(raw) == ["event", "epoch", "epochs", "logs", "seconds", "samples_per_s", "best"]
    assert raw["event"] == "epoch_end" and raw["logs"] == {"loss": None, "val_loss": None, "acc": 0.5}
    end = event_dict(RunEnded("completed", "r", 1, {"loss": -math.inf}, confusion=[[1, 0], [0, 1]]))
    assert end["test_metrics"] == {"loss": None} and end["confusion"] == [[1, 0], [0, 1]]
    assert json.loads(json.dumps(end, allow_nan=False)) == end
