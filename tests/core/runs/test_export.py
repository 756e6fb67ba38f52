"""Export: a .keras file that plain Keras loads and that predicts what the run predicts, the README's code
run as written, a SavedModel on TensorFlow, and one clear message for what can't be exported."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def text_run(tmp_path_factory) -> Path:
    runs = tmp_path_factory.mktemp("export") / "runs"
    result = invoke("train", "--preset", "topics-en-lstm", "--limit", "200", "--epochs", "1", "--units", "4",
                    "--embedding-dim", "4", "--maxlen", "8", "--json", "--runs-dir", str(runs),
                    "--no-tensorboard")  # fmt: skip
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])


SENTENCES = ["what is your favorite food", "Do you like MUSIC?"]


def test_keras_export_loads_in_plain_keras_and_predicts_like_the_run(text_run, tmp_path):
    import keras

    from seqtui.core.inference.predict import Predictor

    result = invoke("export", str(text_run), "--format", "keras", "--out", str(tmp_path / "exp"))
    assert result.exit_code == 0, result.output
    exp = tmp_path / "exp"
    assert sorted(p.name for p in exp.iterdir()) == [
        "README.md",
        "config.json",
        "encoder.json",
        "model.keras",
    ]
    predictor = Predictor.load(text_run)
    x = predictor.encoder.encode(SENTENCES)
    model = keras.models.load_model(exp / "model.keras")
    np.testing.assert_allclose(model.predict(x, verbose=0), predictor.model.predict(x, verbose=0), atol=1e-6)

    readme = (exp / "README.md").read_text(encoding="utf-8")
    classes = ", ".join(predictor.class_names)
    assert f"the settings it was trained with; task `multiclass`, classes: {classes}\n" in readme
    # the README's code, as written, gives the run's own answer (its tokenizer rewritten in plain Python)
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    code = code.replace('"a sentence to classify"', repr(SENTENCES[1]))
    run = subprocess.run([sys.executable, "-c", code], cwd=exp, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    name, p = run.stdout.splitlines()[0].rsplit(" ", 1)
    top = predictor.classify_texts([SENTENCES[1]])[0][0]
    assert name == top[0] and float(p) == pytest.approx(top[1], abs=1e-3)

    result = invoke("export", str(text_run), "--format", "keras", "--out", str(exp))
    assert result.exit_code == 2 and "already exists" in result.output


def test_savedmodel_on_tensorflow_serves_the_same_numbers(text_run):
    import tensorflow as tf

    from seqtui.core.inference.predict import Predictor

    result = invoke("export", str(text_run), "--format", "savedmodel")
    assert result.exit_code == 0, result.output
    assert "Saved artifact" not in result.output  # seqtui's lines only, not Keras' export log
    exp = text_run / "export" / "savedmodel"
    assert (exp / "saved_model" / "saved_model.pb").is_file() and (exp / "encoder.json").is_file()
    predictor = Predictor.load(text_run)
    x = predictor.encoder.encode(SENTENCES)
    loaded = tf.saved_model.load(str(exp / "saved_model"))  # keep it: its variables live as long as it does
    served = loaded.serve(x).numpy()
    np.testing.assert_allclose(served, predictor.model.predict(x, verbose=0), atol=1e-5)
    assert "tf.saved_model.load" in (exp / "README.md").read_text()


def test_onnx_on_tensorflow_runs_in_onnxruntime_as_its_readme_says_with_the_same_numbers(
    text_run, monkeypatch
):
    """tf2onnx and onnxruntime are in the dev install; a model loaded from a run folder had never been called,
    which Keras' ONNX export refused ("The model provided has never called")."""
    from seqtui.core.inference.predict import Predictor

    result = invoke("export", str(text_run), "--format", "onnx")
    assert result.exit_code == 0, result.output
    exp = text_run / "export" / "onnx"
    assert sorted(p.name for p in exp.iterdir()) == ["README.md", "config.json", "encoder.json", "model.onnx"]
    predictor = Predictor.load(text_run)
    x = predictor.encoder.encode(SENTENCES)
    from seqtui.core.runs.export_readme import LOAD

    monkeypatch.chdir(exp)
    scope: dict = {}
    exec(LOAD["onnx"], scope)  # the README's own loading lines, in the export folder
    served = scope["predict"](x)
    np.testing.assert_allclose(served, predictor.model.predict(x, verbose=0), atol=1e-5)


