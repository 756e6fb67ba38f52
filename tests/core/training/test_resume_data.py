"""Run folders keep the absolute path of the user's data and its SHA-256: a run started with a relative
--data resumes from any directory, and one whose file moved resumes with --data NEW_PLACE, checked to be the
same bytes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from seqtui.cli.main import app
from tests.data_files import write_jena

SMALL = ["--arch", "simple_rnn", "--units", "2", "--lookback", "6", "--delay", "1", "--batch-size", "64",
         "--patience", "0", "--json"]  # fmt: skip


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_relative_data_is_stored_absolute_and_resumes_after_a_move(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_jena(data_dir / "jena.csv", rows=300)
    monkeypatch.chdir(data_dir)
    runs = tmp_path / "runs"
    result = invoke("train", "--data", "jena.csv", "--epochs", "1", *SMALL, "--runs-dir", str(runs))
    assert result.exit_code == 0, result.output
    run = Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])
    config = json.loads((run / "config.json").read_text())
    assert config["data"]["data_path"] == str(data_dir / "jena.csv")
    assert len(config["data_sha256"]) == 64
    import platform
    from importlib import metadata

    versions = config["versions"]  # what reproducing the run needs to know
    assert versions["python"] == platform.python_version()
    assert {k: versions[k] for k in ("seqtui", "keras", "numpy")} == {
        k: metadata.version(k) for k in ("seqtui", "keras", "numpy")
    }

    monkeypatch.chdir(tmp_path)  # another directory: the absolute path still finds the file
    result = invoke("train", "--resume", str(run), "--epochs", "2", "--json")
    assert result.exit_code == 0, result.output

    moved = tmp_path / "elsewhere.csv"
    shutil.move(data_dir / "jena.csv", moved)
    result = invoke("train", "--resume", str(run), "--epochs", "3")
    assert result.exit_code == 2 and "--data" in result.output, result.output

    other = write_jena(tmp_path / "other.csv", rows=310)
    result = invoke("train", "--resume", str(run), "--epochs", "3", "--data", str(other))
    assert result.exit_code == 2, result.output
    assert "not the data this run was trained on" in " ".join(result.output.split())

    result = invoke("train", "--resume", str(run), "--epochs", "3", "--data", str(moved), "--json")
    assert result.exit_code == 0, result.output
    config = json.loads((run / "config.json").read_text())
    assert config["data"]["data_path"] == str(moved) and config["train"]["epochs"] == 3


def test_resume_with_data_for_a_run_not_on_a_file_or_a_path_that_cannot_be_read(tmp_path):
    runs = tmp_path / "runs"
    result = invoke("train", "--preset", "series-rnn", "--epochs", "1", *SMALL, "--runs-dir", str(runs))
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    data = write_jena(tmp_path / "jena.csv", rows=300)
    result = invoke("train", "--resume", run, "--epochs", "2", "--data", str(data))
    assert result.exit_code == 2
    assert f"{run} trains on sequence, not on a file; drop --data" in " ".join(result.output.split())

    result = invoke("train", "--data", str(data), "--epochs", "1", *SMALL, "--runs-dir", str(runs))
    on_file = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    nowhere = tmp_path / "nowhere.csv"
    result = invoke("train", "--resume", on_file, "--epochs", "2", "--data", str(nowhere))
    assert result.exit_code == 2
    assert f"{nowhere} can't be read; check the path given with --data" in " ".join(result.output.split())
    assert len(Path(on_file, "history.csv").read_text().splitlines()) == 2  # nothing trained: 1 epoch


def test_an_encoder_compares_only_on_what_both_versions_record():
    from seqtui.core.training.resume import _differs

    older = {"kind": "text", "maxlen": 8, "tokenizer": {"word_index": {"a": 2}}}
    newer = {**older, "truncating": "pre", "tokenizer": {"word_index": {"a": 2}, "split": "whitespace"}}
    assert not _differs(older, newer) and not _differs(newer, older)  # a newer seqtui records more
    assert _differs(older, {**newer, "tokenizer": {"word_index": {"a": 3}}})  # the vocabulary changed
