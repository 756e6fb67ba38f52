"""Hostile files against the commands, end to end with a real (tiny) Keras run:

- labels of a CSV carrying OSC 8 links, screen clears, colour codes and bidi overrides, and such text in a
  run folder's name, run.json and config.json: `train`, `predict`, `predict --explain`, `runs` and `export`
  never send an escape character, an 8-bit CSI or a bidi control to the terminal or into the README, and
  Korean labels print unchanged; a study name holding escapes is refused before it is stored;
- run-folder files that are links to /dev/zero: one message, exit code 2, at once;
- a `.keras` that is a decompression bomb or holds a `../` entry: refused before Keras reads it.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.common.text import BIDI_CONTROLS

OSC8 = "\x1b]8;;http://evil.example\x1b\\좋음\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[31m나쁨\x1b[0m"
BIDI = "중립\u202eevil\u202c"
C1 = "\x9b31m보통"
KOREAN = "긍정"
LABELS = (OSC8, CLEAR, BIDI, C1, KOREAN)
WORDS = ("영화", "배우", "음악", "장면", "결말")
FORBIDDEN = ("\x1b", "\x9b", "\x9d", *BIDI_CONTROLS)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def assert_inert(text: str) -> None:
    """Nothing in `text` a terminal would act on."""
    found = sorted({repr(c) for c in text if c in FORBIDDEN})
    assert not found, f"raw control characters reached the output: {found}"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    """A finished LSTM run trained on a CSV whose labels are hostile (and one Korean)."""
    root = tmp_path_factory.mktemp("hostile")
    rows = ["text,label"]
    for i in range(60):
        label = LABELS[i % len(LABELS)]
        rows.append(f'{WORDS[i % len(WORDS)]} {WORDS[(i * 3) % len(WORDS)]} {i},"{label}"')
    data = root / "labels.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    runs = root / "runs"
    result = invoke("train", "--data", str(data), "--arch", "lstm", "--epochs", "1", "--units", "4",
                    "--embedding-dim", "4", "--maxlen", "6", "--runs-dir", str(runs))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_inert(result.output)  # the plain lines of a log, with the data's notes
    [run] = [p for p in runs.iterdir() if p.is_dir()]
    return run


def copy_run(run: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / "runs" / name
    shutil.copytree(run, target)
    return target


def test_the_run_keeps_the_labels_as_they_are(hostile_run):
    names = json.loads((hostile_run / "config.json").read_text(encoding="utf-8"))["class_names"]
    assert sorted(names) == sorted(LABELS)  # the data is not changed: only how it is shown


def test_predict_shows_every_label_inert_and_korean_unchanged(hostile_run):
    result = invoke("predict", str(hostile_run), "영화 배우", "--top", "5")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert KOREAN in result.output and "\\x1b]8;;http://evil.example\\x1b\\좋음" in result.output
    assert "\\x1b[2J\\x1b[31m나쁨" in result.output and "중립\\u202eevil" in result.output
    assert "\\x9b31m보통" in result.output


def test_predict_explain_shows_every_label_inert(hostile_run):
    result = invoke("predict", str(hostile_run), "영화 결말", "--explain")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert "영화" in result.output


def test_runs_shows_a_hostile_folder_name_run_name_and_preset_inert(hostile_run, tmp_path):
    run = copy_run(hostile_run, tmp_path, "\x1b[2J\x1b]8;;http://evil\x1b\\run\u202e")
    state = json.loads((run / "run.json").read_text(encoding="utf-8"))
    (run / "run.json").write_text(
        json.dumps({**state, "name": f"이름 {CLEAR}", "note": OSC8}), encoding="utf-8"
    )
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    config["preset"] = f"p{CLEAR}"
    config["data"]["data_path"] = f"/data/{BIDI}.csv"
    (run / "config.json").write_text(json.dumps(config), encoding="utf-8")
    result = invoke("runs", "--runs-dir", str(run.parent))
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert "이름" in result.output


def test_export_writes_a_readme_without_control_characters_and_prints_its_path_inert(hostile_run, tmp_path):
    run = copy_run(hostile_run, tmp_path, "run\x1b]8;;http://evil\x1b\\\u2066")  # the README's title
    out = tmp_path / "out\x1b[2J\u202e"
    result = invoke("export", str(run), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert "out\\x1b[2J\\u202e" in result.output
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert_inert(readme)
    assert KOREAN in readme and "\\x1b]8;;http://evil.example\\x1b\\좋음" in readme
    # config.json is data and keeps the labels exactly, for the model's own use
    assert sorted(json.loads((out / "config.json").read_text(encoding="utf-8"))["class_names"]) == sorted(
        LABELS
    )


def test_a_study_name_with_escapes_is_refused_before_it_is_stored(hostile_run, tmp_path):
    pytest.importorskip("optuna")
    data = hostile_run.parent.parent / "labels.csv"
    runs = tmp_path / "sweeps"
    result = invoke("sweep", "--data", str(data), "--arch", "lstm", "--study", "s\x1b[2J\u202e", "--trials", "1",
                    "--runs-dir", str(runs))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert_inert(result.output)
    assert "the study name 's\\x1b[2J\\u202e' holds control characters" in result.output
    assert not runs.exists() or not any(runs.iterdir())  # no study database was made


@pytest.mark.parametrize("name", ["encoder.json", "config.json", "run.json"])
def test_predict_with_a_run_file_linked_to_dev_zero_is_one_message(hostile_run, tmp_path, name):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    run = copy_run(hostile_run, tmp_path, "zero")
    (run / name).unlink()
    (run / name).symlink_to("/dev/zero")
    started = time.monotonic()
    result = invoke("predict", str(run), "영화")
    assert time.monotonic() - started < 20
    assert result.exit_code == 2, result.output
    assert (
        "is a character device, not a regular file" in result.output
        or "not a seqtui run folder" in result.output
    )
    assert "Traceback" not in result.output and "MemoryError" not in result.output


def zero_bomb_of(model: Path, target: Path, declared: int) -> None:
    """The run's own model with its weights replaced by `declared` zero bytes, deflated."""
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(target, "w") as zf:
        for name in ("metadata.json", "config.json"):
            zf.writestr(name, src.read(name))
        info = zipfile.ZipInfo("model.weights.h5")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            chunk = bytes(2**22)
            for _ in range(declared // len(chunk)):
                fh.write(chunk)


@pytest.mark.parametrize("command", ["predict", "export"])
def test_a_decompression_bomb_model_is_refused_before_keras_reads_it(hostile_run, tmp_path, command):
    run = copy_run(hostile_run, tmp_path, "bomb")
    zero_bomb_of(hostile_run / "model.keras", run / "model.keras", 256 * 2**20)
    assert (run / "model.keras").stat().st_size < 2**20
    args = [command, str(run)] + (["영화"] if command == "predict" else ["--out", str(tmp_path / "x")])
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "model.keras is damaged: its model.weights.h5 declares 256.0 MiB but stores" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "x").exists()


def test_a_model_with_an_entry_outside_the_archive_is_damaged_with_one_message(hostile_run, tmp_path):
    run = copy_run(hostile_run, tmp_path, "tampered")
    with zipfile.ZipFile(run / "model.keras", "a") as zf:
        zf.writestr("../evil", b"payload")
    with _no_warnings():
        result = invoke("predict", str(run), "영화")
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert "model.keras is damaged: it holds an entry named '../evil', outside the archive" in flat
    assert "Warning" not in result.output


class _no_warnings:
    """Fails if anything warns inside the block (zipfile used to warn, then the model was used)."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.caught = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        zip_warnings = [w for w in self.caught if "zip" in str(w.message).lower() or "evil" in str(w.message)]
        assert not zip_warnings, [str(w.message) for w in zip_warnings]
