"""`seqtui runs` against a runs folder that is a file, and run folders edited to hold absurd numbers
(issue 27, item 12): one message and exit 2, or numbers of bounded width, never 300 digits."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.common.text import bounded_number
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder


def test_a_runs_folder_that_is_a_file_is_an_error_not_no_runs(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a folder\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["runs"], env={"SEQTUI_RUNS_DIR": str(notes), "COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert f"the runs folder {notes} is a file, not a folder" in result.output
    assert "no runs" not in result.output


def test_the_app_is_not_opened_on_a_runs_folder_that_is_a_file(tmp_path):
    """As a real process: the message and exit 2 before the app would show an empty Runs screen."""
    notes = tmp_path / "notes.txt"
    notes.write_text("x\n", encoding="utf-8")
    env = os.environ | {"SEQTUI_RUNS_DIR": str(notes), "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "seqtui"], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"the runs folder {notes} is a file, not a folder" in done.stderr


def test_absurd_numbers_in_a_run_folder_print_in_bounded_width(tmp_path):
    folder = RunFolder.create(tmp_path, "absurd")
    folder.write_config(RunConfig(preset="digits-mlp"), {})
    folder.write_history([{"epoch": 1, "loss": 0.5, "val_loss": 0.25, "val_accuracy": 0.75}])
    folder.update_status(status="completed", epochs=1, epochs_done=1, train_seconds=1e308)
    folder.file("metrics.json").write_text(json.dumps({"accuracy": 1e308, "loss": -1e308}))
    result = CliRunner().invoke(app, ["runs", "--runs-dir", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "1e+308" in result.output and "acc 0.7500 @1" in result.output
    assert not re.search(r"\d{12}", result.output), result.output


def test_bounded_numbers_keep_ordinary_values_and_shorten_the_rest():
    assert [bounded_number(v) for v in (0.73041, 0.0, 12.5, 1e308, -2.5e-7, float("inf"))] == [
        "0.7304", "0.0000", "12.5000", "1e+308", "-2.5e-07", "inf",
    ]  # fmt: skip
    assert bounded_number(41.6, 0) == "42" and bounded_number(3e20, 0) == "3e+20"
