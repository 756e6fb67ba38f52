"""`seqtui watch`: real processes follow a real trainer to its end (the same JSON lines as its own --json, two
watchers at once), a killed trainer is told as `crashed`; and, through CliRunner, what a run folder made by
hand shows (text from the file never reaches the terminal raw) and the bad inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.follow import EVENTS

SEQTUI = str(Path(sys.executable).with_name("seqtui"))
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
TRAIN = [SEQTUI, "train", "--preset", "series-rnn", "--patience", "0", "--batch-size", "8", "--json"]


def started_folder(runs: Path, trainer: subprocess.Popen, timeout: float = 90.0) -> Path:
    """The run folder the trainer made, once it exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in runs.iterdir() if p.is_dir()] if runs.exists() else []
        if found:
            return found[0]
        assert trainer.poll() is None, trainer.stderr.read() if trainer.stderr else ""
        time.sleep(0.05)
    raise AssertionError("no run folder")


def watcher(run: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [SEQTUI, "watch", str(run), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )


def test_watchers_follow_a_trainer_to_its_end_with_its_own_json_lines(tmp_path):
    runs = tmp_path / "out"
    trainer = subprocess.Popen(
        [*TRAIN, "--epochs", "5", "--limit", "400", "--runs-dir", str(runs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    run = started_folder(runs, trainer)
    as_json, plain = watcher(run, "--json"), watcher(run)  # started before training: they follow it
    trained, trainer_err = trainer.communicate(timeout=180)
    assert trainer.returncode == 0, trainer_err
    watched, watch_err = as_json.communicate(timeout=30)
    lines, plain_err = plain.communicate(timeout=30)
    assert as_json.returncode == 0 and plain.returncode == 0, watch_err + plain_err
    assert watched == trained  # the very lines of the trainer's own --json, in order
    events = [json.loads(line) for line in watched.splitlines()]
    assert [e["epoch"] for e in events if e["event"] == "epoch_end"] == [1, 2, 3, 4, 5]
    assert events[-1]["event"] == "run_end" and events[-1]["status"] == "completed"
    assert lines.splitlines()[0].startswith("run series-rnn") and "epoch 5/5  loss=" in lines
    assert lines.splitlines()[-1].startswith("run completed: 5 epochs, test loss=")
    recorded = [json.loads(line) for line in (run / EVENTS).read_text(encoding="utf-8").splitlines()]
    assert [e for e in recorded if e["event"] != "batch_end"] == events
    assert any(e["event"] == "batch_end" for e in recorded)  # the file also has (throttled) batch events


def test_a_watcher_of_a_killed_trainer_says_crashed(tmp_path):
    runs = tmp_path / "out"
    trainer = subprocess.Popen(
        [*TRAIN, "--epochs", "50", "--limit", "400", "--runs-dir", str(runs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    assert trainer.stdout is not None
    for line in trainer.stdout:  # until the first epoch has ended
        if json.loads(line)["event"] == "epoch_end":
            break
    run = RunFolder.open(
        json.loads((started_folder(runs, trainer) / EVENTS).read_text().splitlines()[0])["run_dir"]
    )
    watching = watcher(run.path, "--json")
    time.sleep(1.0)
    assert watching.poll() is None  # the trainer lives: the watcher follows
    trainer.kill()
    trainer.wait(timeout=30)
    out, err = watching.communicate(timeout=30)
    assert watching.returncode == 1, err
    end = json.loads(out.splitlines()[-1])
    assert end["event"] == "run_end" and end["status"] == "crashed" and end["epochs_done"] >= 1
    assert f"seqtui train --resume {run.path}" in end["message"] and "crashed:" in err
    assert any(json.loads(line)["event"] == "epoch_end" for line in out.splitlines())


# -- a run folder made by hand ----------------------------------------------------------------------------
def hand_made(tmp_path: Path, status: str, *events: dict) -> RunFolder:
    folder = RunFolder.create(tmp_path / "runs", "demo")
    folder.update_status(status=status, epochs=1, epochs_done=1)
    folder.file(EVENTS).write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    return folder


START = {
    "event": "run_start", "run_dir": "r", "name": "날씨\x1b[31m", "epochs": 1, "initial_epoch": 0,
    "steps_per_epoch": 1, "train_samples": 10, "total_params": 131, "task": "binary",
    "monitor_metric": "accuracy",
}  # fmt: skip
LOG = {"event": "log", "message": "column \x1b]8;;http://x\x1b\\text\u202e used", "level": "info"}


def test_a_finished_run_is_shown_and_exits_with_its_code(tmp_path):
    end = {
        "event": "run_end",
        "status": "interrupted",
        "run_dir": "r",
        "epochs_done": 1,
        "message": "stopped",
    }
    folder = hand_made(tmp_path, "interrupted", START, LOG, end)
    result = CliRunner().invoke(app, ["watch", str(folder.path)])
    assert result.exit_code == 130, result.output
    assert (
        "\x1b" not in result.stdout and "\u202e" not in result.stdout
    )  # escapes written out, never acted on
    assert "run 날씨\\x1b[31m: 131 params" in result.stdout
    assert "note: column \\x1b]8;;http://x\\x1b\\text\\u202e used" in result.stdout
    assert "run interrupted: 1 epoch, test" in result.stdout  # issue #25: "1 epoch", never "1 epochs"
    result = CliRunner().invoke(
        app, ["watch", "--json", folder.path.name, "--runs-dir", str(tmp_path / "runs")]
    )
    assert result.exit_code == 130
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["name"] == "날씨\\x1b[31m" and lines[-1] == end


def test_bad_inputs_are_one_clear_message(tmp_path):
    result = CliRunner().invoke(app, ["watch", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "is not a seqtui run folder" in result.output
    folder = hand_made(tmp_path, "completed")
    folder.file(EVENTS).unlink()  # a run trained before seqtui wrote events
    result = CliRunner().invoke(app, ["watch", str(folder.path)])
    assert result.exit_code == 2 and "has no events.jsonl" in result.output
    assert "Traceback" not in result.output


def test_on_a_terminal_the_app_opens_on_the_run_and_plain_keeps_the_lines(tmp_path, monkeypatch):
    import seqtui.cli.watch as command
    import seqtui.tui.launch as launch

    folder = hand_made(tmp_path, "completed", START)
    opened: list[tuple] = []
    monkeypatch.setattr(launch, "launch", lambda runs_dir=None, watch=None: opened.append((runs_dir, watch)))
    monkeypatch.setattr(command, "on_terminal", lambda: True)
    result = CliRunner().invoke(app, ["watch", folder.path.name, "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0 and opened == [(tmp_path / "runs", folder.path)]
    result = CliRunner().invoke(app, ["watch", "--plain", str(folder.path)])
    assert result.exit_code == 0 and "run 날씨" in result.stdout and len(opened) == 1
    result = CliRunner().invoke(app, ["watch", str(tmp_path / "nothing")])  # checked before the app opens
    assert result.exit_code == 2 and "is not a seqtui run folder" in result.output and len(opened) == 1
