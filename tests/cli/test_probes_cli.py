"""`seqtui train --probe/--probe-image/--grad-flow` at the door: bad probes are one message and exit 2 before
anything trains (no run folder, no TensorFlow for what the settings alone show), and the options sit in the
Training panel."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from seqtui.cli.main import app


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})


def test_bad_probes_are_one_message_and_exit_2(tmp_path):
    runs = str(tmp_path / "runs")
    result = invoke("train", "--preset", "seattle-gru", "--probe", "hi", "--runs-dir", runs)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: invalid settings:",
        "  --probe: probes watch a classifier's answers; this run trains a forecaster",
    ]
    many = [arg for n in range(9) for arg in ("--probe", f"sentence {n}")]
    result = invoke("train", "--preset", "topics-en-lstm", *many, "--probe", " ", "--runs-dir", runs)
    assert result.exit_code == 2
    assert "  --probe: each must hold 1 to 2,000 characters" in result.output.splitlines()
    assert "  --probe: at most 8 probes (got 10)" in result.output.splitlines()
    result = invoke("train", "--resume", str(tmp_path), "--probe", "hi")
    assert result.exit_code == 2 and "drop --probe" in result.output
    assert not list((tmp_path / "runs").glob("*"))  # no run folder was made


def test_a_missing_probe_image_is_refused_before_tensorflow_loads(tmp_path):
    code = (
        "import sys; from typer.testing import CliRunner; from seqtui.cli.main import app; "
        f"r = CliRunner().invoke(app, ['train', '--preset', 'digits-mlp', '--probe-image', {str(tmp_path / 'gone.png')!r}, "
        f"'--runs-dir', {str(tmp_path / 'runs')!r}]); "
        "print(r.exit_code, 'tensorflow' in sys.modules); print(r.output)"
    )
    checked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    lines = checked.stdout.splitlines()
    assert lines[0] == "2 False", checked.stderr
    assert lines[2] == f"  --probe-image: {tmp_path / 'gone.png'} does not exist"


def test_json_epoch_events_carry_probes_and_gradient_norms(tmp_path):
    result = invoke("train", "--preset", "topics-en-lstm", "--limit", "200", "--units", "4", "--embedding-dim", "4",
                    "--vocab-size", "200", "--epochs", "1", "--probe", "주가가 올랐다", "--no-tensorboard",
                    "--json", "--runs-dir", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    epoch = next(json.loads(line) for line in result.stdout.splitlines() if '"epoch_end"' in line)
    assert [p["probe"] for p in epoch["probes"]] == ["주가가 올랐다"]
    assert sum(epoch["probes"][0]["probabilities"].values()) == __import__("pytest").approx(1, abs=1e-4)
    layers = {name.rsplit("_", 1)[0] if name[-1].isdigit() else name for name in epoch["grad_norms"]}
    assert layers == {"embedding", "lstm", "dense"}  # Keras numbers a layer's name after earlier models
    result = invoke("train", "--preset", "topics-en-lstm", "--limit", "200", "--units", "4", "--epochs", "1",
                    "--no-grad-flow", "--no-tensorboard", "--json", "--runs-dir", str(tmp_path))  # fmt: skip
    epoch = next(json.loads(line) for line in result.stdout.splitlines() if '"epoch_end"' in line)
    assert "grad_norms" not in epoch and "probes" not in epoch  # nothing watched: the event as before


def test_the_options_are_in_the_training_panel():
    text = " ".join(invoke("train", "--help").output.replace("│", " ").split())
    assert "--probe TEXT A sentence whose class probabilities are recorded" in text
    assert "--grad-flow --no-grad-flow" in text
