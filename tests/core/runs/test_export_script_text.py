"""`seqtui export --format script` on a run that read the user's own text table, the offline topics or the
user's series: the script reads the same rows, columns, `--limit` sample and seeded split, and tokenises with
the run's vocabulary (or normalises and windows with the run's encoder), so its arrays are seqtui's exactly;
and, run as a separate process, it trains the same model to the same test metric.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.config.presets import PRESETS
from seqtui.core.runs.export_script import ScriptError, check_scriptable
from seqtui.datasets.config import KOREAN_STOPWORDS, DataConfig
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import (
    TOLERANCE,
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)
from tests.data_files import write_reviews_csv

TOPICS_KO = {
    "날씨": ["오늘 날씨가 정말 맑고 좋네요", "내일은 비가 온다고 해요", "바람이 많이 불고 추워요"],
    "음식": ["김치찌개가 정말 맛있어요", "점심으로 비빔밥을 먹었어요", "떡볶이는 맵지만 맛있어요"],
    "영화": ["그 영화 배우 연기가 좋았어요", "극장에서 새 영화를 봤어요", "영화 음악이 감동적이었어요"],
}


def write_topics_tsv(path: Path, copies: int = 12) -> Path:
    """A Korean TSV with a header, three topics, numbered so that no row duplicates another."""
    lines = ["문장\t주제"]
    for k in range(copies):
        lines += [f"{text} {k}\t{topic}" for topic, texts in TOPICS_KO.items() for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_reviews_jsonl(path: Path, rows: int = 60) -> Path:
    """JSON lines with whole-number labels and an empty text or two."""
    words = ["fine", "poor", "great", "awful", "good", "bad"]
    lines = [json.dumps({"body": f"{words[i % 6]} thing number {i}" if i % 17 else "", "stars": i % 6 // 2})
             for i in range(rows)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_rare_labels_csv(path: Path) -> Path:
    """Reviews plus a few rows of rare labels: a --limit sample misses some of them and adds one row back."""
    write_reviews_csv(path, rows=300)
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(f'{900 + i},"an odd one {i}",rare{i % 16}\n' for i in range(48))
    return path


@pytest.mark.parametrize(
    ("writer", "settings"),
    [
        (lambda p: write_reviews_csv(p / "reviews.csv", rows=300), {"sample_limit": 50, "split_seed": 7}),
        (lambda p: write_reviews_csv(p / "reviews.csv", rows=60), {"split": "character", "maxlen": 30}),
        (lambda p: write_rare_labels_csv(p / "rare.csv"), {"sample_limit": 40, "validation_split": 0.1}),
        (lambda p: write_topics_tsv(p / "topics.tsv"), {"standardize": "hangul", "split_seed": 3}),
        (lambda p: write_reviews_jsonl(p / "reviews.jsonl"), {"vocab_size": 12, "stopwords": ("number",)}),
        (lambda p: write_topics_tsv(p / "topics.tsv"), {"split": "morpheme", "stopwords": KOREAN_STOPWORDS}),
        (lambda p: write_topics_tsv(p / "topics.tsv"), {"split": "morpheme", "content_morphemes": True}),
    ],
    ids=[
        "csv-limit-seed",
        "csv-characters",
        "csv-rare-labels",
        "korean-tsv",
        "jsonl-vocab-cut",
        "morphemes",
        "content-morphemes",
    ],  # fmt: skip
)
def test_the_script_reads_the_table_into_seqtuis_arrays(tmp_path, writer, settings):
    data = DataConfig("file", data_path=str(writer(tmp_path)), **{"maxlen": 12, **settings})
    ds = load_dataset(data)
    config = run_config(data, ds)
    module = script_module(config, ds, tmp_path / "exp")
    parts = module.load_data(module.DATA)
    if data.sample_limit:
        parts = module.limited(parts)
    same_arrays(parts, ds)
    assert len(ds.x_train) > 10 and ds.x_train.max() > 1  # real words, not all padding or OOV


@pytest.mark.parametrize("preset", ["topics-ko-lstm", "topics-en-lstm"])
def test_the_script_reads_the_offline_topics_as_seqtui_does(tmp_path, preset):
    """chatterbot-corpus' dialog lines by topic, Korean as morphemes, split and encoded as seqtui does."""
    pytest.importorskip("chatterbot_corpus")
    data = dataclasses.replace(PRESETS[preset].config.data, split_seed=5, sample_limit=300)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = module.limited(module.load_data())
    same_arrays(parts, ds)
    assert ds.class_names == module.CLASSES and len(ds.class_names) > 10


