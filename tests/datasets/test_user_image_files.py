"""The user's image files: a folder of class sub-folders of PNGs, and a Fashion-MNIST .npz in Keras' mnist.npz
layout; and a table's split seeded by --seed, runs on --data named after the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from seqtui.core.config.naming import run_title
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.keras_sets import FASHION_CLASSES
from seqtui.datasets.registry import load_dataset
from tests.data_files import write_reviews_csv


def write_shapes(root: Path, per_class: int = 12) -> Path:
    """Two classes a model can tell apart: bright squares on the left half, bright squares on the right."""
    rng = np.random.default_rng(0)
    for name, left in (("왼쪽", True), ("right", False)):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            img = rng.integers(0, 40, (40, 40), dtype=np.uint8)
            img[5:35, (2 if left else 22) : (18 if left else 38)] = 220
            Image.fromarray(img).save(root / name / f"{i:02}.png")
    (root / ".hidden").mkdir()
    return root


def test_a_folder_of_class_folders_of_pngs_is_an_image_dataset(tmp_path):
    folder = write_shapes(tmp_path / "shapes")
    ds = load_dataset(
        DataConfig(dataset="file", data_path=str(folder), test_split=0.25, validation_split=0.2)
    )
    assert (ds.task, ds.input_kind, ds.class_names) == ("multiclass", "image", ["right", "왼쪽"])
    assert ds.x_train.shape[1:] == (28, 28, 1) and ds.encoder.preparation == "plain"
    assert len(ds.x_test) == 6 and len(ds.x_val) + len(ds.x_train) == 18
    # resized, never inverted: the bright half stays bright, on the side of its class
    left = ds.x_test[ds.y_test == 1][0, :, :, 0]
    assert left[6:22, 2:10].mean() > 0.7 > 0.2 > left[6:22, 18:26].mean()
    assert "24 images in 2 classes" in ds.notes[0]


def test_an_image_folder_split_follows_the_seed(tmp_path):
    folder = write_shapes(tmp_path / "shapes")
    one, two = (
        load_dataset(DataConfig(dataset="file", data_path=str(folder), split_seed=s)).x_test for s in (1, 2)
    )
    again = load_dataset(DataConfig(dataset="file", data_path=str(folder), split_seed=1)).x_test
    assert np.array_equal(one, again) and not np.array_equal(one, two)


def test_a_folder_with_one_class_of_images_is_refused(tmp_path):
    folder = write_shapes(tmp_path / "shapes")
    for png in (folder / "right").iterdir():
        png.unlink()
    with pytest.raises(DataError, match="at least two class sub-folders"):
        load_dataset(DataConfig(dataset="file", data_path=str(folder)))


def write_fashion_npz(path: Path) -> Path:
    rng = np.random.default_rng(0)
    parts = {}
    for part, n in (("train", 60), ("test", 20)):
        parts[f"x_{part}"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        parts[f"y_{part}"] = (np.arange(n) % 10).astype(np.uint8)
    np.savez(path, **parts)
    return path


@pytest.mark.parametrize("name", ["fashion-mnist.npz", "fashion_mnist.npz"])
def test_a_fashion_npz_is_fashion_mnist_by_its_name(tmp_path, name):
    path = write_fashion_npz(tmp_path / name)
    ds = load_dataset(DataConfig(dataset="file", data_path=str(path)))
    assert ds.name == "fashion-mnist" and ds.class_names == FASHION_CLASSES and ds.class_names[0] != "0"
    assert ds.encoder.preparation == "plain"  # never MNIST's inversion


def test_any_npz_with_dataset_fashion_mnist_is_read_as_fashion(tmp_path):
    path = write_fashion_npz(tmp_path / "clothes.npz")
    ds = load_dataset(DataConfig(dataset="fashion-mnist", data_path=str(path)))
    assert ds.class_names == FASHION_CLASSES and len(ds.x_test) == 20
    with pytest.raises(DataError, match="or fashion-mnist"):  # by an unknown name: the message says how
        load_dataset(DataConfig(dataset="file", data_path=str(path)))


def test_seed_sets_a_tables_split_and_the_config_records_it(tmp_path):
    csv = write_reviews_csv(tmp_path / "reviews.csv")
    base = with_overrides(RunConfig(), dataset="file", data_path=str(csv))
    seeded = with_overrides(base, seed=7)
    assert (base.data.split_seed, seeded.data.split_seed) == (0, 7)
    assert RunConfig.from_dict(seeded.to_dict()).data.split_seed == 7
    first, second = (load_dataset(c.data) for c in (base, seeded))
    assert not np.array_equal(first.y_test, second.y_test) or not np.array_equal(first.x_test, second.x_test)
    again = load_dataset(with_overrides(base, seed=7).data)
    assert np.array_equal(again.x_test, second.x_test)
    assert "split_seed" not in run_title(seeded) and "seed=7" in run_title(seeded)


def test_a_run_on_your_file_is_named_after_it():
    config = with_overrides(RunConfig(), dataset="file", data_path="/data/my reviews.csv")
    assert config.name == "my reviews" and run_title(config) == "my reviews"
    assert with_overrides(RunConfig(), dataset="file", data_path="/data/photos/").name == "photos"
