"""`seqtui train --find-lr`: the range test from the command line, its chart, its suggestion and the command
line that uses it; no run folder; the bad inputs."""

from __future__ import annotations

import json
import math
import shlex

from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.headless.lr_finder import use_command

TINY = ["train", "--preset", "series-rnn", "--limit", "300", "--units", "3", "--find-lr"]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_find_lr_as_json_suggests_a_rate_inside_the_range_and_writes_no_run_folder(runs_dir):
    result = invoke(*TINY, "--json", "--learning-rate", "0.5")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout.strip().splitlines()[-1])
    rates = found["rates"]
    assert rates[0] == 1e-6 and found["batches"] == len(rates) >= 20
    steps = {round(math.log(b / a), 9) for a, b in zip(rates, rates[1:], strict=False)}
    assert steps == {round(math.log(1e6) / 199, 9)}  # one factor every batch: exponential growth
    assert rates[0] <= found["suggested_learning_rate"] <= rates[-1]
    assert found["suggested_learning_rate"] == max(found["lowest_loss_rate"] / 10, rates[0])
    assert found["current_learning_rate"] == 0.5  # shown, not changed
    words = shlex.split(found["command"])
    assert words[:4] == ["seqtui", "train", "--preset", "series-rnn"]
    assert words[words.index("--learning-rate") + 1] == f"{found['suggested_learning_rate']:.2g}"
    assert "--find-lr" not in words and "--json" not in words and words.count("--learning-rate") == 1
    assert words[words.index("--limit") + 1] == "300" and words[words.index("--units") + 1] == "3"
    assert not runs_dir.exists() or not any(runs_dir.iterdir())


def test_find_lr_draws_loss_against_a_log_rate_axis_and_prints_the_command():
    result = invoke(*TINY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "loss against learning rate" in out and "learning rate (log scale)" in out
    assert "1e-6" in out and "1e-5" in out  # decades on the x-axis
    assert "suggested learning rate:" in out and "your settings are unchanged" in out
    assert "seqtui train --preset series-rnn --limit 300 --units 3 --learning-rate" in " ".join(out.split())


def test_find_lr_with_resume_is_one_clear_error(tmp_path):
    result = invoke("train", "--resume", str(tmp_path), "--find-lr")
    assert result.exit_code == 2
    assert "--find-lr" in result.output and "Traceback" not in result.output


def test_the_command_line_repeats_the_options_given_with_the_suggestion():
    given = {"preset": None, "dataset": "adding", "data": "내 파일.csv", "bidirectional": False,
             "sample_limit": 50, "learning_rate": 0.1, "find_lr": True, "as_json": True, "epochs": None}  # fmt: skip
    assert shlex.split(use_command(given, 0.0031)) == [
        "seqtui", "train", "--dataset", "adding", "--data", "내 파일.csv", "--unidirectional", "--limit", "50",
        "--learning-rate", "0.0031",
    ]  # fmt: skip
