"""What do probes and gradient flow cost? Each of the lessons' offline presets trained by seqtui's runner

  (a) without them: no probes, --no-grad-flow;
  (b) with them: three probes (sentences, or digits from the test set for image models; none for the
      forecasters, which have no classes) and the gradient flow on its fixed batch.

Prints, per preset, the median epoch time of each after the first epoch (the first also pays for tracing),
the time the watch itself took per epoch (timed inside the callback: steadier than the difference of two
wall times on a shared VM) as a share of an epoch, and the first epoch's watch, which traces the compiled
gradient function once. Goal: at most 2% of an epoch.
Usage: python bench/probe_overhead.py [--presets topics-en-lstm,digits-cnn] [--epochs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from seqtui.core.config.presets import PRESETS  # noqa: E402
from seqtui.core.config.run_config import RunConfig, with_overrides  # noqa: E402
from seqtui.core.training import epoch_watch  # noqa: E402
from seqtui.core.training.events import EpochEnded  # noqa: E402
from seqtui.core.training.runner import train  # noqa: E402
from seqtui.datasets.registry import load_dataset  # noqa: E402

DEFAULT = "topics-en-lstm,topics-ko-lstm,digits-mlp,digits-cnn,memory-simple-rnn,memory-lstm"
SENTENCES = ("the team won the final match", "stocks fell sharply today", "오늘 경기에서 우리 팀이 이겼다")


def probes_for(config: RunConfig, folder: Path) -> dict[str, object]:
    """Three probes the preset's model reads: sentences for text, test digits saved as PNG for images."""
    data = load_dataset(config.data)
    if data.task not in ("binary", "multiclass"):
        return {}
    if data.input_kind != "image":
        return {"probes": SENTENCES}
    from PIL import Image

    paths = []
    for n in range(3):
        path = folder / f"probe-{n}.png"
        pixels = np.asarray(data.x_test[n]).reshape(28, 28)
        Image.fromarray((pixels * 255 if pixels.max() <= 1 else pixels).astype("uint8")).save(path)
        paths.append(str(path))
    return {"probe_images": tuple(paths)}


class Timed:
    """EpochWatch.on_epoch_end, timed."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._inner = epoch_watch.EpochWatch.on_epoch_end

    def __enter__(self) -> Timed:
        inner, seconds = self._inner, self.seconds

        def timed(watch: epoch_watch.EpochWatch, epoch: int, logs: dict | None = None) -> None:
            began = time.perf_counter()
            inner(watch, epoch, logs)
            seconds.append(time.perf_counter() - began)

        epoch_watch.EpochWatch.on_epoch_end = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        epoch_watch.EpochWatch.on_epoch_end = self._inner  # type: ignore[method-assign]


def epoch_seconds(config: RunConfig) -> list[float]:
    events: list[EpochEnded] = []
    with tempfile.TemporaryDirectory() as runs:
        train(config, lambda e: events.append(e) if isinstance(e, EpochEnded) else None, runs_dir=runs,
              tensorboard=False)  # fmt: skip
    return [e.seconds for e in events]


def measure(name: str, epochs: int) -> str:
    base = with_overrides(PRESETS[name].config, epochs=epochs, patience=0)
    with tempfile.TemporaryDirectory() as scratch:
        watched = with_overrides(base, grad_flow=True, **probes_for(base, Path(scratch)))
        without = epoch_seconds(with_overrides(base, grad_flow=False))
        with Timed() as timed:
            with_watch = epoch_seconds(watched)
    a, b = statistics.median(without[1:]), statistics.median(with_watch[1:])
    watch = statistics.median(timed.seconds[1:]) if len(timed.seconds) > 1 else timed.seconds[0]
    probes = len(watched.train.probes) + len(watched.train.probe_images)
    return (
        f"| {name} | {probes} | {a:.2f} / {b:.2f} | {watch * 1000:.0f} ms | {watch / a:.2%} | "
        f"{timed.seconds[0]:.2f} s of {with_watch[0]:.1f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=DEFAULT)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
          f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}")  # fmt: skip
    print(
        "| preset | probes | epoch s without / with | watch per epoch | watch / epoch | first epoch: watch "
        "(tracing) of epoch |"
    )
    print("|---|---|---|---|---|---|")
    for name in args.presets.split(","):
        print(measure(name, args.epochs), flush=True)


if __name__ == "__main__":
    main()
