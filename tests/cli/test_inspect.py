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


def test_a_unit_shows_its_values_gates_and_validation_fragments(run):
    states = json.loads(invoke("inspect", run, TEXT, "--view", "states", "--json").stdout)
    name = states["layers"][0]["name"]  # "gru", or "gru_2" when other models were built first in this process
    result = invoke("inspect", run, TEXT, "--unit", f"{name}:1", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    unit = found["unit"]
    assert (unit["layer"], unit["direction"], unit["unit"]) == (name, "forward", 1) and name.startswith("gru")
    assert "layers" not in found  # --unit alone: the unit's view only
    hidden = [s["values"][1] for s in states["layers"][0]["hidden"]]
    assert [s["hidden"] for s in unit["steps"]] == pytest.approx(hidden, abs=1e-6)
    assert set(unit["steps"][0]["gates"]) == {"update", "reset"}
    values = [f["value"] for f in unit["fragments"]]
    assert len(values) == 5 and values == sorted(values, reverse=True) and unit["rows_read"] > 0
    assert all(len(f["tokens"]) <= 7 and 0 <= f["peak"] < len(f["tokens"]) for f in unit["fragments"])
    result = invoke("inspect", run, TEXT, "--unit", f"{name}:1", columns=100)
    peak = unit["fragments"][0]
    assert (
        f"{name}:1 (GRU): h_t per token" in result.output
        and f"[{peak['tokens'][peak['peak']]}]" in result.output
    )
    result = invoke("inspect", run, "--unit", f"{name}:9")
    assert result.exit_code == 2 and "from 0 to 3" in result.output and "Traceback" not in result.output


def test_projection_places_the_most_frequent_words_on_the_embeddings_plane(run):
    result = invoke("inspect", run, "--projection", "--words", "12", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["projection"]
    assert len(found["words"]) == 12 and sum(found["explained"]) <= 1 + 1e-9
    assert found["explained"][0] >= found["explained"][1] > 0
    assert all(w["class"] is not None and w["push"] >= 0 for w in found["words"])
    xs = [w["x"] for w in found["words"]]
    assert sum(xs) == pytest.approx(0, abs=1e-4)  # centred
    result = invoke("inspect", run, "--projection", "--words", "12", columns=80)
    assert (
        "12 most frequent words; across: PC1" in result.output and found["words"][0]["word"] in result.output
    )


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> str:
    runs = tmp_path_factory.mktemp("digit-runs")
    result = invoke("train", "--preset", "digits-cnn", "--limit", "200", "--epochs", "1", "--conv-filters", "4",
                    "--dense-units", "8", "--json", "--runs-dir", runs)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[-1])["run_dir"]


def test_feature_maps_of_an_image_file(digits_run, tmp_path):
    from PIL import Image

    digit = np.zeros((28, 28), dtype="uint8")
    digit[5:23, 12:16] = 255
    Image.fromarray(digit).save(tmp_path / "one.png")
    result = invoke("inspect", digits_run, "--image", tmp_path / "one.png", "--json")
    assert result.exit_code == 0, result.output
    maps = json.loads(result.stdout)["maps"]
    assert [(m["kind"], m["shape"]) for m in maps] == [
        ("Conv2D", [26, 26, 2]), ("Conv2D", [24, 24, 4]), ("MaxPooling2D", [12, 12, 4])
    ]  # fmt: skip
    pooled, conv = np.array(maps[2]["values"]), np.array(maps[1]["values"])
    assert np.allclose(pooled, conv.reshape(12, 2, 12, 2, 4).max(axis=(1, 3)), atol=1e-6)  # 2x2 max pooling
    result = invoke("inspect", digits_run, "--image", tmp_path / "one.png", columns=80)
    assert "max_pooling2d (MaxPooling2D) 12x12x4" in result.output and "█" in result.output
    result = invoke("inspect", digits_run, "--image", tmp_path / "none.png")
    assert result.exit_code == 2 and "Traceback" not in result.output
