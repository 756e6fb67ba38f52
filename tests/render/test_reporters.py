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
