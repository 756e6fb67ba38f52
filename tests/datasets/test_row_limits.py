"""--limit bounds the work while reading tables and series (issue 13): a classification table keeps a seeded
uniform sample of its labelled rows (a file sorted by label keeps every class) and only those are tokenised;
a time series reads only the first rows its first windows need; files no longer than that read as before."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest

from seqtui.datasets import files, tables
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.row_limits import LabelledSample, classification_rows, series_rows
from seqtui.datasets.series import series_dataset
from tests.data_files import write_nsmc

CLASSES = ("anger", "joy", "sadness")


def write_sorted_reviews(path, per_class: int = 600, rare: int = 0, empty_labels: tuple[int, ...] = ()):
    """A label-sorted export (every 'anger' row, then 'joy', then 'sadness'), as real exports often are; `rare`
    rows of a fourth class 'fear' sit between them; `empty_labels` are file lines whose label is blank."""
    rows = [(f"{c} review {i} word{i % 17} {c}{i % 5}", c) for c in CLASSES[:2] for i in range(per_class)]
    rows += [(f"fear review {i} word{i % 17}", "fear") for i in range(rare)]
    rows += [(f"sadness review {i} word{i % 17} sadness{i % 5}", "sadness") for i in range(per_class)]
    lines = ["text,label"] + [f"{text},{label}" for text, label in rows]
    for line in empty_labels:
        lines[line - 1] = lines[line - 1].rsplit(",", 1)[0] + ","
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def config(path, **settings) -> DataConfig:
    return DataConfig("file", data_path=str(path), **{"maxlen": 8, **settings})


@pytest.fixture
def tokenised(monkeypatch) -> list[int]:
    """How many texts (and test texts) each classification dataset was built from: what gets tokenised."""
    counts: list[int] = []
    build = files.text_classification_dataset

    def spy(name, texts, labels, config, test=None):
        counts.append(len(texts) + (len(test[0]) if test else 0))
        return build(name, texts, labels, config, test)

    monkeypatch.setattr(files, "text_classification_dataset", spy)
    return counts


def test_a_label_sorted_csv_keeps_every_class_and_tokenises_only_the_sample(tmp_path, tokenised):
    path = write_sorted_reviews(tmp_path / "sorted.csv")
    ds = load_dataset(config(path, sample_limit=20))
    assert ds.class_names == list(CLASSES)
    assert set(ds.y_train.tolist()) == {0, 1, 2}
    assert len(ds.x_train) == 20
    wanted = classification_rows(config(path, sample_limit=20), own_test=False)
    assert tokenised == [wanted] and wanted < 1800 / 10
    assert (
        f"--limit 20: sampled {wanted:,} of the 1,800 labelled rows of sorted.csv while reading "
        in " ".join(ds.notes)
    )


def test_the_sample_spreads_the_classes_as_the_file_does(tmp_path, monkeypatch):
    path = write_sorted_reviews(tmp_path / "sorted.csv")
    seen: list[list[str]] = []
    build = files.text_classification_dataset
    monkeypatch.setattr(
        files, "text_classification_dataset", lambda *a, **k: seen.append(a[2]) or build(*a, **k)
    )
    load_dataset(config(path, sample_limit=40))
    counts = Counter(seen[0])
    assert len(seen[0]) == classification_rows(config(path, sample_limit=40), own_test=False) == 125
    assert all(30 <= counts[c] <= 54 for c in CLASSES), counts  # a third each, give or take


def test_the_sample_is_the_same_for_the_same_file(tmp_path):
    path = write_sorted_reviews(tmp_path / "sorted.csv")
    first, second = (load_dataset(config(path, sample_limit=20)) for _ in range(2))
    assert np.array_equal(first.x_train, second.x_train) and np.array_equal(first.y_test, second.y_test)


def test_a_rare_class_the_sample_misses_is_still_a_class(tmp_path):
    path = write_sorted_reviews(tmp_path / "rare.csv", rare=1)
    ds = load_dataset(config(path, sample_limit=20))
    assert ds.class_names == ["anger", "fear", "joy", "sadness"]
    sampled = next(n for n in ds.notes if n.startswith("--limit"))
    assert sampled.endswith("and 1 row of the classes the sample missed ('fear')"), sampled


def test_a_label_per_row_is_not_topped_up_to_the_whole_file(tmp_path, tokenised):
    path = tmp_path / "ids.csv"
    path.write_text("text,label\n" + "".join(f"review {i} words here,id{i}\n" for i in range(1000)))
    ds = load_dataset(config(path, sample_limit=20, label_column="label"))
    assert tokenised == [100]
    sampled = next(n for n in ds.notes if n.startswith("--limit"))
    assert sampled.endswith(
        "; 900 of its 1,000 labels have no row in the sample (more labels than rows sampled: is the label "
        "column right?)"
    ), sampled


def test_a_label_sorted_json_lines_file_is_sampled_too(tmp_path, tokenised):
    path = tmp_path / "sorted.jsonl"
    rows = [(f"{c} review {i} word{i % 17}", c) for c in CLASSES for i in range(400)]
    path.write_text("".join(json.dumps({"text": t, "label": c}, ensure_ascii=False) + "\n" for t, c in rows))
    ds = load_dataset(config(path, sample_limit=20))
    assert ds.class_names == list(CLASSES) and tokenised == [100]
    assert any(
        n.startswith("--limit 20: sampled 100 of the 1,200 labelled rows of sorted.jsonl") for n in ds.notes
    )


def test_dropped_row_notes_count_every_row_of_the_file(tmp_path):
    path = write_sorted_reviews(tmp_path / "gaps.csv", empty_labels=(5, 900, 1700))
    ds = load_dataset(config(path, sample_limit=20))
    assert "gaps.csv: 3 rows with an empty label left out (line 5, 900, 1700)" in ds.notes
    assert any("of the 1,797 labelled rows of gaps.csv" in n for n in ds.notes), ds.notes


def test_a_file_no_longer_than_the_sample_reads_as_before(tmp_path, monkeypatch):
    path = write_sorted_reviews(tmp_path / "small.csv", per_class=30)
    limited = load_dataset(config(path, sample_limit=20))
    whole = load_dataset(config(path))
    old = whole.limit(20)  # what the old path did: everything read, then cut
    assert not any(n.startswith("--limit") for n in limited.notes)
    for part in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(limited, part), getattr(old, part)), part


def test_a_files_own_test_set_gets_the_training_files_share(tmp_path):
    write_nsmc(tmp_path / "ratings_train.txt", rows=600)
    write_nsmc(tmp_path / "ratings_test.txt", rows=300, start_id=1)
    settings = {"dataset": "nsmc", "data_path": str(tmp_path / "ratings_train.txt"), "maxlen": 8}
    ds = load_dataset(DataConfig(**settings, sample_limit=10))
    # 601 labelled training rows (one of the 602 has no document), 301 test rows
    wanted = classification_rows(DataConfig(**settings, sample_limit=10), own_test=True)
    share = round(301 * wanted / 601)
    assert (
        f"--limit 10: sampled {share:,} (the training file's share) of the 301 labelled rows of "
        "ratings_test.txt while reading (seeded, spread over the whole file)"
    ) in ds.notes
    old = load_dataset(DataConfig(**settings))  # whole; then cut as the old path did
    old_test = len(old.limit(10).x_test)
    assert abs(len(ds.x_test) - old_test) <= max(2, old_test // 4), (len(ds.x_test), old_test)
    assert set(ds.y_test.tolist()) == {0, 1}


def test_a_test_file_longer_than_the_training_file_is_read_again_for_its_share(tmp_path):
    write_nsmc(tmp_path / "ratings_train.txt", rows=300)
    write_nsmc(tmp_path / "ratings_test.txt", rows=900, start_id=1)
    ds = load_dataset(
        DataConfig("nsmc", data_path=str(tmp_path / "ratings_train.txt"), maxlen=8, sample_limit=10)
    )
    share = round(901 * 100 / 301)  # more than the 100 rows a first reading keeps
    assert (
        f"--limit 10: sampled {share} (the training file's share) of the 901 labelled rows of ratings_test.txt "
        "while reading (seeded, spread over the whole file)"
    ) in ds.notes


def test_reservoir_keeps_each_row_with_the_same_chance():
    sample = LabelledSample(1000)
    for i in range(20_000):
        sample.add(str(i), "a" if i < 10_000 else "b")
    texts, labels, missed = sample.take()
    assert len(texts) == 1000 and missed == []
    positions = np.array([int(t) for t in texts])
    assert np.all(np.diff(positions) > 0)  # file order
    per_tenth = np.bincount(positions // 2000, minlength=10)
    assert per_tenth.min() >= 70 and per_tenth.max() <= 130, per_tenth  # 100 expected in each tenth
    assert 440 <= labels.count("a") <= 560


# -- time series -----------------------------------------------------------------------------------
def write_counting_series(path, rows: int):
    """A series whose 'value' is the row number: a window's target tells which row it came from."""
    lines = ["date,value,other"] + [
        f"2020-01-{1 + i // 24 % 28:02d} {i % 24:02d}:00,{i},{i % 7}" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def walks(monkeypatch) -> list[int]:
    """How many rows each walk over a table pulled."""
    counts: list[int] = []
    rows = tables.TableSource.rows

    def counting(self):
        counts.append(0)
        for row in rows(self):
            counts[-1] += 1
            yield row

    monkeypatch.setattr(tables.TableSource, "rows", counting)
    return counts


SERIES = {"lookback": 10, "step": 1, "delay": 2, "target_column": "value"}


def test_a_series_reads_only_the_first_rows_its_windows_need(tmp_path, walks):
    path = write_counting_series(tmp_path / "long.csv", 6000)
    ds = load_dataset(config(path, sample_limit=50, **SERIES))
    # 96 rows: 62 for training (50 windows after 9 rows of history and 2 ahead), then 15 + 19 for validation
    # and test (13 and 17 windows: Dataset.limit keeps 13 and 16 of them as it would of the whole series)
    assert (
        "--limit 50: read the first 96 rows of long.csv, enough for 50 training windows (lookback 10, delay 2) "
        "and the validation and test parts after them; later rows were not read"
    ) in ds.notes
    assert max(walks) <= 2000 and sorted(walks)[-2] <= 97, walks  # the profile's rows, then 96 + 1
    targets = ds.encoder.denormalize_target(ds.y_train)
    assert np.allclose(targets, np.arange(11, 61))  # the first 50 windows, in order
    assert np.all(ds.encoder.denormalize_target(ds.y_test) < 96)
    assert len(ds.x_val) >= 10 and len(ds.x_test) >= 12


@pytest.mark.parametrize(
    "settings",
    [
        {"lookback": 72, "delay": 24},
        {"lookback": 5, "delay": 1, "validation_split": 0.05, "test_split": 0.05},
        {"lookback": 30, "step": 3, "delay": 40, "validation_split": 0.5, "test_split": 0.3},
    ],
)
def test_the_rows_read_give_every_part_its_windows(tmp_path, settings):
    path = write_counting_series(tmp_path / "long.csv", 20_000)
    ds = load_dataset(config(path, sample_limit=37, target_column="value", **settings))
    assert len(ds.x_train) == 37 and len(ds.x_val) >= 1 and len(ds.x_test) >= 1
    assert any(n.startswith("--limit 37: read the first") for n in ds.notes), ds.notes


def test_a_series_no_longer_than_the_rows_needed_reads_as_before(tmp_path):
    path = write_counting_series(tmp_path / "short.csv", 90)
    limited = load_dataset(config(path, sample_limit=50, **SERIES))
    old = load_dataset(config(path, **SERIES)).limit(50)
    assert not any(n.startswith("--limit") for n in limited.notes)
    for part in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(limited, part), getattr(old, part)), part
    assert math.isclose(limited.baseline["test_mae"], old.baseline["test_mae"])


def test_the_rows_counted_give_every_part_its_windows_over_many_settings():
    rng = np.random.default_rng(0)
    for _ in range(300):
        limit, lookback, delay = (int(x) for x in rng.integers(1, [400, 120, 60]))
        v, t = (round(float(x), 2) for x in rng.uniform(0.01, 0.9, 2))
        settings = DataConfig(
            sample_limit=limit, lookback=lookback, delay=delay, validation_split=v, test_split=t
        )
        rows = series_rows(settings)
        ds = series_dataset("s", ["value"], np.arange(rows, dtype="float32")[:, None], settings)
        assert len(ds.x_train) >= limit, settings
        kept = ds.limit(limit)  # as load_dataset cuts it: within a window of a long series' share
        assert len(kept.x_train) == limit, settings
        assert len(kept.x_val) >= max(1, int(limit * v / (1 - v)) - 1), settings
        assert len(kept.x_test) >= max(1, int(limit * t / ((1 - t) * (1 - v))) - 1), settings
