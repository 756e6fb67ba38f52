"""The smaller hardening fixes, each reproduced: non-UTF-8 names, odd encodings, Ctrl+C while loading, advice
for extreme splits, option names in messages, generation at extreme temperatures, one problem listed once,
honest save-failure and resume messages, and TensorFlow's start-up lines kept off stderr."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui import console as views
from seqtui.cli import app
from seqtui.core.checks import ConfigError, check_config
from seqtui.core.config import RunConfig, with_overrides
from seqtui.core.events import RunStarted
from seqtui.core.predict import _sample
from seqtui.core.runs import RunFolder, SaveError
from seqtui.datasets.base import DataError, Dataset, ImageEncoder
from seqtui.headless import interrupt_handler
from tests.data_files import write_imdb_npz, write_jena, write_reviews_csv

SMALL = ["--arch", "simple_rnn", "--units", "2", "--lookback", "6", "--delay", "1", "--patience", "0"]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_non_utf8_folder_names_train_and_print(tmp_path):
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    data = write_jena(folder / "jena.csv", rows=300)
    result = invoke(
        "train", "--data", str(data), "--epochs", "1", *SMALL, "--runs-dir", str(tmp_path / "runs")
    )
    assert result.exit_code == 0, result.output
    [run] = (tmp_path / "runs").iterdir()
    assert RunFolder(run).read_config().data.data_path == str(data)  # the name reads back exactly
    result = invoke("predict", str(folder / "no-run"), "x")
    assert result.exit_code == 2 and "is not a seqtui run folder" in result.output


def test_an_encoding_without_positions_is_one_clear_message(tmp_path):
    result = invoke("train", "--data", str(write_reviews_csv(tmp_path / "r.csv")), "--encoding", "punycode",
                    "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    assert result.exit_code == 2 and "not valid punycode" in result.output, result.output


def test_ctrl_c_while_loading_stops_at_once():
    cancel, training = threading.Event(), threading.Event()
    with (
        pytest.raises(KeyboardInterrupt, match="before training started"),
        interrupt_handler(cancel, None, training),
    ):
        signal.raise_signal(signal.SIGINT)
    assert cancel.is_set()
    cancel, training = threading.Event(), threading.Event()
    training.set()
    with interrupt_handler(cancel, None, training):  # training: the first Ctrl+C finishes the batch
        signal.raise_signal(signal.SIGINT)
    assert cancel.is_set()


def test_extreme_validation_split_gets_split_advice(tmp_path):
    series = write_jena(tmp_path / "jena.csv", rows=300)
    result = invoke("train", "--data", str(series), *SMALL, "--validation-split", "0.9999",
                    "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "Lower --validation-split" in message and "--lookback" not in message
    table = write_reviews_csv(tmp_path / "reviews.csv")
    result = invoke(
        "train", "--data", str(table), "--validation-split", "0.9999", "--runs-dir", str(tmp_path)
    )
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "--validation-split" in message and "add rows" not in message, message


def test_limit_zero_is_named_limit():
    result = invoke("train", "--preset", "series-rnn", "--limit", "0")
    assert result.exit_code == 2 and "--limit:" in result.output and "--sample-limit" not in result.output


@pytest.mark.parametrize("temperature", [1000.0, float("inf"), 1.0])
def test_generation_never_samples_padding_or_oov(temperature):
    probs = np.array([0.0, 0.0, 0.5, 0.3, 0.2, 0.0])
    allowed = np.array([False, False, True, True, True, False])
    rng = np.random.default_rng(0)
    picks = {_sample(probs, allowed, temperature, rng) for _ in range(300)}
    assert picks == {2, 3, 4}


def test_nan_temperature_is_refused():
    with pytest.raises(DataError, match="temperature"):
        _sample(np.array([0.5, 0.5]), np.array([True, True]), float("nan"), np.random.default_rng(0))


def test_a_time_step_problem_is_listed_once():
    config = with_overrides(RunConfig(), dataset="file", data_path="x.csv", arch="cnn_lstm", maxlen=4)
    x = np.zeros((20, 4), dtype="int32")
    y = np.zeros(20, dtype="int32")
    data = Dataset("x", "binary", "tokens", x, y, x, y, x, y, ImageEncoder(), ["a", "b"])
    with pytest.raises(ConfigError) as info:
        check_config(config, data)
    assert [p.field for p in info.value.problems] == ["conv_kernel"]


def test_save_error_without_checkpoints_does_not_promise_any(tmp_path):
    cause = OSError(errno.ENOSPC, "No space left on device")
    assert "No checkpoint was saved yet" in str(SaveError(tmp_path, cause))
    (tmp_path / "last.keras").write_bytes(b"x")
    assert "Earlier checkpoints are intact" in str(SaveError(tmp_path, cause))


def test_evaluation_only_resume_is_not_epochs_4_3():
    event = RunStarted("runs/x", "x", 3, 3, 1, 10, 10, "binary", "accuracy")
    assert views.epoch_span(event) == "all 3 epochs done, evaluating on the test set"
    assert views.epoch_span(RunStarted("r", "x", 5, 3, 1, 10, 10, "binary", "accuracy")) == "epochs 4-5"


def test_keras_is_only_imported_with_tensorflow_quieted(tmp_path):
    """Reading an imdb.npz with object arrays imports Keras' loader: through the one door, so TensorFlow's
    C++ start-up lines (absl, cpu_feature_guard) are quieted before TensorFlow loads."""
    data = write_imdb_npz(tmp_path / "imdb.npz", n=30)
    probe = (
        "import os, sys; from pathlib import Path; from seqtui.datasets.keras_files import load_npz_file; "
        f"load_npz_file(Path({str(data)!r}), ('x_train',)); "
        "print('keras' in sys.modules, os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
    assert proc.stdout.split() == ["True", "2"], proc.stderr


def test_headless_train_and_resume_pass_the_same_where_options(monkeypatch, tmp_path):
    """`train` and `train --resume` hand the runner the same runs folder, backend, TensorBoard, MLflow and
    devices choices (written once in run_training)."""
    from rich.console import Console

    from seqtui.core import resume, runner
    from seqtui.headless import run_training

    calls = {}
    monkeypatch.setattr(runner, "train", lambda config, rep, cancel, **kw: calls.setdefault("train", kw))
    monkeypatch.setattr(resume, "resume", lambda run, rep, cancel, **kw: calls.setdefault("resume", kw))
    where = dict(tensorboard=False, mlflow_uri="http://127.0.0.1:1", devices="2")
    console = Console(file=open(os.devnull, "w"))  # noqa: SIM115
    run_training(RunConfig(), None, {}, tmp_path, "jax", False, console, console, **where)
    run_training(None, tmp_path / "run", {"epochs": 5}, tmp_path, "jax", False, console, console, **where)
    expected = {"runs_dir": tmp_path, "backend": "jax", **where}
    assert calls["train"] == expected and calls["resume"] == {**expected, "epochs": 5}
