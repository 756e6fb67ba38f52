"""One progress check for every reader (issue 27, item 10): a history.csv with a column the trainer never
writes or a value no float32 training produces, or a run.json whose epochs_done is negative or beyond its
epochs, is `damaged` in `seqtui runs` and refused by a resume, with the same message."""

from __future__ import annotations

import pytest

from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.listing import list_runs
from seqtui.core.runs.progress import checked_progress
from seqtui.core.training.resume import plan_resume

GOOD = "epoch,loss,accuracy,val_loss,val_accuracy,seconds\n1,0.7,0.5,0.69,0.52,1.5\n2,0.6,0.6,0.65,0.58,3.0\n"
HOSTILE = {
    "extra-column": (
        "history.csv",
        GOOD.replace("seconds\n", "seconds,bonus\n").replace(".5\n", ".5,1\n"),
        "'bonus'",
    ),
    "huge-value": ("history.csv", GOOD.replace("0.65", "1e308"), "val_loss=1e+308 is not a value"),
    "infinite": ("history.csv", GOOD.replace("0.6,0.6", "inf,0.6"), "loss=inf"),
    "negative-time": ("history.csv", GOOD.replace("3.0\n", "-3.0\n"), "seconds=-3"),
    "epoch-gap": ("history.csv", GOOD.replace("\n2,", "\n3,"), "does not list epochs 1..2"),
    "done-negative": ("run.json", '{"status": "stopped", "epochs": 5, "epochs_done": -5}', "epochs_done=-5"),
    "done-beyond": (
        "run.json",
        '{"status": "stopped", "epochs": 5, "epochs_done": 9}',
        "epochs_done=9 beyond",
    ),
}


def _run(root, name: str) -> RunFolder:
    folder = RunFolder.create(root, name)
    folder.write_config(RunConfig(preset="digits-mlp"), {"task": "multiclass"})
    folder.file("history.csv").write_text(GOOD)
    folder.update_status(status="stopped", epochs=5, epochs_done=2)
    return folder


def test_a_good_run_passes_the_check(tmp_path):
    progress = checked_progress(_run(tmp_path, "good"))
    assert (progress.epochs_done, progress.epochs, len(progress.history)) == (2, 5, 2)
    assert progress.history[1]["val_accuracy"] == pytest.approx(0.58)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_runs_lists_it_damaged_and_resume_refuses_it_with_the_same_message(tmp_path, name):
    file, text, said = HOSTILE[name]
    folder = _run(tmp_path, name)
    folder.file(file).write_text(text)
    [row] = list_runs(tmp_path)
    assert row.status == "damaged" and said in row.reason, row.reason
    with pytest.raises(RunFolderError) as refused:
        plan_resume(folder.path, epochs=6)
    assert str(refused.value) == row.reason
