"""Turn a drawn or photographed digit into MNIST's form: crop, fit into 20x20, centre by mass in 28x28."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqtui.datasets.base import DataError


def mnist_like(image: np.ndarray, invert: bool | None = None) -> np.ndarray:
    """A greyscale image (any size, 0-255) -> 28x28 uint8, white digit on black, as MNIST prepares it."""
    from PIL import Image

    img = np.asarray(image, dtype="float32")
    if img.ndim != 2:
        raise DataError(f"expected a greyscale image, got an array of shape {img.shape}")
    if invert is None:  # dark digit on light paper: flip to MNIST's white-on-black
        invert = float(np.median(img)) > 127
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


def read_image(path: Path) -> np.ndarray:
    """A PNG/JPEG/... file as greyscale uint8."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return np.asarray(img.convert("L"), dtype="uint8")
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise DataError(f"{path} is not an image file seqtui can read ({exc})") from None
