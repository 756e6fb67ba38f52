"""A script checks that the file or folder it reads is the data the run read: the SHA-256 seqtui recorded
(`datasets.fingerprint`) against the same computation in the script; a note when they differ, nothing when
the same bytes moved elsewhere."""

from __future__ import annotations

import sys

import pytest

from seqtui.core.runs.export_script import script_text
from seqtui.datasets.config import DataConfig
from seqtui.datasets.fingerprint import data_fingerprint
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import run_config, script_module
from tests.core.runs.test_export_script_own_test import write_nsmc_files
from tests.data_files import write_reviews_csv


def _exported(tmp_path, data_path, **settings):
    data = DataConfig("file", data_path=str(data_path), **settings)
    ds = load_dataset(data)
    config = {**run_config(data, ds), "data_sha256": data_fingerprint(data_path)}
    return config, script_module(config, ds, tmp_path / "exp")


def _note_from_main(module, path, monkeypatch, capsys) -> str:
    """What main prints before it reads `path` (the reading itself stopped: only the check is wanted)."""

    def stop(*args):
        raise SystemExit(0)

    monkeypatch.setattr(module, "load_data", stop)
    monkeypatch.setattr(sys, "argv", ["train.py", "--data", str(path)])
    with pytest.raises(SystemExit):
        module.main()
    return capsys.readouterr().out


def test_a_changed_table_is_named_and_a_moved_one_is_not(tmp_path, monkeypatch, capsys):
    path = write_reviews_csv(tmp_path / "reviews.csv", rows=60)
    config, module = _exported(tmp_path, path, maxlen=12)
    assert module.DATA_SHA256 == config["data_sha256"] == module.fingerprint(path)
    moved = tmp_path / "moved.csv"
    moved.write_bytes(path.read_bytes())
    assert _note_from_main(module, moved, monkeypatch, capsys) == ""
    with path.open("a", encoding="utf-8") as fh:
        fh.write('999,"one more review",pos\n')
    said = _note_from_main(module, path, monkeypatch, capsys)
    assert said == f"note: {path} is not the data the run read (its SHA-256 differs): expect other numbers\n"


def test_the_script_fingerprints_a_folder_as_seqtui_does(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "리뷰"
    for label, texts in {"pos": ["좋은 영화", "great fun"], "neg": ["지루한 영화", "dull plot"]}.items():
        (folder / label / "deeper").mkdir(parents=True)
        for i, text in enumerate(texts * 6):
            (folder / label / ("deeper" if i % 3 else "") / f"{i}.txt").write_text(
                f"{text} {i}", encoding="utf-8"
            )
    config, module = _exported(tmp_path, folder, maxlen=8)
    assert module.fingerprint(folder) == data_fingerprint(folder) == module.DATA_SHA256
    (folder / "pos" / "0.txt").rename(folder / "pos" / "renamed.txt")  # same bytes, another name
    assert module.fingerprint(folder) == data_fingerprint(folder) != module.DATA_SHA256
    assert "is not the data the run read" in _note_from_main(module, folder, monkeypatch, capsys)


def test_no_check_without_a_recorded_fingerprint_or_where_it_is_not_the_scripts_data(tmp_path):
    path = write_reviews_csv(tmp_path / "reviews.csv", rows=60)
    data = DataConfig("file", data_path=str(path), maxlen=12)
    config = run_config(data, load_dataset(data))
    assert "fingerprint" not in script_text(config, "old run")  # runs from before fingerprints
    for sha in ("not-a-digest", '"; import os; "' + "0" * 50):
        assert "DATA_SHA256" not in script_text({**config, "data_sha256": sha}, "tampered")
    nsmc = write_nsmc_files(tmp_path / "nsmc")  # given as its folder: the script's DATA is the file in it
    data = DataConfig("nsmc", data_path=str(nsmc), maxlen=12)
    config = {**run_config(data, load_dataset(data)), "data_sha256": data_fingerprint(nsmc)}
    assert "DATA_SHA256" not in script_text(config, "nsmc folder")
    config["data"]["data_path"] = str(nsmc / "ratings_train.txt")
    assert "DATA_SHA256" in script_text(config, "nsmc file")


@pytest.mark.parametrize("given", ["gone.csv", "a-folder", "binary.csv"])
def test_data_the_script_cannot_read_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys, given):
    """A wrong --data (gone, a folder, not text) ends the script with argparse's one error line and exit code
    2, as the rest of seqtui answers bad input: no traceback."""
    _, module = _exported(tmp_path, write_reviews_csv(tmp_path / "reviews.csv", rows=60), maxlen=12)
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    monkeypatch.setattr(sys, "argv", ["train.py", "--data", str(tmp_path / given), "--epochs", "1"])
    with pytest.raises(SystemExit) as stopped:
        module.main()
    assert stopped.value.code == 2
    said = capsys.readouterr().err.splitlines()
    assert said[-1].startswith(f"train.py: error: --data {tmp_path / given}: ")
