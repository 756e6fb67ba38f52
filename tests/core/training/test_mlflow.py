"""MLflow (optional extra): a real run mirrored to a local MLflow store started by the test, and an
unreachable server or a missing mlflow that costs one warning while the run completes with its folder whole.

The tests with a real store or server are skipped unless mlflow is installed: `pip install -e
'.[dev,mlflow]'` (about 100 MB more; see docs)."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app


@pytest.fixture
def mlflow():
    return pytest.importorskip("mlflow")


def train(runs: Path, *extra: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, ["train", "--preset", "series-rnn", "--epochs", "2", "--batch-size", "64",
                                      "--json", "--no-tensorboard", "--runs-dir", str(runs), *extra], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_run_is_mirrored_to_mlflow(tmp_path, monkeypatch, mlflow):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # a local store; a server takes the same calls
    uri = (tmp_path / "mlruns").as_uri()
    events = train(tmp_path / "runs", "--mlflow", uri)
    end = events[-1]
    assert end["status"] == "completed" and not [e for e in events if e.get("level") == "warning"]
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("seqtui")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == Path(end["run_dir"]).name and run.info.status == "FINISHED"
    assert run.data.tags["seqtui.run_dir"] == end["run_dir"]  # the way back to the run folder
    assert run.data.params["preset"] == "series-rnn" and run.data.params["train.epochs"] == "2"
    history = client.get_metric_history(run.info.run_id, "val_loss")
    epochs = [e for e in events if e["event"] == "epoch_end"]
    assert [(m.step, round(m.value, 5)) for m in history] == [
        (e["epoch"], round(e["logs"]["val_loss"], 5)) for e in epochs
    ]
    assert run.data.metrics["test_mae"] == pytest.approx(end["test_metrics"]["mae"])
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["model.keras"]


def test_an_unreachable_server_is_one_warning_and_nothing_is_lost(tmp_path, monkeypatch, mlflow):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "")
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES")  # mlflow's own 7 retries would take minutes
    started = time.monotonic()
    events = train(tmp_path / "runs")
    assert time.monotonic() - started < 60 and os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "1"
    warnings = [e for e in events if e.get("level") == "warning"]
    assert len(warnings) == 1 and "MLflow logging to http://127.0.0.1" in warnings[0]["message"]
    end = events[-1]
    assert end["status"] == "completed" and end["epochs_done"] == 2
    folder = Path(end["run_dir"])
    assert (folder / "model.keras").exists() and len((folder / "history.csv").read_text().splitlines()) == 3


def test_without_mlflow_installed_the_run_gets_one_warning_saying_how_to_install_it(tmp_path, monkeypatch):
    import sys

    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.events import EpochEnded, LogMessage, RunEnded, RunStarted
    from seqtui.core.training.mlflow_log import MLflowLog

    monkeypatch.setitem(sys.modules, "mlflow", None)  # `import mlflow` fails, as where it isn't installed
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    seen = []
    log = MLflowLog(seen.append, "http://127.0.0.1:5000", tmp_path, RunConfig(preset="x"))
    log(RunStarted(str(tmp_path), "x", 2, 0, 10, 100, 5, "multiclass", "accuracy"))
    log(EpochEnded(1, 2, {"loss": 0.5}, 1.0, 100.0))
    log(RunEnded("completed", str(tmp_path), 1))
    assert [type(e).__name__ for e in seen if not isinstance(e, LogMessage)] == [
        "RunStarted",
        "EpochEnded",
        "RunEnded",
    ]  # every event still reaches the run's own observer
    [warning] = [e for e in seen if isinstance(e, LogMessage)]
    assert warning.level == "warning" and warning.message == (
        "MLflow logging to http://127.0.0.1:5000 stopped (mlflow is not installed: pip install "
        "'seqtui[mlflow]'); the run goes on, its folder keeps everything"
    )


def test_a_stopped_run_ends_killed_in_mlflow_with_the_epochs_it_trained(tmp_path, monkeypatch, mlflow):
    import threading

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.training.events import EpochEnded
    from seqtui.core.training.runner import train as train_run

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    cancel = threading.Event()

    def stop_after_the_first_epoch(event):
        if isinstance(event, EpochEnded):
            cancel.set()

    config = with_overrides(PRESETS["series-rnn"].config, epochs=5, batch_size=64)
    end = train_run(config, stop_after_the_first_epoch, cancel, runs_dir=tmp_path / "runs",
                    tensorboard=False, mlflow_uri=uri)  # fmt: skip
    assert end.status == "interrupted" and end.epochs_done == 1
    client = mlflow.tracking.MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("seqtui").experiment_id])
    assert run.info.status == "KILLED"
    assert [m.step for m in client.get_metric_history(run.info.run_id, "loss")] == [1]
    tested = {k: v for k, v in run.data.metrics.items() if k.startswith("test_")}
    assert tested == pytest.approx(
        {"test_loss": end.test_metrics["loss"], "test_mae": end.test_metrics["mae"]}
    )
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["model.keras"]


def test_an_mlflow_error_without_words_is_named_by_its_type_and_ends_the_mirroring(tmp_path):
    """The worker runs the uploads; the first error stops it (later jobs are dropped) and becomes the one
    warning, named by its type when it has no message (a bare ConnectionError)."""
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.mlflow_log import MLflowLog

    log = MLflowLog(lambda event: None, "http://mlflow.example:5000", tmp_path, RunConfig())
    ran = []

    def refused() -> None:
        raise ConnectionError()

    for job in (lambda: ran.append(1), refused, lambda: ran.append(3), None):
        log.jobs.put(job)
    log._work()
    assert ran == [1] and log.failed == (
        "MLflow logging to http://mlflow.example:5000 stopped (ConnectionError); the run goes on, its folder "
        "keeps everything"
    )


def test_a_password_in_the_tracking_uri_never_reaches_the_warning(tmp_path, monkeypatch, mlflow):
    """A real MLflow client fails against a closed port and names the URL it called, password and all: the
    one warning shows the URI masked, and no event carries the password."""
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.events import EpochEnded, LogMessage, RunEnded, RunStarted
    from seqtui.core.training.mlflow_log import MLflowLog

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    seen = []
    log = MLflowLog(seen.append, f"http://alice:S3cret@127.0.0.1:{port}", tmp_path, RunConfig(preset="x"))
    log(RunStarted(str(tmp_path), "x", 2, 0, 10, 100, 5, "multiclass", "accuracy"))
    log(EpochEnded(1, 2, {"loss": 0.5}, 1.0, 100.0))
    log(RunEnded("completed", str(tmp_path), 1))
    [warning] = [e for e in seen if isinstance(e, LogMessage)]
    assert warning.message.startswith(f"MLflow logging to http://alice:***@127.0.0.1:{port} stopped (")
    assert f"alice:***@127.0.0.1:{port}/api" in warning.message  # MLflow's own words, masked too
    assert "S3cret" not in repr(seen)