def test_export_stages_beside_its_target_not_in_the_temp_folder(text_run, tmp_path, monkeypatch):
    """A temp folder that is unusable (or on another disk, where a rename fails) does not matter: the export
    is assembled next to where it goes and renamed into place."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-temp-folder"))
    result = invoke("export", str(text_run), "--format", "keras", "--out", str(tmp_path / "exp"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "exp" / "model.keras").is_file() and not (tmp_path / "no-such-temp-folder").exists()


def test_a_model_keras_cannot_export_is_one_message_pointing_at_the_keras_format(
    text_run, tmp_path, monkeypatch
):
    from seqtui.core.runs.folder import RunFolder

    class Unexportable:
        def export(self, *args, **kwargs):
            raise ValueError("this layer has no export path\nmore detail")

    monkeypatch.setattr(RunFolder, "load_model", lambda self, name, keras: Unexportable())
    out = tmp_path / "saved"
    result = invoke("export", str(text_run), "--format", "savedmodel", "--out", str(out))
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message.endswith(
        "Keras could not export this model as savedmodel on the tensorflow backend (this layer has no export "
        "path); use --format keras"
    )
    assert not out.exists() and not list(tmp_path.glob(".saved-*"))  # no half-written export, no staging


def test_a_readme_for_a_config_without_task_or_classes_says_so():
    from seqtui.core.runs.export_readme import readme_text

    text = readme_text("keras", {}, {"kind": "image", "shape": [28, 28, 1]}, "old-run")
    assert text.startswith("# old-run: exported by seqtui\n")
    assert "- `model.keras`: the model (keras), the run's best epoch\n" in text
    assert "the settings it was trained with; task `?`, classes: -\n" in text


@pytest.mark.parametrize(
    ("encoder", "data", "says"),
    [({"preparation": "plain"}, {}, "never inverted"), ({"preparation": "digit"}, {}, "white on black"),
     ({}, {"dataset": "fashion-mnist"}, "never inverted"), ({}, {"dataset": "digits"}, "white on black")],
)  # fmt: skip
def test_an_image_readme_says_what_input_the_model_trained_on(encoder, data, says):
    """A Fashion-MNIST picture is only resized, a digit is MNIST's form; older runs by their dataset."""
    from seqtui.core.runs.export_readme import readme_text

    text = readme_text("keras", {"data": data}, {"kind": "image", "shape": [28, 28, 1], **encoder}, "run")
    assert says in text


def test_what_cannot_be_exported_is_one_clear_message(text_run, tmp_path, monkeypatch):
    import importlib.util

    result = invoke("export", str(text_run), "--format", "pickle")
    assert (
        result.exit_code == 2
        and "unknown export format 'pickle'; choose one of keras, savedmodel, onnx" in (result.output)
    )
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "tf2onnx" else find_spec(name)
    )
    result = invoke("export", str(text_run), "--format", "onnx", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "needs tf2onnx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
    monkeypatch.undo()
    result = invoke("export", str(tmp_path / "nothing"))
    assert result.exit_code == 2 and "not a seqtui run folder" in result.output


def test_export_run_refuses_an_unknown_format_and_a_backend_it_cannot_switch_to(text_run, tmp_path):
    """The engine's own checks, for callers other than the CLI (which refuses an unknown format first)."""
    from seqtui.common.keras_door import BackendError, import_keras
    from seqtui.core.runs.export import ExportError, export_run

    with pytest.raises(ExportError, match="unknown export format 'pickle'"):
        export_run(text_run, "pickle", tmp_path / "p")
    running = import_keras().backend.backend()
    other = "jax" if running != "jax" else "torch"
    with pytest.raises(BackendError, match=f"Keras is already running on {running}; restart to use {other}"):
        export_run(text_run, "keras", tmp_path / "k", backend=other)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("backend", "needs"), [("tensorflow", ("tf2onnx", "onnx")), ("jax", ("jax2onnx", "onnx")),
                           ("torch", ("torch", "onnxscript"))],
)  # fmt: skip
def test_onnx_names_the_converter_each_backend_lacks(backend, needs, monkeypatch):
    """Each backend's converters are hidden, so the check runs whatever this machine installs."""
    import importlib.util

    from seqtui.core.runs.export import ExportError, _check_format

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name in needs else find_spec(name))
    with pytest.raises(ExportError) as info:
        _check_format("onnx", backend)
    assert (
        f"ONNX export on the {backend} backend needs {' and '.join(needs)} (pip install {' '.join(needs)})"
        in (str(info.value))
    )
    monkeypatch.undo()
    if all(find_spec(m) for m in needs):
        _check_format("onnx", backend)  # installed converters pass the check


