"""Ctrl+C while a run starts, in a real process: whenever it lands (Python loading the command line, Typer
reading the options, the data loading, Keras importing), one clean line and exit code 130, never a
traceback or "Exception ignored"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SEQTUI = Path(sys.executable).with_name("seqtui")


def interrupted_after(delay: float, runs: Path) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        [str(SEQTUI), "train", "--preset", "series-rnn", "--epochs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SEQTUI_RUNS_DIR": str(runs), "COLUMNS": "80"},
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("delay", [0.15, 0.35, 0.6, 0.9, 1.5])
def test_ctrl_c_while_a_run_starts_gives_one_clean_line(delay, tmp_path):
    result = interrupted_after(delay, tmp_path / "runs")
    if result.returncode == 0:  # the run was over before the signal came (an idle, fast machine)
        return
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert (
        lines
        and lines[-1]
        in (
            "error: interrupted",
            "error: stopped before training started",
        )
        or lines[-1].startswith("interrupted:")
    ), result.stderr


def test_ctrl_c_is_the_usual_keyboard_interrupt_once_the_command_line_is_imported():
    """Importing the command line (a test, a program) leaves Ctrl+C as Python has it."""
    code = (
        "import signal, seqtui.cli.main; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "True", result.stderr
