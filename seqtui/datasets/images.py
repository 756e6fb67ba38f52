"""Images for a trained model, prepared as its training images were: a drawn or photographed digit into
MNIST's form (crop, fit into 20x20, centre by mass in 28x28), any other picture only resized (`prepare`)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqtui.datasets.base import Preparation
from seqtui.datasets.errors import DataError

SIDE = 28
"""Every image model reads 28x28 pixels (MNIST's and Fashion-MNIST's size)."""
DIGIT_DATASETS = ("mnist", "digits")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm")
"""What a folder given to `predict --image` is read for; other files in it are left alone."""


def light_paper(image: np.ndarray) -> bool:
    """Whether most of the image is light (a dark digit on white paper), unlike MNIST's black background."""
    return float(np.median(image)) > 127


def mnist_like(image: np.ndarray, invert: bool | None = None) -> np.ndarray:
    """A greyscale image (any size, 0-255) -> 28x28 uint8, white digit on black, as MNIST prepares it."""
    from PIL import Image

    img = np.asarray(image, dtype="float32")
    if img.ndim != 2:
        raise DataError(f"expected a greyscale image, got an array of shape {img.shape}")
    if invert is None:  # dark digit on light paper: flip to MNIST's white-on-black
        invert = light_paper(img)
    if invert:
        img = 255.0 - img
    ys, xs = np.nonzero(img > 0.1 * max(float(img.max()), 1.0))
    if len(ys) == 0:
        return np.zeros((28, 28), dtype="uint8")
    crop = img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS), dtype="float32")
    canvas = np.zeros((28, 28), dtype="float32")
    top, left = (28 - size[1]) // 2, (28 - size[0]) // 2
    canvas[top : top + size[1], left : left + size[0]] = np.clip(small, 0, 255)
    total = canvas.sum()
    if total > 0:  # shift so the centre of mass sits at the centre, as MNIST did
        rows, cols = np.indices(canvas.shape)
        dy = int(round(13.5 - (rows * canvas).sum() / total))
        dx = int(round(13.5 - (cols * canvas).sum() / total))
        canvas = np.roll(np.roll(canvas, dy, axis=0), dx, axis=1)
    return canvas.astype("uint8")


@dataclass(frozen=True)
class Prepared:
    """A 28x28 uint8 image ready for the model, and one line saying what was done to it."""

    pixels: np.ndarray
    how: str


def prepare(image: np.ndarray, preparation: Preparation) -> Prepared:
    """A greyscale image (any size, 0-255) prepared as the run's training images were.

    "digit": an image already in MNIST's form (28x28, light ink on a dark background, as MNIST's own arrays)
    passes unchanged; any other (a drawing, a photo of a digit on paper) gets MNIST's preparation.
    "plain": resized to 28x28 when it is another size, never inverted nor cropped (Fashion-MNIST)."""
    img = np.asarray(image)
    if img.ndim != 2:
        raise DataError(f"expected a greyscale image, got an array of shape {img.shape}")
    height, width = img.shape
    if img.shape == (SIDE, SIDE) and preparation == "plain":
        return Prepared(img.astype("uint8"), f"{SIDE}x{SIDE}: used unchanged")
    if img.shape == (SIDE, SIDE) and not light_paper(img):
        return Prepared(
            img.astype("uint8"), f"already in MNIST's form ({SIDE}x{SIDE}, light on dark): used unchanged"
        )
    if preparation == "plain":
        from PIL import Image

        small = Image.fromarray(img.astype("uint8")).resize((SIDE, SIDE), Image.Resampling.LANCZOS)
        return Prepared(np.asarray(small, dtype="uint8"), f"resized from {width}x{height} to {SIDE}x{SIDE}")
    inverted = "inverted, " if light_paper(img) else ""
    return Prepared(
        mnist_like(img),
        f"a drawn or photographed digit: MNIST's preparation ({inverted}cropped to the ink, fit into 20x20, "
        "centred by mass)",
    )


def preparation_for(dataset: str, data_path: str | None = None) -> Preparation:
    """The preparation of a run saved before its encoder recorded one, from its config's dataset: MNIST-style
    digits (mnist, digits, a user's mnist.npz) -> "digit", anything else (Fashion-MNIST) -> "plain"."""
    if dataset in DIGIT_DATASETS:
        return "digit"
    if dataset == "file" and data_path and Path(data_path).name.lower() == "mnist.npz":
        return "digit"
    return "plain"


def image_paths(given: list[Path]) -> list[Path]:
    """The image files to predict: each file given, and the image files of each folder given (by name, its
    sub-folders left alone). A FIFO, device or socket is refused before anything is opened: reading one could
    wait forever."""
    found: list[Path] = []
    for path in given:
        if path.is_dir():
            images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            if not images:
                raise DataError(f"{path} holds no image files ({', '.join(IMAGE_SUFFIXES)})")
            found += images
        else:
            check_regular(path)
            found.append(path)
    return found


def check_regular(path: Path) -> None:
    """A DataError unless `path` is a regular file (never opens it: a FIFO would block)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except OSError as exc:
        raise DataError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise DataError(f"{path} is a folder, not an image file")
    if not stat.S_ISREG(mode):
        raise DataError(
            f"{path} is not a regular file (a FIFO, device or socket) and is not read; give an image file or "
            "a folder of them"
        )


MAX_PIXELS = 120_000_000
"""Larger images (a decompression bomb, or a poster) are refused before they are decoded."""
MAX_SIDE = 1024
"""A digit needs no more: bigger images are scaled down first (JPEG decodes straight at a smaller size)."""


def _on_paper(img: Any) -> Any:
    """An image with transparency, flattened onto paper of the opposite shade to its strokes: a black digit
    on a transparent background becomes black on white, a white one white on black."""
    rgba = img.convert("RGBA")
    alpha = np.asarray(rgba.getchannel("A"), dtype="float32") / 255.0
    if alpha.min() >= 1.0:
        return rgba.convert("L")
    grey = np.asarray(rgba.convert("L"), dtype="float32")
    ink = float((grey * alpha).sum() / max(float(alpha.sum()), 1e-6))
    paper = 0.0 if ink > 127 else 255.0
    return np.clip(grey * alpha + paper * (1.0 - alpha), 0, 255).astype("uint8")


def read_image(path: Path) -> np.ndarray:
    """A PNG/JPEG/... file as greyscale uint8: transparency flattened, huge images scaled down."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    check_regular(path)
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # opening reads the header only:
    try:  # the size is checked here, before anything is decoded, with a message of our own
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                Image.MAX_IMAGE_PIXELS = limit
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise _too_big(path, width, height)
                img.draft("RGB" if img.mode not in ("L", "LA") else "L", (MAX_SIDE, MAX_SIDE))
                img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                transparent = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
                return np.asarray(_on_paper(img) if transparent else img.convert("L"), dtype="uint8")
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"{path} is not an image file seqtui can read ({exc})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _too_big(path: Path, width: int, height: int) -> DataError:
    return DataError(
        f"{path} is {width} x {height} pixels, more than the {MAX_PIXELS:,} seqtui opens (a decompression "
        "bomb, or a poster); scale it down, a digit needs 28 x 28"
    )
