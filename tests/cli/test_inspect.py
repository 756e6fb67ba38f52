"""`seqtui inspect` on a real run folder trained through the real command: the JSON holds the model's own
states (equal to the Keras layer's output), gates, gradient, neighbours and mistakes; the heat maps page the
tokens at 80 columns and use glyphs without colour; a view the model lacks and an unknown word exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app

TEXT = "what is your favorite food"


def invoke(*args: str, columns: int = 200):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns), "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> str:
    """A tiny GRU trained one epoch on the offline English topics (the runs folder is the module's own)."""
    runs = tmp_path_factory.mktemp("runs")
    result = invoke("train", "--preset", "topics-en-lstm", "--arch", "gru", "--limit", "200", "--epochs", "1",
                    "--units", "4", "--embedding-dim", "4", "--maxlen", "8", "--json", "--runs-dir", runs)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[-1])["run_dir"]


def test_json_holds_every_step_of_every_view(run):
    result = invoke("inspect", run, TEXT, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["views"] == ["states", "gates", "gradient", "neighbours", "mistakes"]
    words = [t["text"] for t in found["tokens"]]
    assert len(found["ids"]) == len(found["padding"]) == 8
    assert found["ids"][-len(words) :] == [t["id"] for t in found["tokens"]]
    assert found["padding"] == [True] * (8 - len(words)) + [False] * len(words)
    [layer] = found["layers"]
    assert layer["kind"] == "GRU" and layer["keras_gap"] < 1e-5 and len(layer["top_units"]) == 4
    assert [s["padding"] for s in layer["hidden"]] == found["padding"]
    assert set(layer["gates"]) == {"update", "reset"} and len(layer["gates"]["update"]) == 8
    update = np.array([s["values"] for s in layer["gates"]["update"]])
    summary = {g["gate"]: g for g in layer["gate_summary"]}
    assert summary["update"]["mean"] == pytest.approx(update.mean(axis=1), abs=1e-5)
    assert layer["reading"].startswith("the update gate")
    gradient = found["gradient"]
    assert len(gradient["steps"]) == 8 and gradient["backend"] in ("tensorflow", "jax")
    assert any(s["norm"] > 0 for s in gradient["steps"] if not s["padding"])


def test_heat_maps_page_the_tokens_and_read_without_colour(run):
    result = invoke("inspect", run, TEXT, "--view", "states", "--view", "gradient", columns=31)
    assert result.exit_code == 0, result.output
    assert "tokens 1-4 of 6" in result.output and "tokens 5-6 of 6" in result.output  # 4 columns a page
    assert "unit " in result.output and "scale: " in result.output
    assert any(glyph in result.output for glyph in "▁▂▃▄▅▆▇█") and "\x1b[" not in result.output
    assert "gradient of p(" in result.output and "first token's gradient is" in result.output


def test_neighbours_mistakes_and_a_missing_view(run):
    result = invoke("inspect", run, "--neighbours", "food", "--mistakes", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    [food] = found["neighbours"]
    assert food["word"] == "food" and len(food["nearest"]) == 10
    cosines = [n["cosine"] for n in food["nearest"]]
    assert cosines == sorted(cosines, reverse=True) and all(-1 <= c <= 1 for c in cosines)
    mistakes = found["mistakes"]
    assert mistakes["wrong"] == sum(g["count"] for g in mistakes["groups"]) <= mistakes["total"]
    result = invoke("inspect", run, TEXT, "--view", "filters")
    assert result.exit_code == 2 and "no Conv1D layer" in result.output
    assert "views are states, gates, gradient, neighbours, mistakes" in " ".join(result.output.split())
    result = invoke("inspect", run, "--neighbours", "fod")
    assert (
        result.exit_code == 2 and "Did you mean 'food'" in result.output and "Traceback" not in result.output
    )
    result = invoke("inspect", run)
    assert result.exit_code == 2 and "give a sentence" in result.output
