"""How fast do the lessons' models train here, on whatever backend and devices are present? For each preset
(reuters-lstm, imdb-cnn-lstm, imdb-lstm, mnist-cnn), on synthetic data of the preset's real shapes:
  (a) a bare Keras script written like the lessons: the same model, model.fit with the lesson's batch,
      float32, no fused steps;
  (b) seqtui's runner with its defaults for this device (precision, fused steps, run folder, events);
  (c) where PyTorch is installed, a hand-written PyTorch loop with nn.LSTM (cuDNN on a GPU), recurrent
      presets only.
Reports steady samples/s (the epochs after the first) and seconds to the end of the first epoch (start-up,
tracing and compilation included). With --data mnist.npz (Keras' MNIST file), mnist-cnn also trains on real
MNIST and reports the seconds to 0.992 test accuracy for (a) and (b).

Each backend runs in its own process (Keras' backend is fixed at import):
  python bench/gpu.py                           # every installed backend, full sizes
  python bench/gpu.py --backends tensorflow --samples 2000 --epochs 2   # a quick CPU check
Prints one JSON line per measurement and a table at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

PRESETS = ("reuters-lstm", "imdb-cnn-lstm", "imdb-lstm", "mnist-cnn")
TARGET_ACCURACY = 0.992


def synthetic(preset: str, n: int) -> Any:
    """A Dataset of the preset's real shapes (token ids up to its vocabulary, 28x28 images) and classes."""
    from seqtui.core.config.presets import get_preset
    from seqtui.datasets.base import Dataset, ImageEncoder, TextEncoder
    from seqtui.datasets.registry import get_dataset
    from seqtui.datasets.tokenizer import Tokenizer

    config = get_preset(preset).config
    info = get_dataset(config.data.dataset)
    classes = info.classes or 2
    rng = np.random.default_rng(0)
    if info.input_kind == "image":
        x = rng.random((n, 28, 28, 1), dtype=np.float32)
        encoder: Any = ImageEncoder()
    else:
        x = rng.integers(1, config.data.vocab_size, (n, config.data.maxlen)).astype("int32")
        encoder = TextEncoder(Tokenizer(), config.data.maxlen)
    y = rng.integers(0, classes, n).astype("int32")
    task = "binary" if classes == 2 else "multiclass"
    cut = int(n * 0.9)
    names = [str(i) for i in range(classes)]
    return Dataset(preset, task, info.input_kind, x[:cut], y[:cut], x[cut:], y[cut:], x[cut:], y[cut:], encoder, names)  # fmt: skip


def real_mnist(path: str) -> Any:
    """Keras' mnist.npz, test set as the validation data (the accuracy the lesson reports)."""
    from seqtui.datasets.base import Dataset, ImageEncoder

    with np.load(path, allow_pickle=False) as f:
        enc = ImageEncoder()
        xtr, ytr, xte, yte = enc.encode(f["x_train"]), f["y_train"], enc.encode(f["x_test"]), f["y_test"]
    names = [str(i) for i in range(10)]
    return Dataset("mnist", "multiclass", "image", xtr, ytr, xte, yte, xte, yte, enc, names)


def steady(samples: int, seconds: list[float]) -> float:
    timed = seconds[1:] or seconds
    return samples * len(timed) / sum(timed)


def bare_keras(preset: str, data: Any, epochs: int, target: float | None = None) -> dict[str, float]:
    """The lesson's way: build, compile, model.fit(batch_size=the lesson's), verbose=0."""
    from seqtui.core.config.presets import get_preset
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.model.building import compiled_model, spec_from_dataset

    keras = import_keras()
    config = get_preset(preset).config
    seconds: list[float] = []
    reached: list[float] = []
    start = time.perf_counter()

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seconds.append(time.perf_counter() - self.t)
            if target and not reached and (logs or {}).get("val_accuracy", 0) >= target:
                reached.append(time.perf_counter() - start)
                self.model.stop_training = True

    keras.utils.set_random_seed(config.train.seed)
    model = compiled_model(config, *spec_from_dataset(config, data))
    model.fit(
        data.x_train, data.y_train, validation_data=(data.x_val, data.y_val), epochs=epochs,
        batch_size=config.train.batch_size, verbose=0, callbacks=[Clock()],
    )  # fmt: skip
    first = time.perf_counter() - start - sum(seconds[1:])
    out = {"samples_per_s": steady(len(data.x_train), seconds), "first_epoch_s": first}
    if target:
        out["seconds_to_target"] = reached[0] if reached else float("nan")
    return out


def seqtui_runner(preset: str, data: Any, epochs: int, target: float | None = None) -> dict[str, Any]:
    """seqtui's runner with its defaults (early stopping off, so every epoch is timed)."""
    from seqtui.core.config.presets import get_preset
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.training.events import EpochEnded, RunStarted
    from seqtui.core.training.runner import train

    config = with_overrides(get_preset(preset).config, epochs=epochs, patience=0)
    seconds: list[float] = []
    marks: list[float] = []
    setup: dict[str, Any] = {}
    start = time.perf_counter()

    def observer(event: Any) -> None:
        if isinstance(event, RunStarted):
            setup.update(precision=event.precision, fused=event.steps_per_execution, devices=event.devices)
        elif isinstance(event, EpochEnded):
            seconds.append(event.seconds)
            marks.append(time.perf_counter() - start)
            if target and "seconds_to_target" not in setup and event.logs.get("val_accuracy", 0) >= target:
                setup["seconds_to_target"] = marks[-1]

    with tempfile.TemporaryDirectory() as runs:
        train(config, observer, runs_dir=runs, data=data)
    out = {"samples_per_s": steady(len(data.x_train), seconds), "first_epoch_s": marks[0], **setup}
    if target:
        out.setdefault("seconds_to_target", float("nan"))
    return out


