"""How a run's numbers read: epoch lines that fit 80 columns, test errors in the series' units with the unit
named, each baseline once by name, the run folder never cut, '1 epoch'."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from seqtui.common.text import plural
from seqtui.core.training.events import EpochEnded, RunEnded
from seqtui.render import reporters as reporters_views
from seqtui.render import results as results_views

USUAL = {"loss": 0.41234, "accuracy": 0.87101, "val_loss": 0.45123, "val_accuracy": 0.85042}


def epoch(logs: dict[str, float], number: int = 10, seconds: float = 12.3, best: bool = True) -> EpochEnded:
    return EpochEnded(epoch=number, epochs=10, logs=logs, seconds=seconds, samples_per_s=123_456.0, best=best)


@pytest.mark.parametrize("logs", [USUAL, {"loss": 0.5, "mae": 0.3, "val_loss": 0.6, "val_mae": 0.35}])
def test_an_epoch_line_with_the_usual_metrics_fits_80_columns(logs):
    line = reporters_views.epoch_line(epoch(logs))
    assert len(line) <= 80, line
    assert line.startswith("epoch 10/10  loss=") and line.endswith("12.3s *best")
    assert "samples/s" not in line  # no room for it here: the live view's bar shows it


def test_an_epoch_line_keeps_the_samples_per_second_where_there_is_room():
    line = reporters_views.epoch_line(epoch({"loss": 0.5, "accuracy": 0.75}, number=3, seconds=1.5))
    assert line == "epoch 3/10  loss=0.5000 acc=0.7500  1.5s  123,456 samples/s *best"


def plain_lines(event: object) -> str:
    out = io.StringIO()
    reporters_views.PlainReporter(out)(event)
    return out.getvalue()


def test_the_plain_and_live_epoch_lines_fit_80_columns():
    assert all(len(line) <= 80 for line in plain_lines(epoch(USUAL)).splitlines())
    console = Console(file=io.StringIO(), width=80, force_terminal=False)
    reporter = reporters_views.RichReporter(console)
    reporter.epoch_task = reporter.progress.add_task("epochs", total=10, rate="", metrics="")
    reporter(epoch(USUAL))
    printed = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert printed == ["epoch 10/10  loss=0.4123 acc=0.8710 val_loss=0.4512 val_acc=0.8504  12.3s *best"]


FORECAST = RunEnded(
    "completed",
    "/runs/x",
    1,
    {"loss": 0.04, "mae": 0.1},  # on the normalised series
    baseline={
        "val_mae": 0.2,
        "test_mae": 0.3,
        "test_mae_in_units": 0.6,
        "naive_test_mae": 0.3,
        "mean_test_mae": 0.9,
        "mean_test_mse": 1.0,
    },  # fmt: skip
    baseline_name="tomorrow equals now",
    scales={"mae": 2.0, "mse": 4.0, "loss": 4.0},
    unit="°F",
)


def test_a_forecasters_errors_read_in_the_series_units_with_the_unit_named():
    rows = dict(results_views.result_rows(FORECAST))
    assert rows["test mae"] == "0.2000 °F"  # 0.1 x the target's std 2
    assert rows["test loss"] == "0.1600 °F²"  # an MSE: x std squared
    assert rows["baseline: tomorrow equals now"] == "0.6000 °F"
    assert rows["baseline: always the mean"] == "1.8000 °F"
    unknown = results_views.result_rows(
        RunEnded("completed", "/r", 1, {"mae": 0.1}, scales={"mae": 3.0, "mse": 9.0})
    )
    assert unknown == [("test mae", "0.3000 in the series' units")]


def test_each_baseline_is_listed_once_by_name():
    end = RunEnded(
        "completed", "/runs/x", 2, {"accuracy": 0.9},
        baseline={"test_accuracy": 0.84, "majority_test_accuracy": 0.5, "logreg_test_accuracy": 0.84},
        baseline_name="TF-IDF + logistic regression",
    )  # fmt: skip
    assert results_views.result_rows(end) == [
        ("test accuracy", "0.9000"),
        ("baseline to beat", "TF-IDF + logistic regression"),
        ("baseline: majority class", "0.5000"),
        ("baseline: logistic regression", "0.8400"),
    ]
    alone = RunEnded("completed", "/r", 2, {"mae": 0.1}, baseline={"test_mae": 0.3}, baseline_name="naive",
                     scales={"mae": 1.0, "mse": 1.0})  # fmt: skip
    assert results_views.result_rows(alone)[1] == ("baseline to beat", "naive: 0.3000 in the series' units")


def test_the_run_folder_is_printed_whole_after_the_table_at_80_columns():
    folder = (
        "/home/someone/a/long/path/to/the/runs/" + "20261207T130733Z-topics-ko-lstm-arch=gru-units=64" * 2
    )
    end = RunEnded("completed", folder, 1, {"accuracy": 0.5})
    console = Console(file=io.StringIO(), width=80, force_terminal=False)
    console.print(results_views.run_end_table(end))
    console.print(results_views.run_folder_line(end), soft_wrap=True)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert f"run folder: {folder}\n" in text  # one line, not cut and not wrapped by us
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines() if not line.startswith("run folder"))


def test_counts_say_epoch_for_one():
    assert (plural(1, "epoch"), plural(0, "epoch"), plural(1200, "sample")) == (
        "1 epoch",
        "0 epochs",
        "1,200 samples",
    )
    assert "run completed: 1 epoch, test" in plain_lines(RunEnded("completed", "/r", 1, {"accuracy": 0.5}))
