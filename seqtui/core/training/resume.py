"""Resuming a run: `plan_resume()` checks, without TensorFlow and before anything in the folder changes,
that a run can go on and how far; `resume()` continues it from its last completed epoch with the same
config, optimizer state and history (training itself is `runner.fit`, the code a new run trains with).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqtui.common.text import plural
from seqtui.core.config.errors import Cancelled, ConfigError
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.config.settings import Settings
from seqtui.core.config.validation import validate
from seqtui.core.hardware.acceleration import plan_hardware
from seqtui.core.hardware.backend import resolve_backend
from seqtui.core.hardware.cluster import scratch_for
from seqtui.core.model.building import compiled_model, spec_from_dataset
from seqtui.core.model.checks import compatibility_problems, data_source_problems
from seqtui.core.model.pretrained import pretrained_vectors
from seqtui.core.model.saved_checks import architecture_mismatch
from seqtui.core.runs.folder import CONFIG, ENCODER, LAST, RUN, RunFolder, RunFolderError
from seqtui.core.runs.lock import check_unlocked, training_lock
from seqtui.core.runs.progress import checked_progress
from seqtui.core.training.events import Observer, RunEnded
from seqtui.core.training.runner import fit
from seqtui.core.training.session import Session, prepare, quiet, run_settings
from seqtui.datasets.fingerprint import data_fingerprint
from seqtui.datasets.registry import DATASET_NAMES

__all__ = ["ResumePlan", "moved_data", "plan_resume", "resume", "same_vectors"]


@dataclass(frozen=True)
class ResumePlan:
    """What a resume continues: checked without TensorFlow, before anything in the folder changes."""

    folder: RunFolder
    config: RunConfig
    history: list[dict[str, float]]
    epochs: int
    changes: dict[str, Any]
    """Training settings the resume changes (epochs, learning_rate, patience)."""


def plan_resume(
    run_dir: str | Path,
    epochs: int | None = None,
    learning_rate: float | None = None,
    patience: int | None = None,
    runs_dir: str | Path | None = None,
    check_lock: bool = True,
    data: str | Path | None = None,
) -> ResumePlan:
    """Check that a run can go on, and how far; RunFolderError/ConfigError say why not.

    `check_lock=False` when the caller holds the folder's training lock itself."""
    folder = RunFolder.open(run_dir, runs_dir)
    if check_lock:
        check_unlocked(folder.path)
    state = folder.read_json(RUN)
    status = folder.status
    if status == "running":
        raise RunFolderError(
            f"{folder.path} is still being trained by process {state.get('pid')} on {state.get('host')}; "
            "stop that run first (Ctrl+C there), then resume it"
        )
    asked = dict(epochs=epochs, learning_rate=learning_rate, patience=patience)
    changes = {k: v for k, v in asked.items() if v is not None}
    config = with_overrides(folder.read_config(), **changes)
    if data is not None:
        changes["data_path"] = moved_data(folder, config, data)
        config = with_overrides(config, data_path=changes["data_path"])
    _check_config(folder, config, changes)
    history = checked_progress(folder).history  # the check `seqtui runs` lists damaged runs by
    _check_progress(folder, status, history, epochs)
    total = config.train.epochs  # --epochs when given; config.json keeps the total run.json shows
    return ResumePlan(folder, config, history, total, changes)


def _check_config(folder: RunFolder, config: RunConfig, changes: dict[str, Any]) -> None:
    """The changed settings are valid (ConfigError), the saved ones still are, and the data is still there."""
    problems = validate(config, DATASET_NAMES)
    if any(p.field in changes for p in problems):
        raise ConfigError([p for p in problems if p.field in changes])
    problems += compatibility_problems(config) if not problems else []
    if problems:
        raise RunFolderError(
            f"{folder.path}/config.json is not a valid config any more: {ConfigError(problems)}"
        )
    if data_source_problems(config):
        raise RunFolderError(
            f"the data of {folder.path} is not at {config.data.data_path} any more; pass where it is now with "
            f"--data FILE (checked to be the same data by its SHA-256)"
        )


def _check_progress(
    folder: RunFolder, status: str, history: list[dict[str, Any]], epochs: int | None
) -> None:
    """There are epochs left to train, and the last checkpoint is there (the history is checked whole by
    `checked_progress`)."""
    done = len(history)
    if epochs is not None and epochs <= done:
        raise RunFolderError(
            f"{folder.path} has already trained {plural(done, 'epoch')}; pass --epochs N with N above {done}"
        )
    if status == "completed" and epochs is None:
        raise RunFolderError(
            f"{folder.path} is completed ({plural(done, 'epoch')}). To train it longer: "
            f"seqtui train --resume {folder.path} --epochs N, with N above {done}"
        )
    if done and not folder.file(LAST).exists():
        raise RunFolderError(
            f"{folder.path} lists {plural(done, 'epoch')} but its {LAST} is missing; start a new run"
        )


