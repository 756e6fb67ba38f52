"""One notion of a run's best epoch: the one model.keras holds, chosen by the run's monitor (val_loss or
val_accuracy), shown with its own validation metrics in run.json, the runs listing, the end table and the
exported README. The recorder's hooks are called directly (a fake model, no training)."""

from __future__ import annotations

import io
import math
import threading

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.errors import ConfigError
from seqtui.core.config.metrics import (
    best_epoch_fields,
    best_row,
    higher_is_better,
    improves,
    kept_row,
    monitored,
)
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.experiments.sweep import best_value
from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.listing import list_runs
from seqtui.core.training.callbacks import ResumableEarlyStopping, RunRecorder
from seqtui.core.training.events import RunEnded, event_dict, event_from_dict
from seqtui.render.reporters import PlainReporter
from seqtui.render.results import kept_epoch_text, run_end_table
from tests.core.training.test_callbacks import FakeModel, run_epoch

# epoch 2 has the highest val_accuracy, epoch 3 the lowest val_loss: the two notions of "best" differ
EPOCHS = [
    {"loss": 0.70, "accuracy": 0.60, "val_loss": 0.60, "val_accuracy": 0.70},
    {"loss": 0.50, "accuracy": 0.75, "val_loss": 0.55, "val_accuracy": 0.7608},
    {"loss": 0.40, "accuracy": 0.80, "val_loss": 0.50, "val_accuracy": 0.7304},
    {"loss": 0.30, "accuracy": 0.85, "val_loss": 0.58, "val_accuracy": 0.7400},
]


def trained(tmp_path, monitor: str | None = None) -> RunFolder:
    """A run folder after the four EPOCHS, recorded as the runner records them."""
    config = with_overrides(RunConfig(), monitor=monitor)
    folder = RunFolder.create(tmp_path, "demo")
    folder.write_config(config, {})
    folder.mark_running(4, 0)
    rec = RunRecorder(folder, [], threading.Event(), config.train.monitor)
    model = FakeModel()
    rec.set_model(model)
    rec.set_params({"steps": 10, "epochs": 4})
    for epoch, logs in enumerate(EPOCHS):
        run_epoch(rec, epoch, 10, logs)
    folder.update_status(status="completed")
    return folder


def test_the_runs_listing_shows_the_tested_epoch_not_the_highest_val_accuracy(tmp_path):
    folder = trained(tmp_path)
    state = folder.read_json("run.json")
    assert (state["best_epoch"], state["monitor"]) == (3, "val_loss")
    (run,) = list_runs(tmp_path)
    assert run.best_val == ("val_accuracy", 0.7304) and run.best_epoch == 3
    assert run.best_text == "acc 0.7304 @3"
    listing = CliRunner().invoke(app, ["runs", "--runs-dir", str(tmp_path)], env={"COLUMNS": "120"}).output
    assert "acc 0.7304 @3" in listing and "0.7608" not in listing


def test_monitoring_val_accuracy_keeps_the_epoch_with_the_highest_one(tmp_path):
    folder = trained(tmp_path, "val_accuracy")
    assert folder.read_json("run.json")["best_epoch"] == 2
    assert folder.file("model.keras").read_text() == "weights after 2 saves"  # last.keras of epoch 2
    (run,) = list_runs(tmp_path)
    assert (run.best_val, run.best_epoch, run.monitor) == (("val_accuracy", 0.7608), 2, "val_accuracy")


def test_an_older_run_without_the_field_is_read_by_its_monitor(tmp_path):
    folder = trained(tmp_path)
    state = folder.read_json("run.json")
    del state["best_epoch"], state["monitor"]
    folder.file("run.json").write_text(__import__("json").dumps(state))
    (run,) = list_runs(tmp_path)
    assert (run.best_val, run.best_epoch) == (("val_accuracy", 0.7304), 3)
    history = folder.read_history()
    assert kept_row(history, "val_accuracy")["epoch"] == 2 and kept_row(history, "val_loss", 4)["epoch"] == 4


def test_the_end_table_states_the_tested_epoch_and_its_validation_metrics(tmp_path):
    history = [{"epoch": i + 1, **logs} for i, logs in enumerate(EPOCHS)]
    fields = best_epoch_fields(history, "val_loss")
    assert fields == {
        "best_epoch": 3,
        "monitor": "val_loss",
        "best_val": {"val_loss": 0.5, "val_accuracy": 0.7304},
    }
    end = RunEnded("completed", str(tmp_path), 4, {"accuracy": 0.71}, **fields)
    assert kept_epoch_text(end) == "3, best by val_loss: val_loss 0.5000, val_acc 0.7304"
    assert event_from_dict(event_dict(end)) == end  # --json and events.jsonl carry it
    cells = [c for col in run_end_table(end).columns for c in col._cells]
    assert "tested epoch" in cells
    plain = io.StringIO()
    PlainReporter(plain)(end)  # a log's line, as `train` prints it without a terminal and `watch` follows it
    assert (
        "test accuracy=0.7100 (tested epoch 3, best by val_loss: val_loss 0.5000, val_acc 0.7304)"
        in plain.getvalue()
    )


def test_a_forecasters_tested_epoch_reads_in_the_series_units(tmp_path):
    end = RunEnded("completed", "x", 2, {"mae": 0.1}, scales={"mae": 10.0, "mse": 100.0, "loss": 100.0},
                   unit="°F", best_epoch=2, monitor="val_loss", best_val={"val_loss": 0.04, "val_mae": 0.2})  # fmt: skip
    assert kept_epoch_text(end) == "2, best by val_loss: val_loss 4.0000 °F², val_mae 2.0000 °F"


