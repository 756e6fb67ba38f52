"""Does seqtui's runner slow training? The same model on the same synthetic data, trained by

  (a) a bare Keras script: model.fit(verbose=0) with validation data, nothing else;
  (b) seqtui's runner: event bridge, EarlyStopping, TerminateOnNaN, run folder with history.csv,
      last.keras and model.keras written every epoch, and an observer receiving every event.

Prints training samples/s of each (median of the repeats, runs interleaved) and their ratio.
Goal: ratio >= 0.98. Usage: python bench/bridge_overhead.py [--arch lstm] [--epochs 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from seqtui.core.architectures import InputSpec  # noqa: E402
from seqtui.core.backend import import_keras  # noqa: E402
from seqtui.core.config import DataConfig, ModelConfig, RunConfig, TrainConfig  # noqa: E402
from seqtui.core.events import EpochEnded  # noqa: E402
from seqtui.core.modeling import compiled_model  # noqa: E402
from seqtui.core.runner import train  # noqa: E402
from seqtui.datasets.base import Dataset, TextEncoder  # noqa: E402
from seqtui.datasets.tokenizer import Tokenizer  # noqa: E402


def synthetic(n: int, maxlen: int, vocab: int) -> Dataset:
    """Token sequences whose label depends on the words in them (so the model has something to learn)."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, vocab, (n, maxlen)).astype("int32")
    y = (np.mean(x < vocab // 2, axis=1) > 0.5).astype("int32")
    cut_val, cut_test = int(n * 0.8), int(n * 0.9)
    encoder = TextEncoder(Tokenizer(), maxlen)
    return Dataset(
        "synthetic", "binary", "tokens", x[:cut_val], y[:cut_val], x[cut_val:cut_test], y[cut_val:cut_test],
        x[cut_test:], y[cut_test:], encoder, ["neg", "pos"],
    )  # fmt: skip


def rate(samples: int, epoch_seconds: list[float]) -> float:
    """Samples/s over the epochs after the first (which also pays for graph tracing)."""
    timed = epoch_seconds[1:] or epoch_seconds
    return samples * len(timed) / sum(timed)


def bare_keras(config: RunConfig, data: Dataset) -> float:
    """Samples/s of a plain model.fit: the baseline a Keras user would write."""
    keras = import_keras()
    seconds: list[float] = []

    class EpochClock(keras.callbacks.Callback):  # epoch hooks only: the batch loop stays untouched
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    keras.utils.set_random_seed(config.train.seed)
    model = compiled_model(config, InputSpec("tokens", data.input_shape, config.data.vocab_size), "binary", 1)
    model.fit(
        data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
        epochs=config.train.epochs, batch_size=config.train.batch_size, verbose=0, callbacks=[EpochClock()],
    )  # fmt: skip
    return rate(len(data.x_train), seconds)


def seqtui_runner(config: RunConfig, data: Dataset) -> float:
    """Samples/s of the same fit through seqtui's runner (epoch times include checkpoint writes)."""
    seconds: list[float] = []

    def observer(event: object) -> None:
        if isinstance(event, EpochEnded):
            seconds.append(event.seconds)

    with tempfile.TemporaryDirectory() as runs:
        train(config, observer, runs_dir=runs, data=data)
    return rate(len(data.x_train), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="lstm")
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = RunConfig(
        DataConfig("file", vocab_size=5000, maxlen=100),
        ModelConfig(args.arch, embedding_dim=32, units=32),
        TrainConfig(epochs=args.epochs, batch_size=args.batch_size, patience=0),
        preset="bench",
    )
    data = synthetic(args.samples, 100, 5000)
    keras = import_keras()
    print(f"machine: {platform.machine()} {os.cpu_count()} cpus, {platform.platform()}")
    print(
        f"keras {keras.__version__} on {keras.backend.backend()}; {args.arch}, {len(data.x_train)} samples, "
        f"{args.epochs} epochs, batch {args.batch_size}"
    )
    bare_keras(config, data)  # warm-up: graph tracing and thread pools
    bare, ours = [], []
    for i in range(args.repeats):
        bare.append(bare_keras(config, data))
        ours.append(seqtui_runner(config, data))
        print(f"repeat {i + 1}: bare {bare[-1]:,.0f} samples/s, seqtui {ours[-1]:,.0f} samples/s")
    b, s = statistics.median(bare), statistics.median(ours)
    print(f"median: bare {b:,.0f} samples/s, seqtui {s:,.0f} samples/s, ratio {s / b:.3f} (goal >= 0.98)")


if __name__ == "__main__":
    main()
