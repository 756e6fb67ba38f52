"""`seqtui export --format script` on a run on a Keras .npz of images given with --data (mnist.npz, and
Fashion-MNIST in its layout under a name starting with "fashion", or any name with --dataset): the script reads
it with NumPy, no pickle, into seqtui's arrays exactly (the same scaling, shapes, dtypes, seeded validation split
and `--limit` sample), refuses the file seqtui would refuse, and, run as its own process, trains the same model
to the same test metrics.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from seqtui.core.runs.export_script import ScriptError, check_scriptable
from seqtui.core.runs.export_script_npz import NPZ_READER
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)
from tests.data_files import write_imdb_npz, write_mnist_npz


def write_fashion_npz(path: Path, n: int = 50) -> Path:
    """Fashion-MNIST in mnist.npz's layout, with other whole-number dtypes than Keras' uint8 (int16 pixels,
    int64 labels) and an array seqtui leaves alone."""
    rng = np.random.default_rng(8)
    with open(path, "wb") as fh:  # np.savez_compressed would add .npz to a name ending in .NPZ
        np.savez_compressed(
            fh,
            x_train=rng.integers(0, 256, size=(n, 28, 28)).astype("int16"),
            y_train=(np.arange(n) * 7 % 10).astype("int64"),
            x_test=rng.integers(0, 256, size=(n // 2, 28, 28)).astype("int16"),
            y_test=(np.arange(n // 2) % 10).astype("int64"),
            notes=np.arange(3),
        )
    return path


def image_config(data: DataConfig, ds) -> dict:
    config = run_config(data, ds)
    config["model"]["arch"] = "mlp"
    return config


FILES = [
    ("file", "mnist.npz", write_mnist_npz),
    ("file", "fashion_mnist.npz", write_fashion_npz),
    ("mnist", "숫자 digits.npz", write_mnist_npz),  # --dataset names it: any name, Korean too
    ("fashion-mnist", "clothes.NPZ", write_fashion_npz),
]
SETTINGS = [{}, {"validation_split": 0.3, "test_split": 0.5}, {"sample_limit": 17, "validation_split": 0.25}]


@pytest.mark.parametrize("settings", SETTINGS, ids=["defaults", "splits", "limit"])
@pytest.mark.parametrize(("dataset", "name", "writer"), FILES, ids=[f[1] for f in FILES])
def test_the_script_reads_the_npz_into_seqtuis_arrays(tmp_path, dataset, name, writer, settings):
    path = writer(tmp_path / name)
    data = DataConfig(dataset, data_path=str(path), **settings)
    ds = load_dataset(data)
    config = image_config(data, ds)
    assert check_scriptable(config) is NPZ_READER
    module = script_module(config, ds, tmp_path / "exp")
    assert path.resolve() == module.DATA
    parts = module.load_data(module.DATA)
    same_arrays(module.limited(parts) if data.sample_limit else parts, ds)
    with np.load(path) as raw:  # the pixels themselves, scaled: not merely alike
        n_test = len(raw["x_test"])
        np.testing.assert_array_equal(parts[2][0][..., 0] * 255.0, raw["x_test"].astype("float32"))
        n_train = len(raw["x_train"])
    if data.sample_limit:
        assert len(ds.x_train) == data.sample_limit
    else:  # every training image, in training or validation; the file's own test images, whatever --test-split
        assert len(ds.x_train) + len(ds.x_val) == n_train and len(ds.x_test) == n_test
    assert ds.x_train.shape[1:] == (28, 28, 1) and ds.x_train.max() > 0.9


def test_the_script_checks_another_file_as_seqtui_does(tmp_path):
    """--data pointing the script at a file seqtui would refuse stops it with seqtui's reason."""
    path = write_mnist_npz(tmp_path / "mnist.npz")
    data = DataConfig("file", data_path=str(path))
    ds = load_dataset(data)
    module = script_module(image_config(data, ds), ds, tmp_path / "exp")
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 256, size=(20, 28, 28)), np.arange(20) % 10
    cases = {
        "lacks x_test, y_test": {"x_train": x, "y_train": y},
        "images must be 28x28": {"x_train": x[:, :27], "y_train": y, "x_test": x, "y_test": y},
        "pixels must be grey levels 0-255 (got 0..300)": {
            "x_train": np.where(x > 250, 300, 0),
            "y_train": y,
            "x_test": x,
            "y_test": y,
        },  # fmt: skip
        "(test part): labels must be the classes 0-9 (got 1..10)": {
            "x_train": x,
            "y_train": y,
            "x_test": x,
            "y_test": y + 1,
        },  # fmt: skip
        "images and labels must be integers": {"x_train": x / 255, "y_train": y, "x_test": x, "y_test": y},
    }
    for i, (message, arrays) in enumerate(cases.items()):
        other = tmp_path / f"other{i}.npz"
        np.savez(other, **arrays)
        with pytest.raises(SystemExit, match=re.escape(message)):
            module.load_data(other)


def test_an_npz_the_script_cant_read_is_one_clear_error(tmp_path):
    path = write_mnist_npz(tmp_path / "mnist.npz")
    data = DataConfig("file", data_path=str(path))
    config = image_config(data, load_dataset(data))
    np.savez(path, x_train=np.zeros((4, 28, 28), "uint8"), y_train=np.zeros(4, "uint8"))
    with pytest.raises(
        ScriptError, match=r"seqtui can't read mnist.npz now \(.*lacks x_test, y_test.*keras instead"
    ):
        check_scriptable(config)
    path.unlink()
    with pytest.raises(ScriptError, match=r"mnist.npz is no longer there to read \(a Keras .npz of images\)"):
        check_scriptable(config)
    imdb = {**config, "task": "binary", "input_kind": "tokens", "class_names": ["negative", "positive"],
            "data": {**config["data"], "dataset": "imdb", "data_path": str(write_imdb_npz(tmp_path / "imdb.npz"))}}  # fmt: skip
    with pytest.raises(
        ScriptError, match="not yet on --data .*imdb.npz; export the model with --format keras"
    ):
        check_scriptable(imdb)  # a Keras text .npz is not an image run: still refused


def test_the_exported_script_trains_the_mnist_npz_run_again(tmp_path):
    """A small MLP on a 300-image mnist.npz, 2 epochs; the script reads the file from where it was moved to."""
    path = write_mnist_npz(tmp_path / "mnist.npz", n=300)
    moved = tmp_path / "elsewhere.npz"
    train = ["--data", str(path), "--arch", "mlp", "--units", "8", "--epochs", "2", "--seed", "4"]
    run, output = trained_exported_and_rerun(
        tmp_path, train, ["--epochs", "2", "--data", str(moved)], lambda: path.rename(moved)
    )
    assert same_model_and_metrics(run, output) == 28 * 28 * 8 + 8 + 8 * 10 + 10
