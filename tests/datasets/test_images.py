"""Images as people save them: a drawing with an alpha channel reads as its strokes, a decompression bomb is
refused with a clear message, a huge photo is scaled down without PIL warnings, a FIFO is never opened;
and each run's own preparation: a digit as MNIST's (a dark one on paper inverted), a picture only resized."""

from __future__ import annotations

import os
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from seqtui.datasets.base import PREPARATIONS, ImageEncoder, encoder_from_dict
from seqtui.datasets.errors import DataError
from seqtui.datasets.images import (
    image_paths,
    light_paper,
    mnist_like,
    preparation_for,
    prepare,
    read_image,
)


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


# -- the digit preparation's inversion (issue 28, bug c) -------------------------------------------------
def stroke(paper: int, ink: int) -> np.ndarray:
    """A 60x60 bar: `ink` on `paper`."""
    img = np.full((60, 60), paper, dtype="uint8")
    img[10:50, 26:34] = ink
    return img


def test_a_dark_digit_on_white_paper_comes_out_white_on_black():
    """The paper (most of the image, bright) becomes MNIST's black, the strokes white. With the comparison
    flipped, the white paper would be taken for ink: a nearly all-white square."""
    digit = mnist_like(stroke(paper=255, ink=0))
    assert digit[0, 0] == digit[-1, -1] == 0 and (digit == 0).mean() > 0.6  # black background
    assert digit[14, 14] > 200  # the bar, centred by mass, is white


def test_a_light_digit_on_black_is_never_inverted():
    """MNIST's own form stays as it is: inverting it would leave a black bar on white."""
    digit = mnist_like(stroke(paper=0, ink=255))
    assert digit[0, 0] == 0 and digit[14, 14] > 200 and (digit == 0).mean() > 0.6


def test_the_paper_is_light_when_most_of_the_image_is():
    assert light_paper(stroke(paper=255, ink=0)) and not light_paper(stroke(paper=0, ink=255))
    assert not light_paper(np.full((4, 4), 127)) and light_paper(np.full((4, 4), 128))


# -- each run's own preparation ---------------------------------------------------------------------------
def mnist_digit() -> np.ndarray:
    """A digit in MNIST's form, not centred by mass: MNIST's preparation would move it."""
    img = np.zeros((28, 28), dtype="uint8")
    img[4:24, 5:9] = 255
    return img


def test_a_digit_already_in_mnists_form_passes_unchanged():
    ready = prepare(mnist_digit(), "digit")
    assert np.array_equal(ready.pixels, mnist_digit()) and "used unchanged" in ready.how
    assert not np.array_equal(mnist_like(mnist_digit()), mnist_digit())  # what the old path did to it


@pytest.mark.parametrize("size", [28, 90])
def test_a_drawn_digit_on_paper_gets_mnists_preparation_and_says_so(size):
    drawing = np.asarray(Image.fromarray(stroke(paper=255, ink=0)).resize((size, size)))
    ready = prepare(drawing, "digit")
    assert np.array_equal(ready.pixels, mnist_like(drawing))
    assert ready.pixels[0, 0] == 0 and ready.pixels.max() > 200
    assert "MNIST's preparation (inverted, cropped to the ink" in ready.how


def test_a_plain_picture_is_never_inverted_nor_cropped():
    """A Fashion-MNIST shirt is light on black, and a bright one is mostly light: both pass as they are."""
    shirt = np.full((28, 28), 200, dtype="uint8")
    shirt[:, :3] = 0
    ready = prepare(shirt, "plain")
    assert np.array_equal(ready.pixels, shirt) and ready.how == "28x28: used unchanged"
    big = prepare(np.kron(shirt, np.ones((3, 3), dtype="uint8")), "plain")  # 84x84, resized only
    assert big.pixels.shape == (28, 28) and big.how == "resized from 84x84 to 28x28"
    assert np.abs(big.pixels.astype(int) - shirt).mean() < 8


def test_a_colour_or_3d_array_is_refused():
    with pytest.raises(DataError, match="greyscale"):
        prepare(np.zeros((28, 28, 3)), "plain")


@pytest.mark.parametrize(
    ("dataset", "path", "expected"),
    [("mnist", None, "digit"), ("digits", None, "digit"), ("file", "/x/mnist.npz", "digit"),
     ("fashion-mnist", None, "plain"), ("file", "/x/fashion", "plain"), ("imdb", None, "plain")],
)  # fmt: skip
def test_an_old_runs_preparation_follows_its_dataset(dataset, path, expected):
    assert preparation_for(dataset, path) == expected


def test_the_encoder_records_its_preparation_and_an_old_one_has_none():
    for preparation in PREPARATIONS:
        saved = ImageEncoder(preparation=preparation).to_dict()
        assert encoder_from_dict(saved).preparation == preparation == saved["preparation"]
    assert encoder_from_dict({"kind": "image", "shape": [28, 28, 1]}).preparation is None
    with pytest.raises(DataError, match="preparation='mnist'"):
        encoder_from_dict({"kind": "image", "shape": [28, 28, 1], "preparation": "mnist"})


# -- which files are images -------------------------------------------------------------------------------
def test_a_folder_gives_its_image_files_in_name_order(tmp_path):
    for name in ("b.png", "a.JPG", "notes.txt", "c.pgm"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub.png").mkdir()
    single = tmp_path / "notes.txt"  # a file named on its own is read, whatever its name
    assert image_paths([tmp_path, single]) == [tmp_path / n for n in ("a.JPG", "b.png", "c.pgm", "notes.txt")]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="holds no image files"):
        image_paths([empty])
    with pytest.raises(DataError, match="does not exist"):
        image_paths([tmp_path / "gone.png"])


@pytest.mark.timeout(20)
def test_a_fifo_is_refused_never_opened(tmp_path):
    """Opening a FIFO for reading waits for a writer: it must be refused from its type alone."""
    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    for read in (lambda: image_paths([fifo]), lambda: read_image(fifo)):
        with pytest.raises(DataError, match="not a regular file"):
            read()
    with pytest.raises(DataError, match="is a folder"):
        read_image(tmp_path)
