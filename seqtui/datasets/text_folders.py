"""A folder with one sub-folder of .txt files per class (aclImdb/train/{pos,neg}); the sub-folder names
become the class names. A folder holding train/ and test/ such folders (aclImdb/) keeps its own test set.
"""

from __future__ import annotations

import re
from pathlib import Path

from seqtui.datasets.base import DataError, Dataset
from seqtui.datasets.config import DataConfig
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


def read_class_folders(folder: Path, encoding: str | None = None) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, notes) from one folder of class sub-folders."""
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
    texts: list[str] = []
    labels: list[str] = []
    empty = 0
    for sub in classes:
        for path in _text_files(sub):
            raw = read_bytes(path)
            text = _LINE_BREAK.sub(" ", decode_bytes(raw, path, encoding)[0]).strip() if raw.strip() else ""
            if not text:
                empty += 1
                continue
            texts.append(text)
            labels.append(sub.name)
    if empty:
        notes.append(f"{folder}: {empty} empty .txt files left out")
    return texts, labels, notes


def load_text_folders(folder: Path, config: DataConfig) -> Dataset:
    split = _split_folders(folder)
    if split:
        texts, labels, notes = read_class_folders(split[0], config.encoding)
        test_texts, test_labels, test_notes = read_class_folders(split[1], config.encoding)
        unknown = sorted(set(test_labels) - set(labels))
        if unknown:
            raise DataError(f"{split[1]} has classes that {split[0]} lacks: {', '.join(unknown)}")
        ds = text_classification_dataset(folder.name, texts, labels, config, (test_texts, test_labels))
        ds.notes[:0] = notes + test_notes
        return ds
    if not is_text_folder(folder):
        loose = next(folder.glob("*.txt"), None)
        hint = " (it holds .txt files directly: put them in one sub-folder per class)" if loose else ""
        raise DataError(
            f"{folder} is not a dataset folder seqtui knows{hint}. Expected one sub-folder of .txt files per class "
            "(like aclImdb/train/pos and aclImdb/train/neg), or the four Fashion-MNIST .gz files"
        )
    texts, labels, notes = read_class_folders(folder, config.encoding)
    ds = text_classification_dataset(folder.name, texts, labels, config)
    ds.notes[:0] = notes
    return ds