def test_the_scripts_limit_sample_is_seqtuis(tmp_path):
    """--limit's sample while reading, rare labels added back included, row for row."""
    from seqtui.datasets.files import read_labelled
    from seqtui.datasets.row_limits import classification_rows
    from seqtui.datasets.tables import open_table

    path = write_rare_labels_csv(tmp_path / "rare.csv")
    data = DataConfig("file", data_path=str(path), sample_limit=40, maxlen=12)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    sample, _ = read_labelled(open_table(path), data, size=classification_rows(data, own_test=False))
    texts, labels, missed = sample.take()
    assert missed and sample.partial  # the path under test: a sample that missed labels
    assert module.labelled_rows(path) == (texts, labels)


def test_another_split_seed_gives_other_rows(tmp_path):
    data = DataConfig("file", data_path=str(write_reviews_csv(tmp_path / "r.csv", rows=80)), maxlen=12)
    ds = load_dataset(data)
    module = script_module(run_config(dataclasses.replace(data, split_seed=1), ds), ds, tmp_path / "exp")
    (x_train, _), *_ = module.load_data(module.DATA)
    assert x_train.shape == ds.x_train.shape and not np.array_equal(x_train, ds.x_train)


def test_what_a_script_cant_read_yet_is_one_clear_error(tmp_path):
    path = write_reviews_csv(tmp_path / "reviews.csv")
    ds = load_dataset(DataConfig("file", data_path=str(path), maxlen=12))
    folder = tmp_path / "texts"
    folder.mkdir()
    prose = tmp_path / "prose.txt"
    prose.write_text("Once upon a time.\nThe end.\n", encoding="utf-8")
    cases = [
        ({"data_path": str(folder)}, "the folder texts no longer holds one sub-folder of .txt files"),
        ({"data_path": str(tmp_path / "gone.csv")}, "no longer there"),
        ({"data_path": str(prose)}, "seqtui can't read prose.txt now (" + f"{prose} is not a table"),
        ({"label_column": "nope"}, "has no column 'nope'"),
    ]
    for change, message in cases:
        data = dataclasses.replace(DataConfig("file", data_path=str(path)), **change)
        with pytest.raises(ScriptError, match=re.escape(message)):
            check_scriptable(run_config(data, ds))


def test_the_exported_script_trains_the_table_run_again(tmp_path):
    """A real run on a CSV, exported and run as its own process for the run's epochs."""
    csv_path = write_reviews_csv(tmp_path / "reviews.csv", rows=120)
    moved = tmp_path / "moved.csv"
    train = ["--data", str(csv_path), "--arch", "gru", "--units", "8", "--embedding-dim", "8", "--maxlen", "12",
             "--vocab-size", "300", "--epochs", "2", "--limit", "40", "--seed", "3"]  # fmt: skip
    run, output = trained_exported_and_rerun(
        tmp_path, train, ["--epochs", "2", "--data", str(moved)], lambda: csv_path.rename(moved)
    )  # --data reads the table from where it is now
    assert same_model_and_metrics(run, output) == 300 * 8 + 3 * (8 * 8 + 8 * 8 + 2 * 8) + 8 + 1