def test_best_row_takes_the_first_of_equal_values_and_skips_nan():
    rows = [
        {"epoch": 1, "val_loss": float("nan")},
        {"epoch": 2, "val_loss": 0.4},
        {"epoch": 3, "val_loss": 0.4},
    ]
    assert best_row(rows)["epoch"] == 2
    assert best_row([{"epoch": 1, "loss": 0.3}])["epoch"] == 1  # no validation part: the training loss
    assert best_row([]) is None


def test_an_error_or_a_loss_is_better_lower_and_everything_else_higher():
    assert [higher_is_better(m) for m in ("mae", "loss", "val_loss", "accuracy", "val_accuracy", "auc")] == [
        False, False, False, True, True, True,
    ]  # fmt: skip


def test_a_monitored_value_is_a_number_or_nan():
    assert monitored({"val_loss": 0.25, "loss": 0.5}, "val_loss") == 0.25
    assert monitored({"loss": 0.5}, "val_loss") == 0.5  # no validation part: its training counterpart
    for odd in (True, None, "0.25"):  # run.json edited by hand: never a metric
        assert math.isnan(monitored({"val_loss": odd}, "val_loss"))


def test_only_a_strict_finite_improvement_replaces_the_best():
    assert not improves(float("nan"), 0.5, "val_loss") and not improves(float("inf"), None, "val_loss")
    assert not improves(0.8, 0.8, "val_accuracy") and improves(0.81, 0.8, "val_accuracy")
    assert not improves(0.5, 0.5, "val_loss") and improves(0.49, 0.5, "val_loss")
    rows = [
        {"epoch": 1, "val_accuracy": 0.8},
        {"epoch": 2, "val_accuracy": 0.8},
        {"epoch": 3, "val_accuracy": float("nan")},
    ]
    assert best_row(rows, "val_accuracy")["epoch"] == 1


def test_the_kept_row_is_the_recorded_epoch_or_else_the_best_by_val_loss():
    rows = [{"epoch": 1, "val_loss": 0.3}, {"epoch": 2, "val_loss": 0.2}, {"epoch": 3, "val_loss": 0.4}]
    assert kept_row(rows, epoch=3)["epoch"] == 3
    assert kept_row(rows)["epoch"] == 2  # val_loss by default
    assert kept_row(rows, epoch=9)["epoch"] == 2  # an epoch the history lacks
    assert kept_row(rows, epoch=True)["epoch"] == 2  # not an epoch number (True == 1 in Python)


def test_the_best_epoch_fields_follow_the_monitor_and_count_rows_without_an_epoch_column():
    rows = [{"val_loss": 0.3, "val_accuracy": 0.9}, {"val_loss": 0.2, "val_accuracy": 0.8}]
    assert best_epoch_fields(rows) == {
        "best_epoch": 2, "monitor": "val_loss", "best_val": {"val_loss": 0.2, "val_accuracy": 0.8},
    }  # fmt: skip
    assert best_epoch_fields(rows, "val_accuracy")["best_epoch"] == 1
    assert best_epoch_fields([], "val_accuracy") == {"monitor": "val_accuracy"}


def test_early_stopping_on_val_accuracy_waits_for_a_higher_one_also_after_a_resume():
    history = [
        {"epoch": 1, "val_accuracy": 0.7},
        {"epoch": 2, "val_accuracy": 0.8},
        {"epoch": 3, "val_accuracy": 0.75},
    ]
    stopper = ResumableEarlyStopping(patience=2, history=history, monitor="val_accuracy")
    stopper.set_model(FakeModel())
    stopper.on_train_begin()
    assert (stopper.best, stopper.wait) == (0.8, 1)
    stopper.on_epoch_end(3, {"val_accuracy": 0.79})
    assert stopper.model.stop_training


def test_a_sweep_trial_is_worth_its_tested_epoch():
    accs = [e["val_accuracy"] for e in EPOCHS]
    assert best_value(accs, "accuracy", [True, True, True, False]) == 0.7304
    assert best_value(accs, "accuracy") == 0.7608  # nothing marked kept: the best seen


def test_a_bad_monitor_is_refused_with_one_message():
    from seqtui.core.model.checks import check_config

    with pytest.raises(ConfigError, match="val_loss or val_accuracy"):
        check_config(with_overrides(RunConfig(), monitor="accuracy"), needs_data=False)
    with pytest.raises(ConfigError, match="a forecaster has no accuracy"):
        check_config(with_overrides(RunConfig(), dataset="adding", monitor="val_accuracy"))
    result = CliRunner().invoke(app, ["summary", "digits-mlp", "--monitor", "val_acc"])
    assert result.exit_code == 2 and "--monitor" in result.output and "Traceback" not in result.output


def test_a_real_run_records_and_reports_the_epoch_its_monitor_kept(tmp_path):
    """End to end (a tiny digits MLP): run.json, the run's end and the listing name the same epoch, the one
    val_accuracy picked from the history, with that epoch's own validation metrics."""
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.training.runner import train

    config = with_overrides(
        PRESETS["digits-mlp"].config, epochs=4, sample_limit=300, units=8, monitor="val_accuracy"
    )
    end = train(config, lambda event: None, runs_dir=tmp_path)
    folder = RunFolder(end.run_dir)
    history = folder.read_history()
    kept = best_row(history, "val_accuracy")
    assert end.status == "completed" and end.monitor == "val_accuracy"
    assert end.best_epoch == int(kept["epoch"]) == folder.read_json("run.json")["best_epoch"]
    assert end.best_val == pytest.approx({k: v for k, v in kept.items() if k.startswith("val_")}, rel=1e-5)
    assert folder.read_json("config.json")["train"]["monitor"] == "val_accuracy"
    (run,) = list_runs(tmp_path)
    assert run.best_epoch == end.best_epoch and run.best_val[1] == pytest.approx(
        kept["val_accuracy"], rel=1e-5
    )
