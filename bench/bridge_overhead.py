"""Does seqtui's runner slow training? The same model on the same synthetic data, trained by

  (a) a bare Keras script: model.fit(verbose=0) with validation data, nothing else;
  (b) seqtui's runner: event bridge, EarlyStopping, TerminateOnNaN, run folder with history.csv,
      last.keras and model.keras written every epoch, and an observer receiving every event.

Prints training samples/s of each (median of the repeats, runs interleaved) and their ratio, and the
process CPU time per 1,000 samples (steadier than wall time on a shared VM, where steal time moves
samples/s by +-20% between identical runs). Goal: ratio >= 0.98. Usage: python bench/bridge_overhead.py [--arch lstm] [--epochs 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig  # noqa: E402
from seqtui.core.hardware.backend import import_keras  # noqa: E402
from seqtui.core.model.architectures import InputSpec  # noqa: E402
from seqtui.core.model.building import compiled_model  # noqa: E402
from seqtui.core.training.events import EpochEnded  # noqa: E402
from seqtui.core.training.runner import train  # noqa: E402
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


def cpu_per_1000(samples: int, cpu_marks: list[float]) -> float:
    """Process CPU seconds per 1,000 samples between the first and the last epoch end."""
    return (cpu_marks[-1] - cpu_marks[0]) / (samples * (len(cpu_marks) - 1)) * 1000


def bare_keras(config: RunConfig, data: Dataset) -> tuple[float, float]:
    """Samples/s (and CPU s per 1,000 samples) of a plain model.fit: the baseline a Keras user writes."""
    keras = import_keras()
    seconds: list[float] = []
    cpu: list[float] = []

    class EpochClock(keras.callbacks.Callback):  # epoch hooks only: the batch loop stays untouched
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)
            cpu.append(time.process_time())

    keras.utils.set_random_seed(config.train.seed)
    model = compiled_model(config, InputSpec("tokens", data.input_shape, config.data.vocab_size), "binary", 1)
    model.fit(
        data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
        epochs=config.train.epochs, batch_size=config.train.batch_size, verbose=0, callbacks=[EpochClock()],
    )  # fmt: skip
    return rate(len(data.x_train), seconds), cpu_per_1000(len(data.x_train), cpu)


def epoch_clock() -> tuple[Callable[[object], None], list[float], list[float]]:
    """An observer that keeps each epoch's seconds and the process's CPU time at its end, and those lists."""
    seconds: list[float] = []
    cpu: list[float] = []

    def observer(event: object) -> None:
        if isinstance(event, EpochEnded):
            seconds.append(event.seconds)
            cpu.append(time.process_time())

    return observer, seconds, cpu


def seqtui_runner(config: RunConfig, data: Dataset) -> tuple[float, float]:
    """The same through seqtui's runner (epoch times include the checkpoint writes)."""
    observer, seconds, cpu = epoch_clock()
    with tempfile.TemporaryDirectory() as runs:
        train(config, observer, runs_dir=runs, data=data)
    return rate(len(data.x_train), seconds), cpu_per_1000(len(data.x_train), cpu)


def bench_setup(args: argparse.Namespace) -> tuple[RunConfig, Dataset]:
    """The benchmarks' run (--arch, --epochs, --batch-size) on --samples synthetic rows, after a line saying
    which machine and Keras measure it."""
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
    return config, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="lstm")
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config, data = bench_setup(args)
    bare_keras(config, data)  # warm-up: graph tracing and thread pools
    bare, ours = [], []
    for i in range(args.repeats):
        first, second = (bare_keras, seqtui_runner) if i % 2 == 0 else (seqtui_runner, bare_keras)
        results = {first: first(config, data), second: second(config, data)}
        bare.append(results[bare_keras])
        ours.append(results[seqtui_runner])
        print(
            f"repeat {i + 1}: bare {bare[-1][0]:,.0f} samples/s ({bare[-1][1]:.3f} cpu s/1k), "
            f"seqtui {ours[-1][0]:,.0f} samples/s ({ours[-1][1]:.3f} cpu s/1k)"
        )
    b, s = statistics.median(r[0] for r in bare), statistics.median(r[0] for r in ours)
    bc, sc = statistics.median(r[1] for r in bare), statistics.median(r[1] for r in ours)
    print(f"median: bare {b:,.0f} samples/s, seqtui {s:,.0f} samples/s, ratio {s / b:.3f} (goal >= 0.98)")
    print(f"median CPU per 1,000 samples: bare {bc:.3f} s, seqtui {sc:.3f} s, ratio {bc / sc:.3f}")


if __name__ == "__main__":
    main()
