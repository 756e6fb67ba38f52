"""What the CLI shows while training (seqtui/render/reporters.py): the epochs a run or a resume covers."""

from __future__ import annotations

from seqtui.core.training.events import RunStarted
from seqtui.render import reporters as reporters_views


def test_evaluation_only_resume_is_not_epochs_4_3():
    event = RunStarted("runs/x", "x", 3, 3, 1, 10, 10, "binary", "accuracy")
    assert reporters_views.epoch_span(event) == "all 3 epochs done, evaluating on the test set"
    assert (
        reporters_views.epoch_span(RunStarted("r", "x", 5, 3, 1, 10, 10, "binary", "accuracy"))
        == "epochs 4-5"
    )


def _plain_line(event) -> str:
    import io

    out = io.StringIO()
    reporters_views.PlainReporter(out)(event)
    return out.getvalue()


def test_a_forecasters_plain_end_line_names_the_unknown_units_once_and_scales_every_number():
    from seqtui.core.training.events import RunEnded

    end = RunEnded(
        "completed", "/r", 3, {"loss": 0.01, "mae": 0.1}, baseline={"mean_test_mae": 0.3},
        scales={"mae": 2.0, "mse": 4.0, "loss": 4.0}, best_epoch=2, monitor="val_loss",
        best_val={"val_loss": 0.02, "val_mae": 0.15},
    )  # fmt: skip
    line = _plain_line(end)
    assert line.count("series' units") == 1 and line.rstrip().endswith("(errors in the series' units)")
    assert "loss=0.0400" in line and "mae=0.2000" in line and "mean_test_mae=0.6000" in line
    assert "val_loss 0.0800" in line and "val_mae 0.3000" in line
    named = _plain_line(
        RunEnded("completed", "/r", 3, {"mae": 0.1}, scales={"mae": 2.0, "mse": 4.0}, unit="°F")
    )
    assert "mae=0.2000 °F" in named and "series' units" not in named
    plain = _plain_line(RunEnded("completed", "/r", 3, {"accuracy": 0.9}))
    assert "accuracy=0.9000" in plain and "units" not in plain
