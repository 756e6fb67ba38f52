"""One progress check for every reader (issue 27, item 10): a history.csv with a column the trainer never
writes or a value no float32 training produces, or a run.json whose epochs_done is negative or beyond its
epochs, is `damaged` in `seqtui runs` and refused by a resume, with the same message."""

from __future__ import annotations

import pytest

from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder, RunFolderError
from seqtui.core.runs.listing import list_runs
from seqtui.core.runs.progress import FLOAT32_MAX, MAX_EPOCHS, checked_progress
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


def _edited(root, run_json: str, history: str = GOOD) -> RunFolder:
    folder = _run(root, "edited")
    folder.file("run.json").write_text(run_json)
    folder.file("history.csv").write_text(history)
    return folder


def _refused(root, run_json: str, history: str = GOOD) -> str:
    """The check's message, its run folder's path written `RUN`."""
    folder = _edited(root, run_json, history)
    with pytest.raises(RunFolderError) as refused:
        checked_progress(folder)
    return str(refused.value).replace(str(folder.path), "RUN")


def test_missing_counts_default_to_the_history_and_no_limit(tmp_path):
    progress = checked_progress(_edited(tmp_path, '{"status": "stopped"}'))
    assert (progress.epochs_done, progress.epochs) == (2, 0)  # epochs_done: the history's rows
    assert progress.state == {"status": "stopped"}


def test_the_epoch_counts_take_every_whole_number_from_0_to_the_limit(tmp_path):
    progress = checked_progress(_edited(tmp_path / "a", '{"epochs": 0, "epochs_done": 0}', ""))
    assert (progress.epochs_done, progress.epochs, progress.history) == (0, 0, [])
    progress = checked_progress(_edited(tmp_path / "b", '{"epochs": 100000, "epochs_done": 2}'))
    assert progress.epochs == MAX_EPOCHS == 100_000
    progress = checked_progress(_edited(tmp_path / "c", '{"epochs": 2, "epochs_done": 2}'))  # done as set
    assert (progress.epochs_done, progress.epochs) == (2, 2)
    assert (
        _refused(tmp_path / "d", '{"epochs": 100001}')
        == "RUN/run.json holds epochs=100001, not a number of epochs"
    )
    for n, odd in enumerate(('"3"', "true", "2.0", "null")):
        assert _refused(tmp_path / f"e{n}", f'{{"epochs": 5, "epochs_done": {odd}}}').endswith(
            "not a number of epochs"
        ), odd


def test_a_long_edited_count_is_shown_shortened_from_41_characters(tmp_path):
    forty, forty_one = "x" * 38, "x" * 39  # repr adds the two quotes
    assert f"epochs_done='{forty}', not" in _refused(tmp_path / "a", f'{{"epochs_done": "{forty}"}}')
    assert _refused(tmp_path / "b", f'{{"epochs_done": "{forty_one}"}}') == (
        f"RUN/run.json holds epochs_done='{'x' * 19}... (41 characters), not a number of epochs"
    )


def test_history_columns_the_trainer_never_writes_are_named_up_to_five(tmp_path):
    odd = "epoch,loss,val_loss,b,c,d,e,f,g,seconds\n1,0.5,0.5,1,1,1,1,1,1,1.0\n"
    assert _refused(tmp_path / "a", "{}", odd) == (
        "RUN/history.csv has columns the trainer never writes ('b', 'c', 'd', 'e', 'f'); it was edited"
    )
    long = "epoch,loss,val_loss," + "y" * 70 + ",seconds\n1,0.5,0.5,1,1.0\n"  # no Keras name: 64 at most
    assert f"('{'y' * 40}')" in _refused(tmp_path / "b", "{}", long)
    spaced = "epoch,loss,val_loss,my metric,val_my metric,seconds\n1,0.5,0.5,1,1,1.0\n"
    assert "('my metric', 'val_my metric')" in _refused(tmp_path / "c", "{}", spaced)
    no_loss = "epoch,accuracy,val_accuracy,seconds\n1,0.5,0.5,1.0\n"
    assert "never writes ('loss (missing)')" in _refused(tmp_path / "d", "{}", no_loss)
    # a run without validation data logs its training loss alone
    progress = checked_progress(_edited(tmp_path / "e", "{}", "epoch,loss,seconds\n1,0.5,1.0\n"))
    assert progress.history == [{"epoch": 1.0, "loss": 0.5, "seconds": 1.0}]


def test_values_up_to_float32s_largest_and_times_from_0_are_what_training_writes(tmp_path):
    edge = f"epoch,loss,val_loss,seconds\n1,{FLOAT32_MAX!r},0.5,0.0\n2,0.5,0.5,0.25\n"
    progress = checked_progress(_edited(tmp_path / "a", "{}", edge))
    assert [row["seconds"] for row in progress.history] == [0.0, 0.25]
    assert _refused(tmp_path / "b", "{}", "epoch,loss,val_loss,seconds\n1,0.5,0.5,-0.5\n") == (
        "RUN/history.csv, epoch 1: seconds=-0.5 is not a value training writes (infinite, negative time or "
        "beyond float32); it was edited"
    )
