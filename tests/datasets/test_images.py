"""Digit images as people save them: a drawing with an alpha channel reads as its strokes, a decompression
bomb is refused with a clear message, and a huge photo is scaled down without PIL warnings."""

from __future__ import annotations

import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from seqtui.datasets.errors import DataError
from seqtui.datasets.images import mnist_like, read_image


def seven(mode: str, ink, paper, size: int = 200) -> Image.Image:
    img = Image.new(mode, (size, size), paper)
    draw = ImageDraw.Draw(img)
    draw.line([(40, 40), (160, 40), (90, 170)], fill=ink, width=18)
    return img


@pytest.mark.parametrize(
    ("mode", "ink", "paper"),
    [("RGBA", (0, 0, 0, 255), (0, 0, 0, 0)),  # black strokes on transparent (a drawing app's export)
     ("RGBA", (255, 255, 255, 255), (255, 255, 255, 0)),  # white strokes on transparent
     ("LA", (0, 255), (0, 0)),
     ("RGB", (0, 0, 0), (255, 255, 255))],
)  # fmt: skip
def test_strokes_read_as_a_digit_whatever_the_alpha(tmp_path, mode, ink, paper):
    path = tmp_path / "seven.png"
    seven(mode, ink, paper).save(path)
    digit = mnist_like(read_image(path))
    reference = mnist_like(read_image(_saved(tmp_path, seven("L", 0, 255))))
    assert digit.max() > 200 and digit.mean() > 10  # strokes, not an all-black canvas
    assert np.abs(digit.astype(int) - reference.astype(int)).mean() < 5


@pytest.mark.parametrize(
    ("ink", "shade", "paper"),
    [((255, 255, 255, 255), 255, 0), ((0, 0, 0, 255), 0, 255), ((40, 40, 40, 255), 40, 255)],
)
def test_a_transparent_background_becomes_paper_of_the_opposite_shade(tmp_path, ink, shade, paper):
    """Flattened, a drawing on a transparent background reads as the same drawing on opaque paper: black
    under light strokes, white under dark ones."""
    path = tmp_path / "seven.png"
    seven("RGBA", ink, (*ink[:3], 0)).save(path)
    opaque = read_image(_saved(tmp_path, seven("L", shade, paper)))
    assert np.array_equal(read_image(path), opaque)


def _saved(tmp_path, img: Image.Image):
    path = tmp_path / "reference.png"
    img.save(path)
    return path


def png_header_only(path, width: int, height: int) -> None:
    """A PNG that claims a huge size (only the header is read before the size check)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10))
                     + chunk(b"IEND", b""))  # fmt: skip


@pytest.mark.parametrize("side", [20_000, 60_000])
def test_decompression_bomb_is_refused_clearly(tmp_path, side):
    path = tmp_path / "bomb.png"
    png_header_only(path, side, side)
    with pytest.raises(DataError, match=f"{side} x {side} pixels"):
        read_image(path)


def test_a_big_photo_is_scaled_down_without_pil_warnings(tmp_path):
    path = tmp_path / "big.png"
    big = Image.new("L", (9000, 9000), 255)
    ImageDraw.Draw(big).line([(2000, 2000), (7000, 2000), (4000, 8000)], fill=0, width=600)
    big.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = read_image(path)
    assert max(image.shape) <= 1024
    assert mnist_like(image).max() > 200