@pytest.mark.slow
def test_the_exported_script_trains_the_korean_topics_run_again(tmp_path):
    """topics-ko-lstm (morphemes, the lesson's stopwords), 2 epochs: the script's run is the run (measured:
    34,435 parameters, test accuracy 0.2585 and loss 2.7352 both; about 25 s in all)."""
    pytest.importorskip("chatterbot_corpus")
    pytest.importorskip("kiwipiepy")
    train = ["--preset", "topics-ko-lstm", "--epochs", "2", "--units", "16", "--embedding-dim", "16"]
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    assert same_model_and_metrics(run, output) == 2000 * 16 + (4 * (16 * 16 + 16 * 16 + 16)) + 16 * 19 + 19


def write_series_csv(path: Path, rows: int = 400, gaps: bool = True) -> Path:
    """An hourly series in time order: a timestamp and two numeric columns (with a gap or two)."""
    lines = ["time,temp (degC),wind"]
    for i in range(rows):
        temp = "" if gaps and i in (0, 57, 58) else f"{10 + 5 * np.sin(i / 9):.3f}"
        wind = "NA" if gaps and i == 120 else f"{3 + np.cos(i / 5):.3f}"
        lines.append(f"2020-01-{1 + i // 24:02d} {i % 24:02d}:00,{temp},{wind}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "settings",
    [
        {"lookback": 24, "step": 2, "delay": 6},
        {"lookback": 12, "step": 1, "delay": 3, "sample_limit": 60, "target_column": "wind"},
    ],
    ids=["whole", "limit-target"],
)
def test_the_script_windows_a_series_as_seqtui_does(tmp_path, settings):
    path = write_series_csv(tmp_path / "hourly.csv", rows=900)
    data = DataConfig("file", data_path=str(path), **settings)
    ds = load_dataset(data)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    parts = module.load_data(module.DATA)
    if data.sample_limit:
        parts = module.limited(parts)
        assert module.SERIES_ROWS < 900  # only the first rows are read
    same_arrays(parts, ds)
    assert ds.x_train.shape[1:] == (settings["lookback"] // settings["step"], 2)


def test_a_series_seqtui_sorted_by_time_is_sorted_by_the_script_too(tmp_path):
    """(More orders and layouts in test_export_script_series.py.)"""
    path = write_series_csv(tmp_path / "hourly.csv", rows=300, gaps=False)
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header, rows[5], *rows[:5], *rows[6:]]) + "\n")  # one row out of time order
    data = DataConfig("file", data_path=str(path), lookback=12, delay=3)
    ds = load_dataset(data)
    assert any("not in time order" in note for note in ds.notes)
    module = script_module(run_config(data, ds), ds, tmp_path / "exp")
    same_arrays(module.load_data(module.DATA), ds)


def test_the_exported_script_trains_the_series_run_again(tmp_path):
    """A GRU forecasting a CSV's column, 2 epochs (measured on a Jena-like file: 585 parameters, test MAE
    0.8495 and loss 0.9379 both)."""
    path = write_series_csv(tmp_path / "hourly.csv", rows=900)
    train = ["--data", str(path), "--arch", "gru", "--units", "8", "--lookback", "24", "--step", "2", "--delay",
             "6", "--epochs", "2", "--limit", "200", "--seed", "4"]  # fmt: skip
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    metrics = json.loads((run / "metrics.json").read_text())
    params = int(re.search(r"total params: (\d+)", output).group(1))
    assert params == json.loads((run / "events.jsonl").read_text().splitlines()[0])["total_params"]
    assert params == 3 * (2 * 8 + 8 * 8 + 2 * 8) + 8 + 1
    for metric in ("mae", "loss"):
        printed = float(re.search(rf"test {metric}: ([\d.]+)", output).group(1))
        assert printed == pytest.approx(metrics[metric], abs=TOLERANCE)


def test_every_standardizing_mode_a_config_may_hold_is_written_into_scripts():
    """validate() refuses any other split or mode before a reader runs, so the readers need no check of
    their own; this keeps the two lists one."""
    from seqtui.core.config.run_config import STANDARDIZE
    from seqtui.core.runs.export_script_text import STANDARDIZE_CODE

    assert set(STANDARDIZE_CODE) == set(STANDARDIZE)
