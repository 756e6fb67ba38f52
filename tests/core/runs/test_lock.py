"""One trainer per run folder: a second trainer (another process, or the same one) is refused with exit code
2 naming the process that holds the folder, before it reads or deletes anything; the OS drops the lock when
that process dies, so a killed run stays resumable."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.lock import LOCK, RunLocked, _holder, training_lock
from seqtui.core.training.resume import resume

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.write(fd, f"{os.getpid()}\\n".encode())
print("held", flush=True)
time.sleep(60)
"""


def interrupted_run(root: Path) -> Path:
    """A run folder stopped after epoch 1 of 3, with a temporary checkpoint a trainer is writing."""
    folder = RunFolder.create(root, "series-rnn")
    folder.write_config(with_overrides(RunConfig(preset="series-rnn"), dataset="jena-sample"), {})
    folder.write_history([{"epoch": 1, "loss": 0.5, "val_loss": 0.4}])
    folder.file("last.keras").write_bytes(b"x")
    folder.update_status(status="interrupted", epochs=3, epochs_done=1)
    (folder.path / ".last-abc.keras").write_bytes(b"half")  # what the holder is writing right now
    return folder.path


@pytest.fixture
def holder(tmp_path):
    procs = []

    def hold(folder: Path) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(folder / LOCK)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "held"
        procs.append(proc)
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


def test_second_trainer_exits_2_naming_the_pid_and_touches_nothing(tmp_path, holder):
    run = interrupted_run(tmp_path)
    proc = holder(run)
    result = CliRunner().invoke(app, ["train", "--resume", str(run), "--epochs", "5"])
    assert result.exit_code == 2, result.output
    assert f"being trained by process {proc.pid}" in " ".join(result.output.split())
    assert (run / ".last-abc.keras").exists()  # the holder's temporary checkpoint is not deleted
    assert RunFolder(run).read_json("run.json")["status"] == "interrupted"


def test_the_runner_itself_takes_the_lock_before_reading(tmp_path, holder):
    run = interrupted_run(tmp_path)
    (run / "config.json").write_text("{damaged")  # never read: the lock is refused first
    proc = holder(run)
    with pytest.raises(RunLocked) as info:
        resume(run, lambda event: None, epochs=5)
    assert info.value.pid == proc.pid


def test_lock_is_released_when_the_holder_dies(tmp_path, holder):
    run = interrupted_run(tmp_path)
    proc = holder(run)
    proc.kill()
    proc.wait()
    with training_lock(run):  # a killed trainer leaves the folder resumable
        assert (run / LOCK).read_text().strip().isdigit()


def test_same_process_can_not_train_one_folder_twice(tmp_path):
    with (
        training_lock(tmp_path),
        pytest.raises(RunLocked, match="being trained by process"),
        training_lock(tmp_path),
    ):
        pass
    with training_lock(tmp_path):  # released on leaving the block
        time.sleep(0)


@pytest.mark.parametrize(
    ("text", "pid"),
    [("4242\n", 4242), ("9" * 5000, None), ("abc", None), ("", None)],
    ids=["pid", "5000-digits", "letters", "empty"],
)
def test_a_damaged_lock_file_names_no_process_instead_of_failing(tmp_path, text, pid):
    (tmp_path / LOCK).write_text(text)
    assert _holder(tmp_path / LOCK) == pid


def test_a_holder_whose_pid_cannot_be_read_is_another_process(tmp_path):
    """The lock is held but its file names no process (damaged, or not written yet): say so plainly."""
    with training_lock(tmp_path):
        (tmp_path / LOCK).write_text("")
        with pytest.raises(RunLocked) as info, training_lock(tmp_path):
            pass
    assert info.value.pid is None
    assert str(info.value).startswith(f"{tmp_path} is being trained by another process right now;")
