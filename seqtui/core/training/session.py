"""A run's session: what a new and a resumed run both prepare before training (data, Keras, the cluster and
the devices), the new run's folder, and the `Session` that `runner.fit` trains."""

from __future__ import annotations

import contextlib
import dataclasses
import platform
import shutil
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqtui.core.config.errors import Cancelled
from seqtui.core.config.naming import run_title
from seqtui.core.config.run_config import RunConfig
from seqtui.core.config.settings import Settings
from seqtui.core.hardware.acceleration import Hardware, Plan, open_hardware, split_evenly
from seqtui.core.hardware.backend import import_keras
from seqtui.core.hardware.cluster import shard, start_cluster
from seqtui.core.model.checks import check_config
from seqtui.core.runs.folder import ENCODER, RunFolder, RunFolderError, atomic_write_json
from seqtui.core.training.preflight import check_probes
from seqtui.datasets.base import Dataset
from seqtui.datasets.fingerprint import data_fingerprint
from seqtui.datasets.registry import load_dataset

if TYPE_CHECKING:
    from seqtui.datasets.word_vectors import PretrainedVectors


def _versions(backend: str) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("seqtui", "keras", "numpy", backend, "tensorflow-cpu"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


@dataclass
class Session:
    """What one fit needs: the folder, data, model and bookkeeping."""

    config: RunConfig
    folder: RunFolder
    data: Dataset
    model: Any
    history: list[dict[str, float]]
    """The epochs done so far (empty for a new run); fit() appends each epoch it ends."""
    epochs: int
    hardware: Hardware
    fused: int = 1
    """Batches per device call (steps_per_execution)."""
    callbacks: tuple[Any, ...] = ()
    """Extra Keras callbacks (a sweep's pruning), called after the run's own."""

    @property
    def batch_size(self) -> int:
        """The batch this process feeds (all of it on one machine)."""
        return self.hardware.local_batch(self.config.train.batch_size)


def quiet(event: object) -> None:
    """The observer of processes other than 0 in a multi-process run."""


def run_settings(tensorboard: bool | None, mlflow_uri: str | None = None) -> Settings:
    settings = Settings.from_env()
    if tensorboard is not None:
        settings = dataclasses.replace(settings, tensorboard=tensorboard)
    return dataclasses.replace(settings, mlflow_uri=mlflow_uri) if mlflow_uri else settings


def _cancellable_analysis(cancel: threading.Event, left: str) -> contextlib.AbstractContextManager[None]:
    """Stop a long morpheme analysis between batches when the run is cancelled."""
    from seqtui.datasets.morphemes import on_progress

    def check(done: int, total: int) -> None:
        if cancel.is_set():
            raise Cancelled(f"stopped while analysing morphemes ({done:,} of {total:,} texts); {left}")

    return on_progress(check)


def prepare(
    config: RunConfig, plan: Plan, cancel: threading.Event, left: str, data: Dataset | None = None
) -> tuple[Any, Dataset, Hardware, int]:
    """What a new and a resumed run both do before building the model: load the data (unless given; a
    cancel stops a long morpheme analysis, saying what is `left`), import Keras, check the config against
    the data, join the cluster and open the devices. Returns Keras, this process's share of the data, the
    hardware and the process's number (0 alone writes the run folder and reports)."""
    if data is None:
        with _cancellable_analysis(cancel, left):
            data = load_dataset(config.data)
    check_probes(config, data)  # a probe the model can't read: refused before Keras loads
    keras = import_keras(plan.backend)
    check_config(config, data)
    process, processes = start_cluster(keras)
    hardware = open_hardware(keras, plan, processes)
    return keras, split_evenly(shard(data, process, processes), hardware.local_count), hardware, process


def new_folder(
    root: Path,
    config: RunConfig,
    keras: Any,
    data: Dataset,
    task: str,
    vectors: PretrainedVectors | None = None,
) -> RunFolder:
    """A run folder with its config, encoder and `running` status, or none at all (RunFolderError) if they
    can't be written."""
    title = run_title(config)
    folder = RunFolder.create(root, title, fallback=config.name)
    try:
        folder.update_status(name=title)
        extra = {
            "seed": config.train.seed,
            "backend": keras.backend.backend(),
            "versions": _versions(keras.backend.backend()),
            "task": task,
            "input_kind": data.input_kind,
            "class_names": data.class_names,
        }
        if config.data.data_path:
            extra["data_sha256"] = data_fingerprint(config.data.data_path)
        if vectors is not None:  # the file, its SHA-256 (a resume checks it) and the coverage
            extra["pretrained_vectors"] = vectors.record()
        folder.write_config(config, extra)
        atomic_write_json(folder.file(ENCODER), data.encoder.to_dict())
        folder.mark_running(config.train.epochs, 0)
    except BaseException as exc:
        shutil.rmtree(folder.path, ignore_errors=True)
        if isinstance(exc, OSError):
            raise RunFolderError(
                f"could not write the run folder under {root}: {exc.strerror or exc}"
            ) from exc
        raise
    return folder