def torch_lstm(preset: str, data: Any, epochs: int) -> dict[str, float] | None:
    """A hand-written PyTorch loop: Embedding, nn.LSTM (cuDNN on a GPU), Linear; Adam, cross-entropy."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch
    from torch import nn

    from seqtui.core.config.presets import get_preset

    config = get_preset(preset).config
    if config.model.arch != "lstm":
        return None
    device = "cuda" if torch.cuda.is_available() else "cpu"
    classes = max(data.num_classes, 2)
    m = config.model

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(config.data.vocab_size, m.embedding_dim)
            self.lstm = nn.LSTM(m.embedding_dim, m.units, batch_first=True)
            self.head = nn.Linear(m.units, classes)

        def forward(self, x: Any) -> Any:
            _, (h, _) = self.lstm(self.embed(x))
            return self.head(h[-1])

    torch.manual_seed(0)
    net = Net().to(device)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.as_tensor(data.x_train, dtype=torch.long, device=device)
    y = torch.as_tensor(data.y_train, dtype=torch.long, device=device)
    batch = config.train.batch_size
    seconds = []
    start = time.perf_counter()
    for _ in range(epochs):
        t = time.perf_counter()
        order = torch.randperm(len(x), device=device)
        for i in range(0, len(x), batch):
            idx = order[i : i + batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(net(x[idx]), y[idx]).backward()
            opt.step()
        if device == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - t)
    first = time.perf_counter() - start - sum(seconds[1:])
    return {"samples_per_s": steady(len(x), seconds), "first_epoch_s": first, "device": device}


def child(args: argparse.Namespace) -> None:
    """One backend, every preset: JSON lines on stdout."""
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.hardware.devices import describe_devices

    backend = args.backends[0]
    keras = import_keras(backend)
    devices = str(describe_devices(keras))
    for preset in args.presets:
        data = synthetic(preset, args.samples)
        runs = [("bare keras", bare_keras), ("seqtui", seqtui_runner), ("torch loop", torch_lstm)]
        for name, run in runs:
            if name == "torch loop" and backend != args.torch_with:
                continue  # once, with the first backend
            result = run(preset, data, args.epochs)
            if result is not None:
                print(
                    json.dumps({"preset": preset, "way": name, "backend": backend, "on": devices, **result})
                )
                sys.stdout.flush()
        if preset == "mnist-cnn" and args.data:
            mnist = real_mnist(args.data)
            for name, run in (("bare keras", bare_keras), ("seqtui", seqtui_runner)):
                result = run(preset, mnist, args.target_epochs, TARGET_ACCURACY)
                row = {"preset": "mnist-cnn (real, to 0.992)", "way": name, "backend": backend, "on": devices}
                print(json.dumps({**row, **result}))
                sys.stdout.flush()


def installed_backends() -> list[str]:
    found = [b for b in ("jax", "tensorflow", "torch") if importlib.util.find_spec(b) is not None]
    return found or ["tensorflow"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="*", default=None, help="default: every installed one")
    parser.add_argument("--presets", nargs="*", default=list(PRESETS))
    parser.add_argument("--samples", type=int, default=20_000, help="synthetic training samples per preset")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--data", help="Keras' mnist.npz: also time mnist-cnn to 0.992 test accuracy")
    parser.add_argument("--target-epochs", type=int, default=30, help="most epochs to reach 0.992")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--torch-with", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    backends = args.backends or installed_backends()
    rows = []
    for backend in backends:
        cmd = [sys.executable, __file__, "--child", "--backends", backend, "--torch-with", backends[0],
               "--presets", *args.presets, "--samples", str(args.samples), "--epochs", str(args.epochs),
               "--target-epochs", str(args.target_epochs)]  # fmt: skip
        if args.data:
            cmd += ["--data", args.data]
        env = {**os.environ, "KERAS_BACKEND": backend, "SEQTUI_BACKEND": backend}
        with (
            tempfile.TemporaryFile("w+") as log,
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env) as child_run,
        ):
            assert child_run.stdout is not None
            for line in child_run.stdout:  # streamed: a run cut short keeps its finished rows
                if line.startswith("{"):
                    rows.append(json.loads(line))
                    print(line, end="", flush=True)
            child_run.wait()
            log.seek(0)
            errors = log.read()
        if child_run.returncode != 0:
            print(f"{backend}: failed\n{errors[-2000:]}", file=sys.stderr)
    from importlib import metadata

    versions = {d: metadata.version(d) for d in ("keras", "jax", "tensorflow-cpu", "tensorflow", "torch")
                if importlib.util.find_spec(d.split("-")[0]) and _has(d)}  # fmt: skip
    print(f"\n{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, {versions}; {args.samples} samples, {args.epochs} epochs")  # fmt: skip
    print("| preset | way | backend on devices | samples/s (steady) | first epoch s | to 0.992 s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        extra = f" ({r['precision']}, {r['fused']} per call)" if "fused" in r else ""
        target = f"{r['seconds_to_target']:.1f}" if "seconds_to_target" in r else "-"
        on = r.get("device", r["on"]) if r["way"] == "torch loop" else r["on"]
        print(f"| {r['preset']} | {r['way']}{extra} | {on} | {r['samples_per_s']:,.0f} | "
              f"{r['first_epoch_s']:.1f} | {target} |")  # fmt: skip


def _has(dist: str) -> bool:
    from importlib import metadata

    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
