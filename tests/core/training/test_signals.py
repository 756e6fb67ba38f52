"""Real processes, real signals: Ctrl+C finishes the batch and exits 130 with a resumable folder; a second
Ctrl+C quits at once, still consistent; SIGKILL leaves a `crashed` folder that resumes. stdout in --json
mode is JSON lines only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.runs.folder import RunFolder, is_temp_file
from seqtui.headless.train import interrupt_handler

SEQTUI = str(Path(sys.executable).with_name("seqtui"))


class Training:
    """`seqtui train --json` in a child process, its stdout read line by line as JSON."""

    def __init__(self, runs: Path, *args: str) -> None:
        command = [
            SEQTUI,
            "train",
            "--preset",
            "series-rnn",
            "--patience",
            "0",
            "--json",
            "--runs-dir",
            str(runs),
            *args,
        ]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.events: list[dict] = []
        self.lines: list[str] = []
        self.stderr: list[str] = []
        self._readers = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]  # fmt: skip
        for reader in self._readers:
            reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self.events.append(json.loads(line))  # anything that isn't JSON fails the test here

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr.extend(self.proc.stderr)

    def wait_for(self, event: str, timeout: float = 90.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events if e["event"] == event]
            if found:
                return found[0]
            assert self.proc.poll() is None, "".join(self.stderr)
            time.sleep(0.05)
        raise AssertionError(f"no {event} event within {timeout} s")

    def finish(self, timeout: float = 60.0) -> tuple[int, str]:
        code = self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        return code, "".join(self.stderr)


def epochs_in(folder: RunFolder) -> list[int]:
    return [int(row["epoch"]) for row in folder.read_history()]


def assert_consistent(folder: RunFolder) -> None:
    """No half-written file, history epochs 1..n, and run.json agreeing with the history."""
    assert not [p.name for p in folder.path.iterdir() if is_temp_file(p)]
    done = epochs_in(folder)
    assert done == list(range(1, len(done) + 1))
    assert folder.read_json("run.json")["epochs_done"] == len(done)
    assert folder.file("last.keras").exists()


def resume_json(run_dir: str, epochs: int) -> list[dict]:
    result = CliRunner().invoke(app, ["train", "--resume", run_dir, "--epochs", str(epochs), "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_ctrl_c_stops_after_the_batch_exits_130_and_resume_continues(tmp_path):
    run = Training(tmp_path, "--epochs", "50", "--batch-size", "8", "--limit", "400")
    start = run.wait_for("run_start")
    assert {"run_dir", "epochs", "initial_epoch", "steps_per_epoch", "total_params"} <= start.keys()
    first = run.wait_for("epoch_end")
    assert first["epoch"] == 1 and {"loss", "val_loss"} <= first["logs"].keys()
    assert first["seconds"] > 0 and first["samples_per_s"] > 0
    run.proc.send_signal(signal.SIGINT)
    code, stderr = run.finish()
    assert code == 130, stderr
    assert all(line.startswith("{") for line in run.lines), run.lines
    end = run.events[-1]
    assert end["event"] == "run_end" and end["status"] == "interrupted"
    assert f"seqtui train --resume {start['run_dir']}" in stderr
    folder = RunFolder.open(start["run_dir"])
    assert folder.status == "interrupted"
    assert_consistent(folder)
    done = len(epochs_in(folder))
    assert done < 50

    events = resume_json(start["run_dir"], done + 2)
    assert [e["epoch"] for e in events if e["event"] == "epoch_end"] == [done + 1, done + 2]
    assert events[-1]["status"] == "completed" and events[-1]["run_dir"] == start["run_dir"]
    assert set(events[-1]["test_metrics"]) == {"loss", "mae"}
    assert epochs_in(folder) == list(range(1, done + 3))


def test_sigkill_leaves_a_crashed_folder_that_resumes(tmp_path):
    run = Training(tmp_path, "--epochs", "50", "--batch-size", "8", "--limit", "400")
    start = run.wait_for("run_start")
    run.wait_for("epoch_end")
    time.sleep(0.3)  # into the next epoch
    run.proc.kill()
    run.finish()
    folder = RunFolder.open(start["run_dir"])
    assert folder.read_json("run.json")["status"] == "running"
    assert folder.status == "crashed"
    listing = CliRunner().invoke(app, ["runs", "--runs-dir", str(tmp_path)], env={"COLUMNS": "200"})
    assert "crashed" in listing.output
    folder.remove_temp_files()  # a kill mid-save may leave one; resume removes it as well
    assert_consistent(folder)
    done = len(epochs_in(folder))
    events = resume_json(start["run_dir"], done + 1)
    assert [e["epoch"] for e in events if e["event"] == "epoch_end"] == [done + 1]
    assert folder.status == "completed" and epochs_in(folder) == list(range(1, done + 2))


def test_the_interrupt_handler_stops_then_quits_then_restores():
    from seqtui.headless.train import interrupt_handler

    cancel = threading.Event()
    before = signal.getsignal(signal.SIGINT)
    with interrupt_handler(cancel):
        handler = signal.getsignal(signal.SIGINT)
        handler(signal.SIGINT, None)
        assert cancel.is_set()
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_while_loading_stops_at_once():
    """The installed handler called as Python calls it (a signal raised in this process could land inside a
    garbage-collector callback, where Python prints and drops the exception; real signals are sent to real
    processes in the tests above and below)."""
    cancel, training = threading.Event(), threading.Event()
    with (
        pytest.raises(KeyboardInterrupt, match="before training started"),
        interrupt_handler(cancel, None, training),
    ):
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
    assert cancel.is_set()
    cancel, training = threading.Event(), threading.Event()
    training.set()
    with interrupt_handler(cancel, None, training):  # training: the first Ctrl+C finishes the batch
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
    assert cancel.is_set()


@pytest.mark.slow
def test_a_second_ctrl_c_quits_at_once_and_leaves_a_consistent_folder(tmp_path):
    run = Training(tmp_path, "--epochs", "50", "--batch-size", "4", "--limit", "400")
    start = run.wait_for("run_start")
    run.wait_for("epoch_end")
    run.proc.send_signal(signal.SIGINT)
    run.proc.send_signal(signal.SIGINT)  # the first may already have stopped the run: either way, 130
    code, stderr = run.finish()
    assert code == 130, stderr
    assert "Traceback" not in stderr
    folder = RunFolder.open(start["run_dir"])
    assert folder.read_json("run.json")["status"] == "interrupted"
    assert_consistent(folder)


# -- jobs that outlive the terminal ------------------------------------------------------------------------
TINY = ["--preset", "series-rnn", "--patience", "0", "--epochs", "2", "--limit", "200"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_like_ctrl_c_and_resume_continues(tmp_path, stop):
    run = Training(tmp_path, "--epochs", "50", "--batch-size", "8", "--limit", "400")
    start = run.wait_for("run_start")
    run.wait_for("epoch_end")
    run.proc.send_signal(stop)
    code, stderr = run.finish()
    assert code == 130, stderr
    assert f"{stop.name}: stopping after this batch" in stderr and "Traceback" not in stderr
    end = run.events[-1]
    assert end["event"] == "run_end" and end["status"] == "interrupted"
    folder = RunFolder.open(start["run_dir"])
    assert folder.read_json("run.json")["status"] == "interrupted"
    assert_consistent(folder)
    done = len(epochs_in(folder))
    assert 1 <= done < 50 and end["epochs_done"] == done
    events = resume_json(start["run_dir"], done + 1)
    assert [e["epoch"] for e in events if e["event"] == "epoch_end"] == [done + 1]
    assert folder.status == "completed" and epochs_in(folder) == list(range(1, done + 2))


def test_a_reader_that_closes_after_one_line_never_fails_the_run(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [SEQTUI, "train", *TINY, "--json", "--runs-dir", str(tmp_path)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())  # `| head -1`
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr.decode()
    assert first["event"] == "run_start" and b"BrokenPipe" not in stderr
    folder = RunFolder.open(first["run_dir"])
    assert folder.read_json("run.json")["status"] == "completed" and epochs_in(folder) == [1, 2]


@pytest.mark.parametrize(
    "as_json", [pytest.param(False, marks=pytest.mark.slow), True], ids=["plain", "json"]
)
def test_no_stdout_at_all_trains_and_completes(tmp_path, as_json):
    """`>&-`, as some cron and daemon set-ups run it: Python starts with sys.stdout None."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    runs = tmp_path / "runs"
    command = [SEQTUI, "train", *TINY, *(["--json"] if as_json else []), "--runs-dir", str(runs)]
    proc = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=120,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    (run_dir,) = [p for p in runs.iterdir() if p.is_dir()]
    folder = RunFolder(run_dir)
    assert folder.read_json("run.json")["status"] == "completed" and epochs_in(folder) == [1, 2]
    lock = (run_dir / ".train.lock").read_text()
    assert lock.strip().isdigit()  # fd 1 was /dev/null, never a file of the run: nothing printed landed there


def test_the_handler_leaves_an_ignored_sighup_ignored_and_restores_all():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts a process
    try:
        cancel = threading.Event()
        with interrupt_handler(cancel):
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            handler = signal.getsignal(signal.SIGTERM)
            assert handler is signal.getsignal(signal.SIGINT) and callable(handler)
            handler(signal.SIGTERM, None)
            assert cancel.is_set()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is before[signal.SIGTERM]
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
