"""The training runner: config in, events out, a complete run folder left behind.

`train()` starts a run, `resume()` continues one. Both return the final `RunEnded` event (also sent to the
observer). Bad configs and data raise `ConfigError`/`DataError` before any run folder is created.
"""

from __future__ import annotations

import errno
import math
import platform
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from seqtui.core.backend import import_keras
from seqtui.core.config import Problem, RunConfig, validate
from seqtui.core.events import LogMessage, Observer, RunEnded, RunStarted
from seqtui.core.modeling import compiled_model, spec_from_dataset
from seqtui.core.runs import BEST, ENCODER, LAST, METRICS, RunFolder, RunFolderError, atomic_write_json, utc_now
from seqtui.core.settings import Settings
from seqtui.datasets.base import Dataset
from seqtui.datasets.registry import DATASET_NAMES, get_dataset, load_dataset


class ConfigError(Exception):
    """Invalid settings; `problems` lists every one with its field name."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def check_config(config: RunConfig) -> None:
    """Raise ConfigError with every problem at once (no TensorFlow imported)."""
    problems = validate(config, DATASET_NAMES)
    if not problems and config.data.dataset in DATASET_NAMES:
        problems += compatibility_problems(config)
    if problems:
        raise ConfigError(problems)


def compatibility_problems(config: RunConfig) -> list[Problem]:
    """Architecture vs input kind (known from the registry without loading data)."""
    kind = get_dataset(config.data.dataset).input_kind
    arch = config.model.arch
    if arch == "cnn2d" and kind in ("tokens", "series"):
        return [Problem("arch", f"cnn2d needs images; {config.data.dataset} is {kind}. Try lstm or conv1d.")]
    if arch in ("conv1d", "cnn_lstm") and kind == "image":
        return [Problem("arch", f"{arch} reads sequences; for images use cnn2d, mlp or a recurrent arch.")]
    return []


def _versions(backend: str) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("seqtui", "keras", "numpy", backend if backend != "torch" else "torch", "tensorflow-cpu"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


@dataclass
class _Session:
    """What one fit needs: the folder, data, model and bookkeeping."""

    config: RunConfig
    folder: RunFolder
    data: Dataset
    model: Any
    history: list[dict[str, float]]
    initial_epoch: int
    epochs: int


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> list[list[int]]:
    matrix = np.zeros((n, n), dtype=int)
    np.add.at(matrix, (y_true.astype(int), y_pred.astype(int)), 1)
    return matrix.tolist()


def _evaluate(keras: Any, s: _Session, batch_size: int) -> tuple[dict[str, float], list[list[int]] | None]:
    """Test metrics of the best checkpoint (or of the current model if none was saved)."""
    best = s.folder.file(BEST)
    model = keras.models.load_model(best, safe_mode=True) if best.exists() else s.model
    raw = model.evaluate(s.data.x_test, s.data.y_test, batch_size=batch_size, verbose=0, return_dict=True)
    metrics = {k: float(v) for k, v in raw.items()}
    confusion = None
    if s.data.task in ("binary", "multiclass") and len(s.data.x_test):
        probs = model.predict(s.data.x_test, batch_size=batch_size, verbose=0)
        pred = (probs[:, 0] > 0.5).astype(int) if s.data.task == "binary" else probs.argmax(axis=1)
        confusion = _confusion(s.data.y_test.reshape(-1), pred, max(s.data.num_classes, 2))
    return metrics, confusion


def _fit(s: _Session, observer: Observer, cancel: threading.Event, settings: Settings) -> RunEnded:
    keras = import_keras()
    from seqtui.core.callbacks import AsyncTerminateOnNaN, EventBridge, RunRecorder

    t = s.config.train
    recorder = RunRecorder(s.folder, s.history, cancel)
    bridge = EventBridge(
        observer, t.batch_size, len(s.data.x_train), cancel, recorder, 1.0 / settings.batch_events_per_s
    )
    callbacks = [AsyncTerminateOnNaN(), recorder, bridge]
    if t.patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=t.patience))
    steps = math.ceil(len(s.data.x_train) / t.batch_size)
    monitor = "mae" if s.data.task == "regression" else "accuracy"
    observer(
        RunStarted(
            str(s.folder.path), s.config.name, s.epochs, s.initial_epoch, steps, len(s.data.x_train),
            int(s.model.count_params()), s.data.task, monitor,
        )
    )
    for note in s.data.notes:
        observer(LogMessage(note, "warning"))
    s.folder.mark_running(s.epochs, s.initial_epoch)
    status, message = "completed", ""
    test_metrics: dict[str, float] = {}
    confusion = None
    try:
        s.model.fit(
            s.data.x_train,
            s.data.y_train,
            validation_data=(s.data.x_val, s.data.y_val),
            epochs=s.epochs,
            initial_epoch=s.initial_epoch,
            batch_size=t.batch_size,
            shuffle=True,
            verbose=0,
            callbacks=callbacks,
        )
        if recorder.diverged:
            status = "diverged"
            message = (
                "the loss became NaN or infinite; the last good checkpoint is kept. "
                f"Lower the learning rate (e.g. --learning-rate {(t.learning_rate or 1e-3) / 10:g}) and resume or retrain."
            )
        elif cancel.is_set():
            status = "interrupted"
        else:
            test_metrics, confusion = _evaluate(keras, s, t.batch_size)
            atomic_write_json(s.folder.file(METRICS), {**test_metrics, **{f"baseline_{k}": v for k, v in s.data.baseline.items()}})
    except KeyboardInterrupt:
        status = "interrupted"
    except OSError as exc:
        status = "failed"
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        message = f"could not save to {s.folder.path}: {reason}. Earlier checkpoints are intact; free space and resume."
    except Exception as exc:  # noqa: BLE001 - any training error becomes a failed run with its reason
        status = "failed"
        message = f"{type(exc).__name__}: {exc}".strip()
    if status == "interrupted":
        message = f"stopped by request; resume with: seqtui train --resume {s.folder.path}"
    epochs_done = len(s.history)
    try:
        s.folder.update_status(status=status, ended=utc_now(), epochs_done=epochs_done, message=message)
    except OSError:
        pass  # the disk may still be full; run.json keeps its last good state
    end = RunEnded(
        status, str(s.folder.path), epochs_done, test_metrics, message, confusion, s.data.class_names, s.data.baseline
    )
    observer(end)
    return end


def _prepare(config: RunConfig, backend: str | None) -> tuple[Any, Dataset]:
    data = load_dataset(config.data)
    keras = import_keras(backend)
    return keras, data


def train(
    config: RunConfig,
    observer: Observer,
    cancel: threading.Event | None = None,
    runs_dir: str | Path | None = None,
    backend: str | None = None,
    data: Dataset | None = None,
) -> RunEnded:
    """Train a new run. Raises ConfigError, DataError, RunFolderError or BackendError before it starts.

    `data` passes a dataset already in memory (programmatic use, benchmarks) instead of loading one.
    """
    check_config(config)
    settings = Settings.from_env()
    root = Path(runs_dir) if runs_dir else settings.runs_dir
    from seqtui.core.runs import check_writable

    check_writable(root)
    if data is None:
        keras, data = _prepare(config, backend or settings.backend)
    else:
        keras = import_keras(backend or settings.backend)
    keras.utils.set_random_seed(config.train.seed)
    spec, task, outputs = spec_from_dataset(config, data)
    model = compiled_model(config, spec, task, outputs)
    folder = RunFolder.create(root, config.name)
    folder.write_config(
        config,
        {
            "seed": config.train.seed,
            "backend": keras.backend.backend(),
            "versions": _versions(keras.backend.backend()),
            "task": task,
            "input_kind": data.input_kind,
            "class_names": data.class_names,
            "samples": data.samples,
        },
    )
    atomic_write_json(folder.file(ENCODER), data.encoder.to_dict())
    session = _Session(config, folder, data, model, [], 0, config.train.epochs)
    return _fit(session, observer, cancel or threading.Event(), settings)


def resume(
    run_dir: str | Path,
    observer: Observer,
    cancel: threading.Event | None = None,
    epochs: int | None = None,
    backend: str | None = None,
) -> RunEnded:
    """Continue a run from its last completed epoch with the same config, optimizer state and history."""
    folder = RunFolder.open(run_dir)
    config = folder.read_config()
    state = folder.read_json("run.json")
    history = folder.read_history()
    total = epochs or int(state.get("epochs") or config.train.epochs)
    if len(history) >= total:
        raise RunFolderError(
            f"{folder.path} has already trained {len(history)} of {total} epochs; "
            f"pass --epochs N with N above {len(history)} to train longer"
        )
    if folder.status == "running":
        raise RunFolderError(f"{folder.path} is still being trained by process {state.get('pid')}")
    settings = Settings.from_env()
    keras, data = _prepare(config, backend or settings.backend)
    keras.utils.set_random_seed(config.train.seed + len(history))
    last = folder.file(LAST)
    if last.exists():
        model = keras.models.load_model(last, safe_mode=True)
    else:
        spec, task, outputs = spec_from_dataset(config, data)
        model = compiled_model(config, spec, task, outputs)
    session = _Session(config, folder, data, model, history, len(history), total)
    return _fit(session, observer, cancel or threading.Event(), settings)
