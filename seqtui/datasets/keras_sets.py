"""Keras' own datasets (IMDB, Reuters, MNIST, Fashion-MNIST, Jena climate) through Keras' download,
hash check and cache, plus the same formats from a file the user copied by hand (`--data`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np

from seqtui.common.files import atomic_write
from seqtui.common.paths import keras_home
from seqtui.datasets.base import Dataset, ImageEncoder, Preparation, TextEncoder, shuffled_split
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.keras_files import (
    KERAS_SEED,
    check_images,
    load_npz_file,
    read_idx,
    user_text_arrays,
)
from seqtui.datasets.lengths import TextStats, text_stats
from seqtui.datasets.registry import DatasetInfo
from seqtui.datasets.tokenizer import Tokenizer, clip_ids, pad

IMDB_CLASSES = ["negative", "positive"]
# Reuters' 46 topics in label order (the names Keras' Reuters labels stand for).
REUTERS_CLASSES = [
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
]  # fmt: skip
DIGIT_CLASSES = [str(i) for i in range(10)]
FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip
FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
ALL_WORDS = 2**31 - 1
"""Keras' num_words that keeps every word id (the vocabulary is cut here, after the baseline's words)."""
JENA_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip"


def offline_message(info: DatasetInfo, exc: BaseException | None = None) -> str:
    where = keras_home() / "datasets"
    missing = [f for f in info.cache_files if not (where / f).exists()] or list(info.cache_files)
    reason = f" ({exc})" if exc else ""
    return (
        f"dataset {info.name!r} is not in Keras' cache and could not be downloaded{reason}.\n"
        f"Missing: {', '.join(missing)} under {where} (set KERAS_HOME to use another cache).\n"
        f"Fix: run `seqtui datasets fetch {info.name}` on a machine with internet and copy {where} here, "
        f"or pass the file you have with --data FILE."
    )


# The hashes Keras checks its cached files against (keras/src/datasets/*.py). Keras deletes and downloads
# again a cached file that does not match; seqtui refuses first, so a user's own copy is never lost.
KERAS_HASHES = {
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
    "reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    "reuters_word_index.json": "4d44cc38712099c9e383dc6e5f11a921",
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}


def _file_hash(path: Path, expected: str) -> str:
    digest = hashlib.sha256() if len(expected) == 64 else hashlib.md5()  # noqa: S324 - Keras' own checksum
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_cache(info: DatasetInfo) -> None:
    """Refuse a cached file whose checksum Keras would reject (Keras would delete it and download again)."""
    home = keras_home() / "datasets"
    for name in info.cache_files:
        expected = KERAS_HASHES.get(name)
        path = home / name
        if expected and path.is_file() and _file_hash(path, expected) != expected:
            raise DataError(
                f"{path} is not the file Keras publishes (its checksum differs), and Keras would delete it to "
                f"download the original. seqtui left it untouched. Fix: move it out of {home} and pass it with "
                f"--data FILE --dataset {info.name}, or delete it and run `seqtui datasets fetch {info.name}`."
            )


def _keras_call(info: DatasetInfo, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a Keras loader; a failed download becomes one clear DataError."""
    check_cache(info)
    try:
        return fn(*args, **kwargs)
    except DataError:
        raise
    except Exception as exc:  # Keras raises bare Exception("URL fetch failure ...") when offline
        cached = info.status == "cached"
        if cached:
            raise DataError(f"Keras could not read the cached {info.name} files: {exc}") from exc
        raise DataError(offline_message(info, exc)) from exc


def fetch(info: DatasetInfo) -> list[Path]:
    """Download a Keras dataset into the cache (verifying Keras' hashes); return the cached files."""
    if info.source != "keras":
        raise DataError(f"{info.name} is not downloaded: its status is {info.status!r}. {info.hint}".strip())
    from seqtui.common.keras_door import import_keras

    keras = import_keras()
    getters = {
        "imdb": lambda: (keras.datasets.imdb.load_data(num_words=10), keras.datasets.imdb.get_word_index()),
        "reuters": lambda: (
            keras.datasets.reuters.load_data(num_words=10),
            keras.datasets.reuters.get_word_index(),
        ),
        "mnist": keras.datasets.mnist.load_data,
        "fashion-mnist": keras.datasets.fashion_mnist.load_data,
        "jena-climate": lambda: _jena_csv_path(keras),
    }
    _keras_call(info, getters[info.name])
    return [keras_home() / "datasets" / f for f in info.cache_files]


