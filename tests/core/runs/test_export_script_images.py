"""`seqtui export --format script` on a run on the user's images: a folder of class sub-folders (PNG, JPEG,
GIF; greyscale, colour, palette, transparent, 16-bit, large) or a folder of Fashion-MNIST's gzipped idx
files. The script reads them into seqtui's arrays exactly (the same class order, pixels, splits and `--limit`
sample), its model reads the run's input shape, and, run as its own process, it trains the same model to the
same test metrics.

The shared steps (and the tolerance) are in script_checks.py.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from seqtui.core.runs.export_script import ScriptError, check_scriptable
from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from tests.core.runs.script_checks import (
    run_config,
    same_arrays,
    same_model_and_metrics,
    script_module,
    trained_exported_and_rerun,
)
from tests.data_files import write_fashion_folder

CLASSES = ("고양이", "dog", "새 bird")


def _picture(rng: np.random.Generator, k: int, size: tuple[int, int]) -> np.ndarray:
    """A light shape on a dark ground with some noise, placed by class `k`: uint8 (height, width)."""
    h, w = size
    img = rng.integers(0, 60, size=(h, w)).astype("uint8")
    top, left = (k * h) // 4, (k * w) // 5
    img[top : top + h // 2, left : left + w // 3] = 200 + rng.integers(0, 55)
    return img


def _save(path: Path, pixels: np.ndarray, kind: int) -> None:
    """One image in one of several kinds a user's folder holds."""
    grey = Image.fromarray(pixels)
    if kind == 0:
        grey.save(path.with_suffix(".png"))
    elif kind == 1:  # colour JPEG
        Image.merge("RGB", (grey, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grey)).save(
            path.with_suffix(".jpg"), quality=90
        )
    elif kind == 2:  # transparent PNG: dark strokes on a see-through background
        rgba = Image.merge("RGBA", (grey, grey, grey, Image.fromarray(255 - pixels)))
        rgba.save(path.with_suffix(".png"))
    elif kind == 3:  # palette GIF
        grey.convert("P").save(path.with_suffix(".gif"))
    elif kind == 4:  # 16-bit greyscale PNG
        Image.fromarray(pixels.astype("uint16") * 257).save(path.with_suffix(".png"))
    else:  # greyscale with alpha
        Image.merge("LA", (grey, Image.fromarray(np.full_like(pixels, 128)))).save(path.with_suffix(".png"))


SIZES = ((28, 28), (40, 30), (17, 33), (64, 64), (28, 28), (50, 20))


def write_image_folders(root: Path, per_class: int = 12) -> Path:
    """Class sub-folders of images of many kinds and sizes, plus what seqtui leaves out (a hidden folder, a
    folder without images, a text file beside the images)."""
    rng = np.random.default_rng(11)
    for k, name in enumerate(CLASSES):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            _save(folder / f"{i:03d}", _picture(rng, k, SIZES[(i + k) % len(SIZES)]), (i + k) % 6)
        (folder / "notes.md").write_text("not an image", encoding="utf-8")
    (root / ".thumbs").mkdir()
    _save(root / ".thumbs" / "x", _picture(rng, 0, (28, 28)), 0)
    (root / "empty").mkdir()
    return root


def write_large_images(root: Path) -> Path:
    """Two classes of images larger than 1,024 pixels a side (a JPEG and a PNG): scaled down first."""
    rng = np.random.default_rng(12)
    for k, name in enumerate(("wide", "tall")):
        (root / name).mkdir(parents=True)
        for i in range(3):
            size = (700, 1300) if k == 0 else (1100, 400)
            _save(root / name / f"{i}", _picture(rng, k + i, size), (0, 1)[i % 2])
    return root


def image_config(data: DataConfig, ds, arch: str = "mlp") -> dict:
    """config.json of a run on images, with an image model (the default LSTM reads an image's rows as steps)."""
    config = run_config(data, ds)
    config["model"]["arch"] = arch
    return config


def _same_arrays(module, ds, limit: int | None, folder: Path) -> None:
    parts = module.load_data(folder)
    if limit:
        parts = module.limited(parts)
    same_arrays(parts, ds)


@pytest.mark.parametrize(
    ("writer", "settings"),
    [
        (write_image_folders, {}),
        (write_image_folders, {"split_seed": 9, "validation_split": 0.25, "test_split": 0.1}),
        (write_image_folders, {"split_seed": 2, "sample_limit": 12}),
        (write_large_images, {"test_split": 0.34, "validation_split": 0.5}),
    ],
    ids=["folders", "seed-splits", "limit", "large"],
)
def test_the_script_reads_the_image_folders_into_seqtuis_arrays(tmp_path, writer, settings):
    folder = writer(tmp_path / "photos")
    data = DataConfig("file", data_path=str(folder), **settings)
    ds = load_dataset(data)
    module = script_module(image_config(data, ds), ds, tmp_path / "exp")
    _same_arrays(module, ds, data.sample_limit, module.DATA)
    assert ds.x_train.shape[1:] == (28, 28, 1) and ds.x_train.std() > 0.1  # real pictures, not blank
    assert module.build_model().input_shape[1:] == ds.x_train.shape[1:]  # whatever size the files were


