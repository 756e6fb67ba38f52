"""The user's own files: what a path is decides how it is read.

- a folder of class sub-folders of .txt files -> text classification (aclImdb);
- a folder with the four Fashion-MNIST idx files -> Fashion-MNIST;
- a folder of class sub-folders of images (.png, .jpg...) -> image classification (`image_folders.py`);
- a CSV/TSV/JSON-lines table -> text classification when it has a text and a label column, else a time
  series of its numeric columns;
- a .txt file -> a table when it is tab-separated with a header (NSMC), else plain text for generation;
- a Keras .npz -> the Keras dataset it is named after (imdb.npz, reuters.npz, mnist.npz, fashion*.npz).
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

from seqtui.datasets.base import Dataset
from seqtui.datasets.columns import looks_like_series, profile_columns, text_and_label
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.generation import MIN_LINES_TO_SPLIT_BY_LINE, generation_dataset
from seqtui.datasets.read_cost import check_read_cost
from seqtui.datasets.registry import DatasetInfo, get_dataset
from seqtui.datasets.row_limits import LabelledSample, classification_rows
from seqtui.datasets.series import series_from_table
from seqtui.datasets.table_source import TableSource
from seqtui.datasets.tables import TABLE_SUFFIXES, looks_like_tab_table, open_table
from seqtui.datasets.text_files import read_text
from seqtui.datasets.text_folders import load_text_folders
from seqtui.datasets.text_tables import text_classification_dataset

KERAS_FILES = ("imdb", "reuters", "mnist")
NSMC_CLASSES = {"0": "negative", "1": "positive"}


def keras_file_dataset(path: Path) -> str | None:
    """The Keras dataset an .npz is by its name: imdb.npz, reuters.npz, mnist.npz, and Fashion-MNIST under
    any name that starts with 'fashion' (fashion-mnist.npz, fashion_mnist.npz); None for another name."""
    stem = path.stem.lower()
    if stem.startswith("fashion"):
        return "fashion-mnist"
    return stem if stem in KERAS_FILES else None


def _data_path(config: DataConfig, info: DatasetInfo) -> Path:
    if not config.data_path:
        raise DataError(f"dataset {info.name!r} is read from your file: pass {info.file_hint}")
    path = Path(config.data_path).expanduser()
    if not path.exists():
        raise DataError(f"{path} does not exist; check the path given with --data")
    return path


def load_user_file(config: DataConfig, info: DatasetInfo) -> Dataset:
    """Any file or folder given with --data, read by what it is."""
    path = _data_path(config, info)
    if path.is_dir():
        from seqtui.datasets.keras_sets import FASHION_FILES

        if all((path / f).is_file() for f in FASHION_FILES):
            return get_dataset("fashion-mnist").load(config)
        from seqtui.datasets.image_folders import is_image_folder, load_image_folders

        if is_image_folder(path):  # one sub-folder of images per class
            return load_image_folders(path, config)
        return load_text_folders(path, config)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        named = keras_file_dataset(path)
        if named:
            return get_dataset(named).load(config)
        raise DataError(
            f"{path} is a NumPy archive: say which Keras dataset it holds with --dataset imdb, reuters or mnist "
            "(or fashion-mnist: a file with x_train, y_train, x_test and y_test as Keras stores them)"
        )
    if suffix == ".gz" and "idx" in path.name:
        raise DataError(
            f"{path} is one idx file: pass the folder holding all four Fashion-MNIST files with "
            "--data FOLDER --dataset fashion-mnist"
        )
    if suffix in TABLE_SUFFIXES:
        return load_table(open_table(path, config.encoding), config)
    text, used = read_text(path, config.encoding)
    if looks_like_tab_table(text):
        return load_table(open_table(path, text=text, used=used), config)
    if config.text_column or config.label_column or config.target_column:
        raise DataError(
            f"{path} is plain text, not a table (no tab-separated header line); --text-column, --label-column "
            "and --target-column need a CSV, TSV or JSON-lines file"
        )
    return load_text_lines(path, text, config)


def load_text_lines(path: Path, text: str, config: DataConfig) -> Dataset:
    """A plain text file for next-token generation, one example sequence per non-empty line.

    With --limit, lines are taken only until they hold a few times the examples asked for: a long book
    is not tokenised whole to train on a hundred of its examples."""
    lines, partial = _lines_for(text, config)
    ds = generation_dataset(path.name, lines, config)
    ds.notes.insert(0, f"{path.name}: plain text, {len(lines)} lines, read for {config.split} generation")
    if partial:
        ds.notes.insert(1, f"--limit {config.sample_limit}: read the first {len(lines)} lines, enough for it")
    return ds


def _lines_for(text: str, config: DataConfig) -> tuple[list[str], bool]:
    """The non-empty lines, or with a sample limit the first ones that hold enough examples; and
    whether lines were left unread."""
    limit = config.sample_limit
    kept = (1 - config.test_split) * (1 - config.validation_split)
    wanted = 4 * limit / max(kept, 1e-3) if limit else math.inf  # margin: splits go by whole lines
    lines: list[str] = []
    examples = 0
    for raw in io.StringIO(text):
        line = raw.strip()
        if not line:
            continue
        if examples >= wanted and len(lines) >= 4 * MIN_LINES_TO_SPLIT_BY_LINE:
            return lines, True
        lines.append(line)
        examples += max(0, (len(line) if config.split == "character" else len(line.split())) - 1)
    return lines, False


def load_table(
    source: TableSource,
    config: DataConfig,
    test: TableSource | None = None,
    target_default: str | None = None,
) -> Dataset:
    """A table as text classification (text and label columns) or as a time series (numbers only).

    With --limit, a classification table keeps a seeded uniform sample of its labelled rows while reading
    (a file sorted by label keeps every class), so only those are tokenised and encoded. A large table's
    cost is said (or refused, above the free memory) before it is read (`read_cost.py`)."""
    cost = check_read_cost(source, config)
    profiles = profile_columns(source)
    wants_text = bool(config.text_column or config.label_column)
    if not wants_text and (config.target_column or looks_like_series(profiles)):
        ds = series_from_table(source, config, target_default, profiles)
        ds.notes[:0] = [cost] if cost else []
        return ds
    size = classification_rows(config, own_test=test is not None)
    sample, notes = read_labelled(source, config, profiles, size)
    texts, labels, missed = sample.take()
    if sample.partial:
        notes.append(_sampled_note(config, source, sample, labels, missed))
    test_rows = None
    if test is not None:
        test_texts, test_labels, test_notes = _test_rows(test, config, sample, size)
        test_rows = (test_texts, test_labels)
        notes += test_notes
    ds = text_classification_dataset(source.path.name, texts, labels, config, test_rows)
    ds.notes[:0] = ([cost] if cost else []) + notes
    return ds


def _test_rows(
    test: TableSource, config: DataConfig, train: LabelledSample, size: int | None
) -> tuple[list[str], list[str], list[str]]:
    """A file's own test set; when the training file was sampled, a seeded sample of the same share of
    its rows (Dataset.limit then shrinks it as it shrinks validation)."""
    if not train.partial:
        sample, notes = read_labelled(test, config)
        texts, labels, _ = sample.take()
        return texts, labels, notes
    sample, notes = read_labelled(test, config, size=size)
    k = max(1, round(sample.seen * train.kept / train.seen))
    if k > sample.kept:  # a test file longer than the training file: read it again for k rows
        sample, notes = read_labelled(test, config, size=k)
    texts, labels, missed = sample.take(k)
    if k < sample.seen:
        notes.append(_sampled_note(config, test, sample, labels, missed, k))
    return texts, labels, notes


def _sampled_note(
    config: DataConfig,
    source: TableSource,
    sample: LabelledSample,
    labels: list[str],
    missed: list[str],
    k: int | None = None,
) -> str:
    kept = sample.kept if k is None else min(k, sample.kept)
    share = " (the training file's share)" if k is not None else ""
    note = (
        f"--limit {config.sample_limit}: sampled {kept:,}{share} of the {sample.seen:,} labelled rows "
        f"of {source.path.name} while reading (seeded, spread over the whole file)"
    )
    if missed:
        shown = ", ".join(repr(label) for label in missed[:5]) + (", ..." if len(missed) > 5 else "")
        note += f", and {_rows(len(missed))} of the classes the sample missed ({shown})"
    absent = sample.classes - len(set(labels))
    if absent > 0:
        note += (
            f"; {absent:,} of its {sample.classes:,} labels have no row in the sample (more labels than rows "
            "sampled: is the label column right?)"
        )
    return note


def labelled_rows(
    source: TableSource, config: DataConfig, profiles: list | None = None
) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, notes): every labelled row; rows with an empty text or label and exact duplicates
    are left out."""
    sample, notes = read_labelled(source, config, profiles)
    texts, labels, _ = sample.take()
    return texts, labels, notes