# -- IMDB and Reuters --------------------------------------------------------------------------------
def _word_index(info: DatasetInfo, config: DataConfig, keras_getter: Any) -> dict[str, int] | None:
    """The word index: beside the user's file, else from Keras (downloaded/cached)."""
    name = f"{info.name}_word_index.json"
    if config.data_path:
        beside = Path(config.data_path).with_name(name)
        if beside.exists():
            try:
                return {str(k): int(v) for k, v in json.loads(beside.read_text(encoding="utf-8")).items()}
            except (ValueError, AttributeError, TypeError) as exc:
                raise DataError(f"{beside} is not a word index (a JSON object of word -> rank)") from exc
        cached = keras_home() / "datasets" / name
        if not cached.exists():
            return None
    return _keras_call(info, keras_getter)


def _word_ids(
    config: DataConfig, info: DatasetInfo, module: str, loader: Any, classes: int
) -> tuple[tuple, tuple]:
    """Every word id of the training and test parts (Keras' encoding, no vocabulary cut), and the labels."""
    if config.data_path:
        return user_text_arrays(Path(config.data_path), module, classes, config)
    kwargs: dict[str, Any] = {"num_words": ALL_WORDS, "seed": KERAS_SEED}  # None would cut the rarest word
    if module == "reuters":
        kwargs["test_split"] = config.test_split
    return _keras_call(info, loader.load_data, **kwargs)


def _spelt(sequences: list[list[int]]) -> np.ndarray:
    """Id sequences as texts of word ids ("14 22 16"), start and OOV marks left out: the baseline's words."""
    return np.array([" ".join(str(w) for w in seq if w > 2) for seq in sequences], dtype=object)


def _keras_text(config: DataConfig, info: DatasetInfo, module: str, class_names: list[str]) -> Dataset:
    from seqtui.common.keras_door import import_keras

    loader = getattr(import_keras().datasets, module)
    nw = config.vocab_size
    (x_train, y_train), (x_test, y_test) = _word_ids(config, info, module, loader, len(class_names))
    ranks = _word_index(info, config, loader.get_word_index)
    tokenizer = Tokenizer.from_keras_word_index(ranks or {}, nw)
    notes = (
        [] if ranks else [f"{info.name}_word_index.json not found: predictions on raw text will be all <oov>"]
    )
    encoder = TextEncoder(tokenizer, config.maxlen, config.padding, config.truncating)
    x_all = pad(clip_ids(x_train, nw, 2), config.maxlen, config.padding, config.truncating)
    x_test_arr = pad(clip_ids(x_test, nw, 2), config.maxlen, config.padding, config.truncating)
    y_train = np.asarray(y_train, dtype="int32")
    rows_tr, y_tr, rows_val, y_val = shuffled_split(
        np.arange(len(x_all)), y_train, config.validation_split, 0
    )
    words = _spelt(list(x_train))
    stats = text_stats([x_train[i] for i in rows_tr], config.maxlen, nw, tokenizer.oov_id)
    notes += _coverage_notes(stats)
    return Dataset(
        info.name,
        info.task,
        "tokens",
        x_all[rows_tr],
        y_tr,
        x_all[rows_val],
        y_val,
        x_test_arr,
        np.asarray(y_test, "int32"),
        encoder,
        class_names,
        notes,
        words={"train": words[rows_tr], "val": words[rows_val], "test": _spelt(list(x_test))},
        text_stats=stats,
    )


def _coverage_notes(stats: TextStats | None) -> list[str]:
    """The coverage lines of the training reviews (Keras' ids are frequency ranks, loaded uncut, so the
    vocabulary's share is exact); ids that already hold OOV marks (a file saved with num_words) hide which
    words they were, and the line says so."""
    if stats is None or stats.counts is None:
        return []
    lines = [stats.maxlen_line(), stats.vocab_line()]
    marked = int(stats.counts.per_id[stats.counts.oov_id])
    if marked:
        share = marked / int(stats.counts.per_id.sum())
        lines[1] += f" ({share:.0%} were out of vocabulary in the data already: their words are unknown)"
    return lines


def load_imdb(config: DataConfig, info: DatasetInfo) -> Dataset:
    return _keras_text(config, info, "imdb", IMDB_CLASSES)