def test_a_run_folder_without_its_encoder_is_one_clear_message(text_run, tmp_path):
    """encoder.json is checked before Keras loads or anything is written (it was a FileNotFoundError)."""
    import shutil

    damaged = tmp_path / text_run.name
    shutil.copytree(text_run, damaged)
    (damaged / "encoder.json").unlink()
    result = invoke("export", str(damaged), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "has no encoder.json" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_readme_of_a_morpheme_run_encodes_with_the_same_analysis():
    """A morpheme run's README code split on whitespace, so its ids were not the model's; it now calls the
    analyser the run used, and says that it needs it."""
    pytest.importorskip("kiwipiepy")
    from seqtui.core.runs.export_readme import readme_text
    from seqtui.datasets.config import KOREAN_STOPWORDS
    from seqtui.datasets.tokenizer import Tokenizer

    texts = ["오늘 날씨가 정말 좋네요", "영화가 너무 재미있었어요", "날씨는 어제보다 좋다"]
    tok = Tokenizer.fit(
        texts, num_words=50, standardize="hangul", split="morpheme", stopwords=KOREAN_STOPWORDS
    )
    encoder = {"kind": "text", "maxlen": 8, "padding": "pre", "truncating": "pre", "tokenizer": tok.to_dict()}
    readme = readme_text("keras", {"task": "binary"}, encoder, "run")
    assert "with seqtui's morpheme analyser" in readme
    encode = readme_encode(readme, encoder)
    for text in [*texts, "날씨가 좋았다"]:
        ids = tok.encode(text)[-8:]
        assert encode(text).tolist() == [[0] * (8 - len(ids)) + ids]


def readme_encode(readme: str, encoder: dict):
    """The README's `encode` function, run as written."""
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    start = code.index("def encode")
    encode_src = code[start : code.index("\n", code.index("return np.array", start))]
    scope = {"encoder": encoder, "tok": encoder["tokenizer"], "maxlen": encoder["maxlen"], "np": np}
    exec("import re, unicodedata\n" + encode_src, scope)
    return scope["encode"]


@pytest.mark.parametrize("standardize", ["none", "lower_punct_apostrophes", "hangul", "lower_punct"])
def test_the_readme_prepares_text_with_the_runs_own_standardization(standardize):
    from seqtui.core.runs.export_readme import readme_text
    from seqtui.datasets.tokenizer import Tokenizer

    texts = ["Don't STOP me-now!", "don't stop, 날씨가 좋다", "STOP me now"]
    tok = Tokenizer.fit(texts, num_words=50, standardize=standardize)
    encoder = {"kind": "text", "maxlen": 8, "padding": "pre", "truncating": "pre", "tokenizer": tok.to_dict()}
    encode = readme_encode(readme_text("keras", {"task": "binary"}, encoder, "run"), encoder)
    for text in [*texts, "Stop? Don't!"]:
        ids = tok.encode(text)[-8:]
        assert encode(text).tolist() == [[0] * (8 - len(ids)) + ids], text


def test_the_readme_of_an_encoder_without_a_split_splits_as_seqtui_reads_it():
    """An encoder.json from before the split setting: seqtui reads it as whitespace, and so does the README."""
    from seqtui.core.runs.export_readme import readme_text
    from seqtui.datasets.tokenizer import Tokenizer

    raw = Tokenizer.fit(["the cat sat", "a cat ran"], num_words=50).to_dict()
    del raw["split"]
    encoder = {"kind": "text", "maxlen": 6, "padding": "pre", "truncating": "pre", "tokenizer": raw}
    encode = readme_encode(readme_text("keras", {"task": "binary"}, encoder, "run"), encoder)
    ids = Tokenizer.from_dict(raw).encode("the cat ran far")
    assert encode("the cat ran far").tolist() == [[0] * (6 - len(ids)) + ids]


def test_the_readme_of_a_text_generator_prints_the_next_word(tmp_path, monkeypatch, capsys):
    from seqtui.datasets.tokenizer import Tokenizer

    tok = Tokenizer.fit(["the first words of the cat"])
    encoder = {"kind": "text", "maxlen": 8, "padding": "pre", "truncating": "pre", "tokenizer": tok.to_dict()}
    code = readme_code("keras", {"task": "generation"}, encoder, tmp_path)  # checks the loading lines too
    asked = []

    def predict(x):  # the exported model, answering "cat" whatever it reads
        asked.append(x.tolist())
        probs = np.full((1, tok.vocab_size), 0.01)
        probs[0, tok.word_index["cat"]] = 0.9
        return probs

    monkeypatch.chdir(tmp_path)
    exec(code, {"predict": predict})
    assert capsys.readouterr().out == "next: cat\n"
    ids = tok.encode("the first words")
    assert asked == [[[0] * (8 - len(ids)) + ids]]


def readme_code(fmt: str, config: dict, encoder: dict, folder) -> str:
    """The README's code after its loading lines, with config.json and encoder.json written to `folder`."""
    from seqtui.core.runs.export_readme import LOAD, readme_text

    (folder / "encoder.json").write_text(json.dumps(encoder))
    (folder / "config.json").write_text(json.dumps(config))
    code = re.search(r"```python\n(.*?)```", readme_text(fmt, config, encoder, "run"), re.S).group(1)
    assert code.startswith(LOAD[fmt])
    return code[len(LOAD[fmt]) :]


def test_the_readme_of_a_digit_model_reads_a_png_as_the_model_does(tmp_path, monkeypatch, capsys):
    from PIL import Image

    config = {"task": "multiclass", "class_names": [str(d) for d in range(10)]}
    code = readme_code("onnx", config, {"kind": "image", "shape": [28, 28, 1]}, tmp_path)
    digit = np.zeros((56, 56), dtype="uint8")
    digit[14:42, 20:36] = 255  # white on black, twice MNIST's size: the code scales it down
    Image.fromarray(digit).save(tmp_path / "digit.png")
    seen = []

    def predict(x):  # the exported model, sure it is a 7
        seen.append(x)
        probs = np.full((1, 10), 0.01)
        probs[0, 7] = 0.91
        return probs

    monkeypatch.chdir(tmp_path)
    exec(code, {"predict": predict})
    assert capsys.readouterr().out == "7 0.91\n"
    (x,) = seen
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32
    assert x[0, 14, 14, 0] == 1.0 and x[0, 2, 2, 0] == 0.0  # the square in the middle, scaled to 0..1


def test_the_readme_of_a_forecaster_scales_the_window_and_the_forecast_back(tmp_path, monkeypatch, capsys):
    encoder = {"kind": "series", "columns": ["temp", "wind"], "target": "temp", "mean": [10.0, 2.0],
               "std": [2.0, 0.5], "lookback": 6, "step": 2, "delay": 3}  # fmt: skip
    code = readme_code("savedmodel", {"task": "regression"}, encoder, tmp_path)
    seen = []

    def predict(x):  # the exported model: half a standard deviation above the mean
        seen.append(x)
        return np.array([[0.5]])

    monkeypatch.chdir(tmp_path)
    exec(code, {"predict": predict})
    assert capsys.readouterr().out == "temp in 3 rows: 11.000\n"
    (x,) = seen  # 6 rows of zeros, every 2nd: 3 steps of 2 columns, scaled by the training mean and std
    assert x.shape == (1, 3, 2) and x.dtype == np.float32
    assert np.allclose(x[0], [[-5.0, -4.0]] * 3)


def test_an_out_folder_that_cannot_be_written_is_refused_before_keras_loads(text_run):
    """Issue 27, item 12: `export --out` into a read-only folder was refused only after TensorFlow had loaded
    (27 s). As a real process in a folder chmod'ed 555 (as `nobody` when the tests run as root, whom no
    permission stops): exit with ExportError, and neither keras nor tensorflow imported."""
    import os
    import shutil
    import stat
    import tempfile

    as_other = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv can't drop the permission to write")
        as_other = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    place = Path(tempfile.mkdtemp(prefix="seqtui-export-ro-"))
    try:
        run = Path(shutil.copytree(text_run, place / "run"))
        (place / "locked").mkdir()
        for path in [place, *place.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        (place / "locked").chmod(0o555)
        code = (
            "import sys\nfrom seqtui.core.runs.export import ExportError, export_run\n"
            f"try:\n    export_run({str(run)!r}, 'keras', __import__('pathlib').Path({str(place / 'locked' / 'm')!r}))\n"
            "except ExportError as exc:\n    print('refused:', exc)\n"
            "print('keras loaded:', 'keras' in sys.modules or 'tensorflow' in sys.modules)\n"
        )
        done = subprocess.run(
            [*as_other, sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
    finally:
        shutil.rmtree(place)
    assert f"refused: can't write under {place / 'locked'}: Permission denied" in done.stdout, done.stderr
    assert "keras loaded: False" in done.stdout