def read_labelled(
    source: TableSource, config: DataConfig, profiles: list | None = None, size: int | None = None
) -> tuple[LabelledSample, list[str]]:
    """The labelled rows (a seeded sample of `size` of them when given) and the notes on the rows left out:
    an empty text or label, or an exact duplicate, counted over every row of the file."""
    profiles = profiles if profiles is not None else profile_columns(source)
    ti, li = text_and_label(source, profiles, config.text_column, config.label_column)
    source.roles.update({source.header[ti]: "text", source.header[li]: "label"})  # JSON: kinds checked
    seen: set[int] = set()  # hashes of (text, label): the rows themselves would cost the whole file again
    sample = LabelledSample(size)
    no_text: list[int] = []
    no_label: list[int] = []
    duplicates = 0
    for line, cells in source.rows():
        text, label = cells[ti].strip(), cells[li].strip()
        if not text:
            no_text.append(line)
        elif not label:
            no_label.append(line)
        elif hash((text, label)) in seen:
            duplicates += 1
        else:
            seen.add(hash((text, label)))
            sample.add(text, label)
    name, header = source.path.name, source.header
    notes = [f"{name}: text from column {header[ti]!r}, labels from {header[li]!r} ({source.encoding})"]
    for lines, what in ((no_text, "an empty text"), (no_label, "an empty label")):
        if lines:
            shown = ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")
            notes.append(f"{name}: {_rows(len(lines))} with {what} left out ({source.unit} {shown})")
    if duplicates:
        notes.append(f"{name}: {_rows(duplicates)} duplicating another (same text and label) left out")
    if not sample.seen:
        raise DataError(
            f"{source.path}: no row has both a text ({header[ti]!r}) and a label ({header[li]!r})"
        )
    return sample, notes


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _with_columns(config: DataConfig, text: str, label: str) -> DataConfig:
    return dataclasses.replace(
        config, text_column=config.text_column or text, label_column=config.label_column or label
    )


