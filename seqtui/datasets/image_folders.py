"""A folder of images, one sub-folder per class (`photos/cat/*.png`, `photos/dog/*.png`): an image
classification dataset. Each image is read in greyscale and prepared as `predict --image` prepares a new one
for such a run (`images.prepare(..., "plain")`: resized to 28x28, never inverted nor cropped), so the run's
preparation record (the encoder's `plain`) holds for both.

The split is seeded by `split_seed` (`--seed`): a shuffled `test_split` of the images is the test part, a
shuffled `validation_split` of the rest the validation part.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqtui.common.names import clean_name
from seqtui.datasets.base import Dataset, ImageEncoder, shuffled_split
from seqtui.datasets.config import DataConfig
from seqtui.datasets.errors import DataError
from seqtui.datasets.images import IMAGE_SUFFIXES, SIDE, prepare, read_image

MAX_IMAGES = 200_000
"""More images than this are refused before any is read (28x28 each: about 160 MB of arrays)."""


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def class_folders(folder: Path) -> dict[str, list[Path]]:
    """Each sub-folder that holds image files, by name, with its images (sorted by name); hidden ones and
    sub-folders without images are left out."""
    out: dict[str, list[Path]] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        images = _images_in(sub)
        if images:
            out[sub.name] = images
    return out


def is_image_folder(folder: Path) -> bool:
    """Whether `folder` holds sub-folders of images (and its sub-folders no .txt files: text wins)."""
    subs = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    if any(next(sub.glob("*.txt"), None) is not None for sub in subs):
        return False
    return any(_images_in(sub) for sub in subs)


def _read_all(classes: dict[str, list[Path]]) -> tuple[np.ndarray, np.ndarray]:
    """Every image prepared to 28x28 uint8, and its class index."""
    pixels, labels = [], []
    for index, paths in enumerate(classes.values()):
        for path in paths:
            pixels.append(prepare(read_image(path), "plain").pixels)
            labels.append(index)
    return np.stack(pixels).astype("uint8"), np.asarray(labels, dtype="int32")


def load_image_folders(folder: Path, config: DataConfig) -> Dataset:
    """The images of `folder`'s class sub-folders as a classification dataset (DataError when unusable)."""
    classes = class_folders(folder)
    if len(classes) < 2:
        found = f"only {next(iter(classes))!r}" if classes else "none"
        raise DataError(
            f"{folder}: an image dataset needs at least two class sub-folders holding images "
            f"(.png, .jpg, ...); found {found}"
        )
    total = sum(len(paths) for paths in classes.values())
    if total > MAX_IMAGES:
        raise DataError(f"{folder} holds {total:,} images, more than the {MAX_IMAGES:,} seqtui reads at once")
    x, y = _read_all(classes)
    seed = config.split_seed
    x_rest, y_rest, x_test, y_test = shuffled_split(x, y, config.test_split, seed)
    x_tr, y_tr, x_val, y_val = shuffled_split(x_rest, y_rest, config.validation_split, seed + 1)
    encoder = ImageEncoder((SIDE, SIDE, 1), preparation="plain")
    names = [clean_name(name) or f"class {i}" for i, name in enumerate(classes)]
    notes = [
        f"{total:,} images in {len(classes)} classes from {folder.name}, each resized to {SIDE}x{SIDE} "
        f"greyscale; split seeded by {seed}: {len(x_tr):,} train, {len(x_val):,} validation, {len(x_test):,} test"
    ]
    return Dataset(
        folder.name,
        "multiclass",
        "image",
        encoder.encode(x_tr),
        y_tr,
        encoder.encode(x_val),
        y_val,
        encoder.encode(x_test),
        y_test,
        encoder,
        names,
        notes,
    )