def load_reuters(config: DataConfig, info: DatasetInfo) -> Dataset:
    return _keras_text(config, info, "reuters", REUTERS_CLASSES)


# -- MNIST and Fashion-MNIST ------------------------------------------------------------------------
def _image_dataset(
    info: DatasetInfo,
    config: DataConfig,
    train: tuple,
    test: tuple,
    names: list[str],
    preparation: Preparation,
) -> Dataset:
    """`preparation` is how the images were made (MNIST's digits, or Fashion-MNIST's plain pictures), saved
    with the run so a new image is prepared alike."""
    (x_train, y_train), (x_test, y_test) = train, test
    where = config.data_path or info.name
    check_images(x_train, y_train, f"{where} (training part)")
    check_images(x_test, y_test, f"{where} (test part)")
    encoder = ImageEncoder((28, 28, 1), preparation=preparation)
    x_tr, y_tr, x_val, y_val = shuffled_split(
        encoder.encode(x_train), y_train.astype("int32"), config.validation_split, 0
    )
    return Dataset(
        info.name,
        "multiclass",
        "image",
        x_tr,
        y_tr,
        x_val,
        y_val,
        encoder.encode(x_test),
        y_test.astype("int32"),
        encoder,
        names,
    )


def _npz_images(path: Path, what: str) -> tuple[tuple, tuple]:
    """The (x, y) training and test parts of an .npz of 28x28 images in Keras' mnist.npz layout."""
    if not path.is_file():
        raise DataError(f"{path} does not exist; pass the {what} file Keras downloads")
    a = load_npz_file(path, ("x_train", "y_train", "x_test", "y_test"))
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])


def load_mnist(config: DataConfig, info: DatasetInfo) -> Dataset:
    if config.data_path:
        train, test = _npz_images(Path(config.data_path), "mnist.npz")
    else:
        from seqtui.common.keras_door import import_keras

        train, test = _keras_call(info, import_keras().datasets.mnist.load_data)
    return _image_dataset(info, config, train, test, DIGIT_CLASSES, "digit")


def load_fashion_mnist(config: DataConfig, info: DatasetInfo) -> Dataset:
    if config.data_path and Path(config.data_path).suffix.lower() == ".npz":  # mnist.npz's layout
        train, test = _npz_images(Path(config.data_path), "Fashion-MNIST .npz")
    elif config.data_path:
        folder = Path(config.data_path)
        missing = [f for f in FASHION_FILES if not (folder / f).is_file()]
        if not folder.is_dir() or missing:
            raise DataError(
                f"{folder} must be a folder with the four Fashion-MNIST files: {', '.join(FASHION_FILES)}"
            )
        y_train, x_train, y_test, x_test = (read_idx(folder / f) for f in FASHION_FILES)
        train, test = (x_train, y_train), (x_test, y_test)
    else:
        from seqtui.common.keras_door import import_keras

        train, test = _keras_call(info, import_keras().datasets.fashion_mnist.load_data)
    return _image_dataset(info, config, train, test, FASHION_CLASSES, "plain")


# -- Jena climate -----------------------------------------------------------------------------------
def _jena_csv_path(keras: Any) -> Path:
    """The CSV beside Keras' cached zip, unzipped once. It is written to a temporary name and renamed: a
    later run takes an existing CSV as complete, so an interrupted unzip must not leave half of one."""
    zipped = Path(keras.utils.get_file("jena_climate_2009_2016.csv.zip", JENA_URL))
    csv_path = zipped.with_suffix("")
    if not csv_path.exists():
        with zipfile.ZipFile(zipped) as zf, zf.open(csv_path.name) as member:
            atomic_write(csv_path, lambda tmp: _copy_to(member, tmp))
    return csv_path


def _copy_to(stream: IO[bytes], path: Path) -> None:
    with open(path, "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)


def load_jena(config: DataConfig, info: DatasetInfo) -> Dataset:
    from seqtui.datasets.series import load_series_csv

    if config.data_path:
        path = Path(config.data_path)
    else:
        cached = keras_home() / "datasets" / "jena_climate_2009_2016.csv"
        if cached.exists():
            path = cached
        else:
            from seqtui.common.keras_door import import_keras

            path = _keras_call(info, _jena_csv_path, import_keras())
    ds = load_series_csv(path, config, target_default="T (degC)")
    ds.name = info.name
    return ds
