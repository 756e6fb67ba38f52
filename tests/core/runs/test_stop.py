"""Asking a run's trainer to stop: SIGTERM to the process run.json names, and only to it."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from seqtui.core.runs.folder import RunFolder, RunFolderError, process_start
from seqtui.core.runs.stop import ask_to_stop, trainer_pid

WAITS_FOR_SIGTERM = """
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(42))
print("ready", flush=True)
time.sleep(60)
"""


def running(tmp_path, pid: int, host: str | None = None, started: str | None = None) -> RunFolder:
    folder = RunFolder.create(tmp_path, "demo")
    folder.update_status(status="running", pid=pid, pid_started=started, host=host or socket.gethostname())
    return folder


def test_the_recorded_trainer_gets_sigterm(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", WAITS_FOR_SIGTERM], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        folder = running(tmp_path, process.pid, started=process_start(process.pid))
        assert trainer_pid(folder) == process.pid
        assert ask_to_stop(folder) == process.pid
        assert process.wait(timeout=10) == 42  # its SIGTERM handler ran
    finally:
        process.kill()


def test_no_signal_without_a_trainer_here(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with pytest.raises(RunFolderError, match="training process has ended"):
        ask_to_stop(running(tmp_path, dead.pid))
    with pytest.raises(RunFolderError, match="trains on gpu-7\\\\x1b\\[2J: stop it there"):
        ask_to_stop(running(tmp_path, 1, host="gpu-7\x1b[2J"))
    finished = running(tmp_path, 1)
    finished.update_status(status="completed")
    with pytest.raises(RunFolderError, match="is not training \\(it is completed\\)"):
        ask_to_stop(finished)
    assert trainer_pid(finished) is None
    # a live process whose start time differs from the recorded one is another process with a reused id
    reused = running(tmp_path, 1, started="12345")
    assert trainer_pid(reused) is None
