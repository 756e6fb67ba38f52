"""The door at 80 columns: `--help` in panels with defaults and no markup eaten, numbers that are not numbers
listed with every other bad setting at once, `presets` saying what trains here, and a forecaster's way to its
forecasts."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from seqtui.cli import options as opt
from seqtui.cli.main import app
from seqtui.core.config.presets import PRESETS


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80", "NO_COLOR": "1"})


def panels(output: str) -> list[str]:
    return re.findall(r"^╭─ (\w+) ─", output, flags=re.MULTILINE)


def test_train_help_groups_its_options_in_panels_with_defaults():
    result = invoke("train", "--help")
    assert result.exit_code == 0, result.output
    assert panels(result.output) == ["Options", "Data", "Model", "Training", "Output", "Hardware"]
    text = " ".join(result.output.replace("│", " ").split())
    assert "--epochs <int> Passes over the training data. [default: 5, or the preset's]" in text
    assert "needs seqtui[mlflow]" in text  # the extra's name, not eaten as markup
    assert "<bool>" not in text.replace("--help <bool>", "")  # Typer's own --help keeps its type
    assert "--bidirectional --unidirectional Read" in text


def test_every_run_setting_of_train_sits_in_a_panel():
    listed = {id(alias) for aliases in opt.PANELS.values() for alias in aliases}
    import inspect

    from seqtui.cli.common import _run_settings

    for name, param in inspect.signature(_run_settings, eval_str=True).parameters.items():
        assert id(param.annotation) in listed, f"--{name} has no panel in opt.PANELS"


def test_numbers_that_are_not_numbers_are_listed_with_every_other_problem():
    result = invoke("train", "--units", "abc", "--epochs", "-1")
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "error: invalid settings:",
        "  --preset: say what to train: a preset (see `seqtui presets`), or --dataset NAME / --data FILE",
        "  --units: must be a whole number above 0 (got 'abc')",
        "  --epochs: must be a whole number above 0 (got -1)",
    ]
    result = invoke("train", "--preset", "series-rnn", "--dropout", "lots", "--learning-rate", "1e-3x")
    assert result.exit_code == 2
    assert "--dropout: must be in [0, 1), e.g. 0.2 (got 'lots')" in result.output
    assert "--learning-rate: must be above 0 and below 10, e.g. 0.001 (got '1e-3x')" in result.output
    code = (
        "import sys; from typer.testing import CliRunner; from seqtui.cli.main import app; "
        "r = CliRunner().invoke(app, ['train', '--preset', 'series-rnn', '--units', 'abc']); "
        "print(r.exit_code, 'tensorflow' in sys.modules)"
    )
    checked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert checked.stdout.split() == ["2", "False"], checked.stderr  # refused before TensorFlow loads


def test_numbers_still_parse_as_numbers():
    assert opt._info(opt.Units).parser("32") == 32 and opt._info(opt.Dropout).parser("0.25") == 0.25
    assert opt._info(opt.Units).parser("3.5") == "3.5"  # a whole number wanted: the check says so


def test_presets_at_80_columns_say_what_trains_here_and_cut_no_word(tmp_path, monkeypatch):
    keras_home = tmp_path / "keras_home" / "datasets"
    keras_home.mkdir(parents=True)
    (keras_home / "mnist.npz").write_bytes(b"")  # in Keras' cache: trains here without a download
    result = invoke("presets")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines) and "…" not in result.output
    cells = [re.split(r"\s*│\s*", line.strip("│ ")) for line in lines if line.startswith("│")]
    names = {row[0] for row in cells}
    assert set(PRESETS) <= names  # every name whole, on its own line of its cell
    status = {row[0]: row[2] for row in cells if row[0] in PRESETS}
    assert status["digits-cnn"] == "offline" and status["memory-gru"] == "offline"
    assert status["mnist-cnn"] == "cached" and status["imdb-lstm"] == "needs download"
    assert status["spam-rnn"] == "needs a file"
    words = {w for p in PRESETS.values() for w in p.description.split()}
    shown = {w for row in cells for w in row[-1].split()}
    assert shown <= words  # the descriptions wrap between words: no piece of a cut word
    assert "needs download: seqtui datasets fetch DATASET" in result.output


@pytest.mark.parametrize("command", [["predict"], ["summary"], ["runs"]])
def test_other_help_pages_still_fit_80_columns(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and all(len(line) <= 80 for line in result.output.splitlines())
