"""What does a run's events.jsonl cost, and does a watcher slow the trainer? The same model on the same
synthetic data, trained by seqtui's runner

  (a) without the event file (its writer swapped for a pass-through, for this measurement only);
  (b) as every run trains: events.jsonl written, batch events at most 2 a second;
  (c) as (b), with two `seqtui watch --json` processes following the run.

Prints the training samples/s of each (median of the repeats, interleaved) and their ratios, and the cost of
one line (`EventFile` called directly). Goal: (b) and (c) within noise of (a).
Usage: python bench/event_file.py [--arch gru] [--epochs 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bridge_overhead import bench_setup, cpu_per_1000, epoch_clock, rate  # noqa: E402

from seqtui.core.config.run_config import RunConfig  # noqa: E402
from seqtui.core.training import event_file  # noqa: E402
from seqtui.core.training.events import BatchEnded, Observer  # noqa: E402
from seqtui.core.training.runner import train  # noqa: E402

SEQTUI = str(Path(sys.executable).with_name("seqtui"))
REAL_WRITER = event_file.EventFile


def pass_through(observer: Observer, folder: Path, *args: object) -> Observer:
    return observer


def watchers_for(runs: Path, count: int) -> list[subprocess.Popen]:
    """`count` watchers of the run about to start under `runs` (each waits for its folder, then follows)."""
    script = (
        "import subprocess, sys, time, pathlib\n"
        "runs = pathlib.Path(sys.argv[1])\n"
        "while not any(runs.iterdir()): time.sleep(0.05)\n"
        "run = next(runs.iterdir())\n"
        "sys.exit(subprocess.run([sys.argv[2], 'watch', str(run), '--json'], stdout=subprocess.DEVNULL).returncode)\n"
    )
    return [subprocess.Popen([sys.executable, "-c", script, str(runs), SEQTUI]) for _ in range(count)]


def runner(config: RunConfig, data: object, mode: str) -> tuple[float, float]:
    """Samples/s (and the trainer's CPU s per 1,000 samples) of one run in `mode`: 'none', 'file' or
    'watched'."""
    observer, seconds, cpu = epoch_clock()
    event_file.EventFile = pass_through if mode == "none" else REAL_WRITER  # type: ignore[assignment,misc]
    with tempfile.TemporaryDirectory() as runs:
        watching = watchers_for(Path(runs), 2) if mode == "watched" else []
        train(config, observer, runs_dir=runs, data=data)  # type: ignore[arg-type]
        for proc in watching:
            assert proc.wait(timeout=60) == 0, "a watcher failed"
    event_file.EventFile = REAL_WRITER  # type: ignore[misc]
    samples = len(data.x_train)  # type: ignore[attr-defined]
    return rate(samples, seconds), cpu_per_1000(samples, cpu)


def line_cost(count: int = 2000) -> float:
    """Microseconds per event line written (open, append, close)."""
    event = BatchEnded(epoch=1, step=1, steps=1, logs={"loss": 0.5, "accuracy": 0.75}, samples_per_s=1e4)
    with tempfile.TemporaryDirectory() as folder:
        writer = REAL_WRITER(lambda e: None, Path(folder), batch_lines_per_s=1e12)
        start = time.perf_counter()
        for _ in range(count):
            writer(event)
        return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", default="gru")
    parser.add_argument("--samples", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config, data = bench_setup(args)
    print(f"one event line: {line_cost():.1f} us")
    runner(config, data, "none")  # warm-up: graph tracing and thread pools
    modes = ["none", "file", "watched"]
    results: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
    for i in range(args.repeats):
        for mode in modes[i % 3 :] + modes[: i % 3]:  # a different one first each repeat
            results[mode].append(runner(config, data, mode))
        print(f"repeat {i + 1}: " + ", ".join(f"{m} {results[m][-1][0]:,.0f} samples/s" for m in modes))
    for unit, k in (("samples/s", 0), ("trainer CPU s per 1k samples", 1)):
        median = {m: statistics.median(r[k] for r in v) for m, v in results.items()}
        print(
            f"median {unit}: none {median['none']:,.3f}, file {median['file']:,.3f} "
            f"(ratio {median['file'] / median['none']:.3f}), watched {median['watched']:,.3f} "
            f"(ratio {median['watched'] / median['none']:.3f})"
        )


if __name__ == "__main__":
    main()
