"""A folder with one sub-folder of .txt files per class (aclImdb/train/{pos,neg}); the sub-folder names
become the class names. A folder holding train/ and test/ such folders (aclImdb/) keeps its own test set.
With --limit, only a seeded sample of the files, spread over the classes, is opened and read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seqtui.datasets.base import Dataset
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.row_limits import LabelledSample, classification_rows
from seqtui.datasets.text_files import decode_bytes, read_bytes
from seqtui.datasets.text_tables import text_classification_dataset

UNLABELLED = ("unsup",)
"""Sub-folders of unlabelled text (aclImdb's 50,000 'unsup' reviews): left out, never a class."""
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _text_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.txt") if p.is_file())


def class_folders(folder: Path) -> list[Path]:
    """Visible sub-folders that hold .txt files (at any depth)."""
    try:
        subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        raise DataError(f"{folder} can't be read: {exc.strerror or exc}") from None
    return [p for p in subs if next(p.rglob("*.txt"), None) is not None]


def is_text_folder(folder: Path) -> bool:
    return bool(class_folders(folder))


def _split_folders(folder: Path) -> tuple[Path, Path] | None:
    """aclImdb/ itself: train/ and test/, each with class sub-folders."""
    train, test = folder / "train", folder / "test"
    if train.is_dir() and test.is_dir() and is_text_folder(train) and is_text_folder(test):
        return train, test
    return None


def _class_files(folder: Path) -> tuple[list[tuple[Path, str]], list[str]]:
    """(path, class) of every .txt file under the class sub-folders, and notes; at least two classes."""
    classes = class_folders(folder)
    skipped = [c.name for c in classes if c.name in UNLABELLED]
    classes = [c for c in classes if c.name not in UNLABELLED]
    notes = [f"{folder}: left out unlabelled sub-folder(s) {', '.join(skipped)}"] if skipped else []
    if len(classes) < 2:
        found = classes[0].name if classes else "none"
        raise DataError(
            f"{folder} has {len(classes)} class sub-folder(s) with .txt files ({found}); a classifier needs at "
            "least two, one sub-folder of .txt files per class (e.g. train/pos and train/neg)"
        )
    return [(path, sub.name) for sub in classes for path in _text_files(sub)], notes


def _pick(files: list[tuple[Path, str]], size: int | None) -> tuple[list[tuple[Path, str]], list[str]]:
    """A seeded uniform sample of `size` files (all of them when None or not more), plus one file of each
    class the sample missed, in listing order; and the classes added that way."""
    if size is None or len(files) <= size:
        return files, []
    sample = LabelledSample(size)
    for path, label in files:
        sample.add(str(path), label)
    paths, labels, missed = sample.take()
    return [(Path(p), label) for p, label in zip(paths, labels, strict=True)], missed


def _read(files: list[tuple[Path, str]], encoding: str | None) -> tuple[list[str], list[str], int]:
    """(texts, labels, empty files left out)."""
    texts: list[str] = []
    labels: list[str] = []
    empty = 0
    for path, label in files:
        raw = read_bytes(path)
        text = _LINE_BREAK.sub(" ", decode_bytes(raw, path, encoding)[0]).strip() if raw.strip() else ""
        if not text:
            empty += 1
            continue
        texts.append(text)
        labels.append(label)
    return texts, labels, empty


@dataclass
class FolderRead:
    """What was read from one folder of class sub-folders."""

    texts: list[str]
    labels: list[str]
    notes: list[str]
    files: int
    """.txt files in the class sub-folders."""
    read: int
    """Of them, the files read."""


def read_class_folders(
    folder: Path,
    encoding: str | None = None,
    size: int | None = None,
    limit: int | None = None,
    share: str = "",
    listing: tuple[list[tuple[Path, str]], list[str]] | None = None,
) -> FolderRead:
    """The texts of one folder of class sub-folders: every file, or with `size` a seeded sample of that many
    spread over the classes (every class kept); `limit` and `share` only word the note on it; `listing` is
    `_class_files(folder)` when the caller has it already."""
    files, notes = listing or _class_files(folder)
    notes = list(notes)
    picked, missed = _pick(files, size)
    texts, labels, empty = _read(picked, encoding)
    if len(picked) < len(files):
        note = (
            f"--limit {limit}: read {len(picked):,}{share} of the {len(files):,} .txt files in {folder} "
            "(seeded, spread over the classes)"
        )
        if missed:
            shown = ", ".join(repr(label) for label in missed[:5]) + (", ..." if len(missed) > 5 else "")
            files_word = "file" if len(missed) == 1 else "files"
            note += f", and {len(missed)} {files_word} of the classes the sample missed ({shown})"
        notes.append(note)
    if empty:
        of = " of those read" if len(picked) < len(files) else ""
        notes.append(f"{folder}: {empty} empty .txt files{of} left out")
    return FolderRead(texts, labels, notes, len(files), len(picked))


def load_text_folders(folder: Path, config: DataConfig) -> Dataset:
    """aclImdb/ (train/ and test/), or one folder of class sub-folders. With --limit only a seeded sample of
    the files is read (its own test set gets the training folder's share), so the rest are never opened."""
    split = _split_folders(folder)
    size = classification_rows(config, own_test=split is not None)
    if split:
        train = read_class_folders(split[0], config.encoding, size, config.sample_limit)
        listing = _class_files(split[1])
        test_size = None
        if train.read < train.files:
            test_size = max(1, round(len(listing[0]) * train.read / train.files))
        test = read_class_folders(
            split[1],
            config.encoding,
            test_size,
            config.sample_limit,
            " (the training folder's share)",
            listing,
        )
        unknown = sorted(set(test.labels) - set(train.labels))
        if unknown:
            raise DataError(f"{split[1]} has classes that {split[0]} lacks: {', '.join(unknown)}")
        ds = text_classification_dataset(
            folder.name, train.texts, train.labels, config, (test.texts, test.labels)
        )
        ds.notes[:0] = train.notes + test.notes
        return ds
    if not is_text_folder(folder):
        loose = next(folder.glob("*.txt"), None)
        hint = " (it holds .txt files directly: put them in one sub-folder per class)" if loose else ""
        raise DataError(
            f"{folder} is not a dataset folder seqtui knows{hint}. Expected one sub-folder of .txt files per class "
            "(like aclImdb/train/pos and aclImdb/train/neg), or the four Fashion-MNIST .gz files"
        )
    read = read_class_folders(folder, config.encoding, size, config.sample_limit)
    ds = text_classification_dataset(folder.name, read.texts, read.labels, config)
    ds.notes[:0] = read.notes
    return ds