def same_vectors(folder: RunFolder, config: RunConfig) -> None:
    """The run's --embeddings file holds the vectors it started from (its SHA-256 in config.json). A run
    with a checkpoint goes on without the file (the weights are in it); one without needs the file."""
    path, needed = config.model.embeddings, not folder.file(LAST).exists()
    if not path:
        return
    record = folder.read_json(CONFIG).get("pretrained_vectors")
    saved = record.get("sha256") if isinstance(record, dict) else None
    now = data_fingerprint(path) if Path(path).is_file() else None
    if now is None and needed:
        raise RunFolderError(
            f"{path}, the run's pretrained word vectors, can't be read and {folder.path} has no checkpoint "
            "to go on from; restore the file, or start a new run"
        )
    if now is not None and saved and now != saved:
        raise RunFolderError(
            f"{path} is not the word-vector file {folder.path} started from (its SHA-256 differs from the "
            f"one saved in {folder.file(CONFIG)}); restore the original file, or start a new run"
        )


def moved_data(folder: RunFolder, config: RunConfig, data: str | Path) -> str:
    """The absolute path of --data given on resume, when it holds the bytes the run was trained on."""
    path = os.path.abspath(os.path.expanduser(str(data)))
    if not config.data.data_path:
        raise RunFolderError(f"{folder.path} trains on {config.data.dataset}, not on a file; drop --data")
    saved = folder.read_json(CONFIG).get("data_sha256")
    now = data_fingerprint(path)
    if now is None:
        raise RunFolderError(f"{path} can't be read; check the path given with --data")
    if saved and saved != now:
        raise RunFolderError(
            f"{path} is not the data this run was trained on (its SHA-256 differs from the one saved in "
            f"{folder.file(CONFIG)}); pass the original file, or start a new run"
        )
    return path


def _differs(saved: Any, now: Any) -> bool:
    """Whether two encoder dicts disagree on what both record (a newer seqtui may record more)."""
    if isinstance(saved, dict) and isinstance(now, dict):
        return any(_differs(saved[k], now[k]) for k in saved.keys() & now.keys())
    return json.dumps(saved, sort_keys=True) != json.dumps(now, sort_keys=True)


def resume(
    run_dir: str | Path,
    observer: Observer,
    cancel: threading.Event | None = None,
    epochs: int | None = None,
    backend: str | None = None,
    learning_rate: float | None = None,
    patience: int | None = None,
    runs_dir: str | Path | None = None,
    tensorboard: bool | None = None,
    mlflow_uri: str | None = None,
    data: str | Path | None = None,
    devices: str | int | None = None,
) -> RunEnded:
    """Continue a run from its last completed epoch with the same config, optimizer state and history.

    `epochs` changes the total (else the original total is kept); `learning_rate` and `patience` change
    those settings from here on (after a divergence, a lower learning rate). A run whose epochs are all
    done but that was stopped before its test evaluation just gets evaluated.
    """
    with training_lock(RunFolder.open(run_dir, runs_dir).path):  # before anything is read for training
        plan = plan_resume(run_dir, epochs, learning_rate, patience, runs_dir, check_lock=False, data=data)
        same_vectors(plan.folder, plan.config)  # --embeddings: the same file, or a checkpoint holding it
        return _resume(plan, observer, cancel, backend, run_settings(tensorboard, mlflow_uri), devices)


def _resume(
    plan: ResumePlan,
    observer: Observer,
    cancel: threading.Event | None,
    backend: str | None,
    settings: Settings,
    devices: str | int | None = None,
) -> RunEnded:
    folder, config = plan.folder, plan.config
    hw_plan = plan_hardware(resolve_backend(backend), devices, config.train.precision)
    cancel = cancel or threading.Event()
    keras, data, hardware, process = prepare(config, hw_plan, cancel, f"{folder.path} is unchanged")
    if _differs(folder.read_json(ENCODER), data.encoder.to_dict()):
        raise RunFolderError(
            f"the data of {folder.path} changed since the run started (its vocabulary or scaling differs); "
            "restore the original data, or start a new run"
        )
    keras.utils.set_random_seed(config.train.seed + len(plan.history))
    fused = hardware.fused_steps(len(data.x_train), config.train.batch_size, settings.steps_per_execution)
    with hardware.scope(keras), scratch_for(process) as scratch:
        if scratch:  # process 0 alone writes the run folder and reports; the others resume a copy
            folder, observer = RunFolder(shutil.copytree(folder.path, scratch / folder.path.name)), quiet
        last = folder.file(LAST)
        vectors = None if last.exists() else pretrained_vectors(config, data, cancel)[0]
        model = compiled_model(config, *spec_from_dataset(config, data), fused, vectors)  # no checkpoint
        if last.exists():
            saved = folder.load_model(LAST, keras)
            problem = architecture_mismatch(saved, model)
            if problem:
                raise RunFolderError(
                    f"{last} is not the model {folder.path}/config.json describes ({problem}); "
                    "the config was edited or the checkpoint comes from another run. Start a new run"
                )
            model = saved
            model.steps_per_execution = fused  # chosen for this machine, not the one that saved it
            if "learning_rate" in plan.changes:  # a lower rate asked for (after a divergence)
                model.optimizer.learning_rate = plan.changes["learning_rate"]
        if cancel.is_set():
            raise Cancelled(f"stopped before training started; {folder.path} is unchanged")
        try:
            folder.remove_temp_files()
            if plan.changes:
                folder.update_config(**plan.changes)
            folder.mark_running(plan.epochs, len(plan.history))
        except OSError as exc:
            raise RunFolderError(f"could not write to {folder.path}: {exc.strerror or exc}") from exc
        session = Session(config, folder, data, model, list(plan.history), plan.epochs, hardware, fused)
        return fit(session, observer, cancel, settings)