def load_sms_spam(config: DataConfig, info: DatasetInfo) -> Dataset:
    """Kaggle's spam.csv: latin-1, label 'v1' (ham/spam), text 'v2', three trailing empty columns, duplicates."""
    path = _data_path(config, info)
    source = open_table(path, config.encoding)
    has_kaggle = {"v1", "v2"} <= set(source.header)
    ds = load_table(source, _with_columns(config, "v2", "v1") if has_kaggle else config)
    ds.name = info.name
    return ds


def _nsmc_files(path: Path) -> tuple[Path, Path | None]:
    """ratings_train.txt and, when it lies beside it, ratings_test.txt (or a folder holding both)."""
    if path.is_dir():
        train = path / "ratings_train.txt"
        if not train.is_file():
            raise DataError(f"{path} has no ratings_train.txt; pass the file with --data ratings_train.txt")
        path = train
    test = path.with_name("ratings_test.txt")
    return path, test if path.name == "ratings_train.txt" and test.is_file() else None


def load_nsmc(config: DataConfig, info: DatasetInfo) -> Dataset:
    """Naver movie reviews: `id<TAB>document<TAB>label`, UTF-8, some empty documents, labels 0/1."""
    train, test = _nsmc_files(_data_path(config, info))
    config = _with_columns(config, "document", "label")
    ds = load_table(
        open_table(train, config.encoding), config, open_table(test, config.encoding) if test else None
    )
    ds.name = info.name
    ds.class_names = [NSMC_CLASSES.get(c, c) for c in ds.class_names]
    if test:
        ds.notes.append(f"test set: {test}")
    return ds
