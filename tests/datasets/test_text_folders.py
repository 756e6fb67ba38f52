"""--limit while reading folders of .txt files (issue 13): only a seeded sample of the files, spread over the
classes, is opened, in IMDB's aclImdb layout and in a user's one-sub-folder-per-class layout."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from seqtui.datasets import text_folders
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.row_limits import classification_rows
from tests.data_files import write_acl_imdb


def config(path, **settings) -> DataConfig:
    return DataConfig("file", data_path=str(path), **{"maxlen": 12, **settings})


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """Every .txt file the loader read."""
    paths: list[Path] = []
    read = text_folders.read_bytes
    monkeypatch.setattr(text_folders, "read_bytes", lambda path: paths.append(path) or read(path))
    return paths


def write_user_folder(root: Path, counts: dict[str, int]) -> Path:
    """reviews/<class>/<n>.txt, one sub-folder per class, as users sort their own texts."""
    for label, count in counts.items():
        (root / label).mkdir(parents=True)
        for i in range(count):
            (root / label / f"{i:04d}.txt").write_text(
                f"{label} 리뷰 번호 {i} 내용 {i % 13}", encoding="utf-8"
            )
    return root


def test_acl_imdb_with_a_limit_reads_only_a_sample_of_its_files(tmp_path, opened):
    root = write_acl_imdb(tmp_path / "aclImdb", per_class=150)
    ds = load_dataset(config(root, sample_limit=10))
    wanted = classification_rows(config(root, sample_limit=10), own_test=True)
    assert wanted == 100
    assert len(opened) == 2 * wanted  # 100 of the 300 training files, the same share of the 300 test files
    assert not any(p.parent.name == "unsup" for p in opened)
    train = [p for p in opened if p.parent.parent.name == "train"]
    assert 30 <= Counter(p.parent.name for p in train)["pos"] <= 70  # half of each, give or take
    assert len(ds.x_train) == 10 and set(ds.y_train.tolist()) == {0, 1} and set(ds.y_test.tolist()) == {0, 1}
    assert (
        f"--limit 10: read 100 of the 300 .txt files in {root / 'train'} (seeded, spread over the classes)"
        in ds.notes
    )
    assert (
        f"--limit 10: read 100 (the training folder's share) of the 300 .txt files in {root / 'test'} "
        "(seeded, spread over the classes)" in ds.notes
    )


def test_the_sample_is_the_same_each_time_and_cut_as_before(tmp_path):
    root = write_acl_imdb(tmp_path / "aclImdb", per_class=150)
    first, second = (load_dataset(config(root, sample_limit=10)) for _ in range(2))
    for part in ("x_train", "y_train", "x_val", "y_test"):
        assert np.array_equal(getattr(first, part), getattr(second, part)), part
    whole = load_dataset(config(root)).limit(10)  # the old way: every file read, then cut
    assert (len(first.x_val), len(first.x_test)) == (len(whole.x_val), len(whole.x_test))


def test_a_user_folder_keeps_every_class_even_a_rare_one(tmp_path, opened):
    root = write_user_folder(tmp_path / "reviews", {"긍정": 400, "부정": 400, "희귀": 1})
    ds = load_dataset(config(root, sample_limit=20))
    wanted = classification_rows(config(root, sample_limit=20), own_test=False)
    assert ds.class_names == ["긍정", "부정", "희귀"]
    assert len(opened) in (wanted, wanted + 1)  # + the rare class's file when the sample missed it
    assert [p.name for p in opened if p.parent.name == "희귀"] == ["0000.txt"]
    note = next(n for n in ds.notes if n.startswith("--limit"))
    assert note.startswith(f"--limit 20: read {len(opened)} of the 801 .txt files in {root} "), note
    if len(opened) == wanted + 1:
        assert note.endswith("and 1 file of the classes the sample missed ('희귀')"), note
    assert 0.35 <= Counter(p.parent.name for p in opened)["긍정"] / len(opened) <= 0.65


def test_a_folder_no_larger_than_the_sample_is_read_whole(tmp_path, opened):
    root = write_user_folder(tmp_path / "reviews", {"a": 30, "b": 30})
    limited = load_dataset(config(root, sample_limit=20))
    assert len(opened) == 60 and not any(n.startswith("--limit") for n in limited.notes)
    old = load_dataset(config(root)).limit(20)
    for part in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(limited, part), getattr(old, part)), part


def test_empty_files_among_those_read_are_counted(tmp_path):
    root = write_user_folder(tmp_path / "reviews", {"a": 300, "b": 300})
    for i in range(0, 300, 3):
        (root / "a" / f"{i:04d}.txt").write_text("  \n")
    ds = load_dataset(config(root, sample_limit=20))
    empty = next(n for n in ds.notes if "empty .txt files" in n)
    count = int(empty.split(": ")[1].split()[0])
    assert 5 <= count <= 40 and empty.endswith("empty .txt files of those read left out"), empty


def test_a_folder_read_whole_counts_its_empty_files_exactly(tmp_path):
    root = write_user_folder(tmp_path / "reviews", {"a": 10, "b": 10})
    read = text_folders.read_class_folders(root)
    assert (len(read.texts), [n for n in read.notes if "empty" in n]) == (20, [])  # none empty: no note
    for name in ("0001.txt", "0002.txt"):
        (root / "b" / name).write_text("\n")
    read = text_folders.read_class_folders(root)
    assert len(read.texts) == 18 and f"{root}: 2 empty .txt files left out" in read.notes


def test_a_folder_of_only_empty_files_says_so_not_that_its_classes_are_alike(tmp_path):
    from seqtui.datasets.errors import DataError

    root = write_user_folder(tmp_path / "reviews", {"긍정": 2, "부정": 2})
    for path in root.glob("*/*.txt"):
        path.write_text(" \n")
    with pytest.raises(
        DataError, match=r"reviews: no text to learn from \(every file or row read is empty\)"
    ):
        load_dataset(config(root))