def test_the_script_reads_each_kind_of_image_as_seqtui_does(tmp_path):
    """Image by image: transparency flattened, 16-bit scaled to 8, colour to grey, large ones scaled down."""
    from seqtui.datasets.images import prepare, read_image

    folder = write_image_folders(tmp_path / "photos", per_class=6)
    write_large_images(tmp_path / "large")
    data = DataConfig("file", data_path=str(folder))
    ds = load_dataset(data)
    module = script_module(image_config(data, ds), ds, tmp_path / "exp")
    paths = [p for f in (folder, tmp_path / "large") for ps in module.class_folders(f).values() for p in ps]
    assert {Image.open(p).mode for p in paths} >= {"L", "RGB", "RGBA", "P", "I;16", "LA"}
    for path in paths:
        np.testing.assert_array_equal(module.read_image(path), prepare(read_image(path), "plain").pixels)


def test_keras_load_img_would_read_other_pixels(tmp_path):
    """Why the script decodes as seqtui does instead of calling keras.utils.load_img: a transparent image
    (its alpha dropped) and a 16-bit one (its values kept) come out otherwise."""
    import keras

    folder = write_image_folders(tmp_path / "photos", per_class=6)
    data = DataConfig("file", data_path=str(folder))
    ds = load_dataset(data)
    module = script_module(image_config(data, ds), ds, tmp_path / "exp")
    for mode in ("RGBA", "I;16"):
        path = next(
            p for ps in module.class_folders(folder).values() for p in ps if Image.open(p).mode == mode
        )
        img = keras.utils.load_img(
            path, color_mode="grayscale", target_size=(28, 28), interpolation="lanczos"
        )
        assert not np.array_equal(keras.utils.img_to_array(img)[:, :, 0], module.read_image(path))


@pytest.mark.parametrize("dataset", ["file", "fashion-mnist"])
def test_the_script_reads_the_idx_files_into_seqtuis_arrays(tmp_path, dataset):
    folder = write_fashion_folder(tmp_path / "fashion", n=60)
    for settings in ({}, {"sample_limit": 20, "validation_split": 0.3}):
        data = DataConfig(dataset, data_path=str(folder), **settings)
        ds = load_dataset(data)
        module = script_module(image_config(data, ds), ds, tmp_path / f"exp{len(settings)}")
        _same_arrays(module, ds, data.sample_limit, module.DATA)
        assert len(ds.x_test) == (30 if not settings else int(30 * 20 / 42)) and ds.x_train.max() > 0.9


def test_images_the_script_cant_read_are_one_clear_error(tmp_path):
    folder = write_image_folders(tmp_path / "photos", per_class=4)
    fashion = write_fashion_folder(tmp_path / "fashion")
    config = run_config(
        DataConfig("file", data_path=str(folder)), load_dataset(DataConfig("file", data_path=str(folder)))
    )
    fashion_config = run_config(
        DataConfig("file", data_path=str(fashion)), load_dataset(DataConfig("file", data_path=str(fashion)))
    )
    assert check_scriptable(config) is check_scriptable(fashion_config)  # both read, by the image reader
    shutil.copytree(folder / "dog", folder / "fox")
    with pytest.raises(
        ScriptError,
        match=re.escape("the class folders of")
        + " .* now dog, fox, 고양이, 새 bird, not the run's dog, 고양이, 새 bird",
    ):
        check_scriptable(config)
    (fashion / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ScriptError, match="no longer holds t10k-labels-idx1-ubyte.gz; export the model"):
        check_scriptable(fashion_config)
    shutil.rmtree(folder)
    with pytest.raises(ScriptError, match="is no longer there to read"):
        check_scriptable(config)
    npz = dataclasses.replace(DataConfig("file"), data_path=str(tmp_path / "mnist.npz"))
    with pytest.raises(ScriptError, match=r"mnist.npz is no longer there to read \(a Keras .npz of images\)"):
        check_scriptable({**config, "data": dataclasses.asdict(npz)})  # the .npz reader's, not this one's
    imdb = dataclasses.replace(DataConfig("imdb"), data_path=str(tmp_path / "imdb.npz"))  # a Keras text file
    with pytest.raises(ScriptError, match="not yet on --data"):
        check_scriptable(
            {**config, "task": "binary", "input_kind": "tokens", "data": dataclasses.asdict(imdb)}
        )


def test_the_exported_script_trains_the_image_folder_run_again(tmp_path):
    """A small CNN on three classes of mixed images, 3 epochs; the script reads the folder from where it was
    moved to (--data)."""
    folder = write_image_folders(tmp_path / "photos", per_class=20)
    moved = tmp_path / "moved"
    train = ["--data", str(folder), "--arch", "mlp", "--units", "8", "--epochs", "3", "--seed", "6"]
    run, output = trained_exported_and_rerun(
        tmp_path, train, ["--epochs", "3", "--data", str(moved)], lambda: folder.rename(moved)
    )
    assert same_model_and_metrics(run, output) == 28 * 28 * 8 + 8 + 8 * 3 + 3


@pytest.mark.slow
def test_the_exported_script_trains_the_fashion_idx_run_again(tmp_path):
    folder = write_fashion_folder(tmp_path / "fashion", n=400)
    train = ["--data", str(folder), "--arch", "cnn2d", "--epochs", "2", "--seed", "2", "--conv-filters", "8",
             "--dense-units", "8"]  # fmt: skip
    run, output = trained_exported_and_rerun(tmp_path, train, ["--epochs", "2"])
    assert same_model_and_metrics(run, output) > 0
