"""`seqtui train --find-lr`: the range test from the command line, its chart, its suggestion and the command
line that uses it; no run folder; the bad inputs."""

from __future__ import annotations

import json
import math
import shlex

import typer
from typer.testing import CliRunner

from seqtui.cli.common import command_line
from seqtui.cli.main import app
from seqtui.headless.lr_finder import LEFT_OUT, use_command

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
    command = " ".join(out.split()).split("to use it: ")[1]
    assert command.startswith("seqtui train --preset series-rnn ") and command.endswith(
        " --learning-rate " + command.split()[-1]
    )
    assert "--units 3" in command and "--limit 300" in command and "--find-lr" not in command


def test_find_lr_with_resume_is_one_clear_error(tmp_path):
    result = invoke("train", "--resume", str(tmp_path), "--find-lr")
    assert result.exit_code == 2
    assert "--find-lr" in result.output and "Traceback" not in result.output


def test_the_command_line_repeats_the_options_given_with_the_suggestion():
    """Every option as typed (pairs of flags, repeatable options, renamed ones), none of --find-lr's own."""
    args = ["--dataset", "adding", "--data", "내 파일.csv", "--unidirectional", "--limit", "50", "--probe", "a b",
            "--probe", "c", "--no-grad-flow", "--learning-rate", "0.1", "--find-lr", "--json"]  # fmt: skip
    train = typer.main.get_command(app).commands["train"]
    with train.make_context("train", list(args)) as ctx:
        words = shlex.split(use_command(command_line(ctx, LEFT_OUT), 0.0031))
    assert words[:2] == ["seqtui", "train"] and words[-2:] == ["--learning-rate", "0.0031"]
    pairs = {tuple(words[i : i + 2]) for i in range(len(words) - 1)}
    assert {("--dataset", "adding"), ("--data", "내 파일.csv"), ("--limit", "50"), ("--probe", "a b"),
            ("--probe", "c")} <= pairs  # fmt: skip
    assert "--unidirectional" in words and "--no-grad-flow" in words
    assert not {"--find-lr", "--json", "--probe-image", "0.1"} & set(words)
    assert len(words) == 2 + 12 + 2  # nothing else: the command, the 12 words given, the rate
