"""The training runner: config in, events out, a complete run folder left behind.

`train()` starts a run, `core.resume.resume()` continues one; both train with `fit()` and return the final
`RunEnded` event (also sent to the observer). Bad configs and data raise `ConfigError`/`DataError`/`RunFolderError` before any run folder is
created (or, for a resume, changed), and before TensorFlow is imported when the config alone shows it.

Whatever stops a run costs at most the current epoch: a stop request (Ctrl+C, the app's Stop) ends it
`interrupted` after the current batch; an exception or a second Ctrl+C ends it `failed`/`interrupted` at
once; a NaN loss ends it `diverged`; a killed process leaves a `running` folder that reads as `crashed`.
Each of them can be resumed from the last completed epoch.

What a run prepares (data, devices, its folder) is in `session.py`; how a fit ends (test metrics, baseline,
verdict) in `evaluation.py`.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqtui.common.errors import error_text
from seqtui.core.config.errors import Cancelled
from seqtui.core.config.metrics import best_epoch_fields
from seqtui.core.config.run_config import RunConfig
from seqtui.core.config.settings import Settings
from seqtui.core.hardware.backend import import_keras
from seqtui.core.hardware.cluster import explain_failure, scratch_for
from seqtui.core.model.baselines import BaselineJob
from seqtui.core.model.building import compiled_model, spec_from_dataset
from seqtui.core.model.pretrained import pretrained_vectors
from seqtui.core.runs.folder import RUN, SaveError, check_writable, utc_now
from seqtui.core.runs.lock import training_lock
from seqtui.core.training.evaluation import Outcome, conclude, error_units
from seqtui.core.training.events import LogMessage, Observer, RunEnded, RunStarted
from seqtui.core.training.session import Session, new_folder, prepare, quiet, run_settings
from seqtui.datasets.base import Dataset

if TYPE_CHECKING:
    from seqtui.core.training.callbacks import RunRecorder


def _batch_changed(before: dict[str, Any], batch: int, devices: int, per_device: int) -> str:
    """A warning when a resumed run goes on with another global batch (other devices) than it trained with."""
    was, count = before.get("batch_size"), before.get("device_count")
    if not isinstance(was, int) or isinstance(was, bool) or was == batch:
        return ""
    keep = f"; resume with --devices {count} to keep it" if isinstance(count, int) and count > 0 else ""
    return (
        f"this run trained with a global batch of {was}{f' ({count} devices)' if keep else ''}; here it goes "
        f"on with {batch} ({devices} x {per_device} per device), so each epoch takes other steps{keep}"
    )


def fit(s: Session, observer: Observer, cancel: threading.Event, settings: Settings) -> RunEnded:
    keras = import_keras()
    from seqtui.core.training.callbacks import RunRecorder

    initial_epoch = len(s.history)  # read before fit() appends to the history
    observer = _observed(observer, s, settings)
    cancel, together = _agreed_stop(cancel, s.hardware.processes)
    recorder = RunRecorder(s.folder, s.history, cancel, s.config.train.monitor)
    batch = s.hardware.global_batch(s.config.train.batch_size)
    trained_with = s.folder.read_json(RUN) if initial_epoch else {}  # the batch it had before this resume
    callbacks = [*together, *_callbacks(s, observer, cancel, settings, recorder, batch)]
    steps = math.ceil(len(s.data.x_train) / s.batch_size)
    monitor = "mae" if s.data.task == "regression" else "accuracy"
    outcome = Outcome()
    began = time.monotonic()
    try:
        _start(s, observer, initial_epoch, steps, monitor, batch, trained_with)
        job = BaselineJob(s.data)  # fitted beside the training, in a thread of its own
        _keras_fit(s, callbacks, initial_epoch)
        conclude(keras, s, observer, cancel, recorder, job, monitor, outcome)
    except KeyboardInterrupt:
        outcome.status = "interrupted"
    except SaveError as exc:
        outcome.status, outcome.message = "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - any training error becomes a failed run with its reason
        outcome.status = "failed"
        outcome.message = explain_failure(error_text(exc), s.hardware.processes)
    return _end(s, observer, outcome, began)


def _observed(observer: Observer, s: Session, settings: Settings) -> Observer:
    """The observer, teed into TensorBoard and MLflow when the settings ask for them, and always into the run
    folder's events.jsonl (what `seqtui watch` follows)."""
    from seqtui.core.training.event_file import EventFile

    if settings.tensorboard:
        observer = _with_tensorboard(observer, s)
    if settings.mlflow_uri:
        from seqtui.core.training.mlflow_log import MLflowLog

        observer = MLflowLog(observer, settings.mlflow_uri, s.folder.path, s.config)
    return EventFile(observer, s.folder.path)


def _agreed_stop(cancel: threading.Event, processes: int) -> tuple[threading.Event, list[Any]]:
    """The stop request the run's callbacks obey, and the callback that makes it one for every process: a
    Ctrl+C or SIGTERM reaches each process of a multi-process run at its own moment, but all must stop
    after the same batch (a process that goes on waits for the others in its next collective)."""
    if processes == 1:
        return cancel, []
    from seqtui.core.training.callbacks import StopTogether

    agreed = threading.Event()
    return agreed, [StopTogether(cancel, agreed)]


def _callbacks(
    s: Session,
    observer: Observer,
    cancel: threading.Event,
    settings: Settings,
    recorder: RunRecorder,
    batch: int,
) -> list[Any]:
    """The run's Keras callbacks: the NaN check, the recorder, the probes and gradient flow, the event
    bridge, early stopping when the config has a patience, then the session's extra ones."""
    from seqtui.core.training.callbacks import AsyncTerminateOnNaN, EventBridge, ResumableEarlyStopping
    from seqtui.core.training.epoch_watch import epoch_watch_for

    interval = 1.0 / settings.batch_events_per_s if settings.batch_events_per_s > 0 else math.inf
    samples = len(s.data.x_train) * s.hardware.processes
    watch = epoch_watch_for(import_keras(), s, observer, recorder)  # probes, gradient flow
    bridge = EventBridge(observer, batch, samples, cancel, recorder, interval, watch)
    callbacks = [AsyncTerminateOnNaN(), recorder, *([watch] if watch else []), bridge]
    if s.config.train.patience:
        callbacks.append(ResumableEarlyStopping(s.config.train.patience, s.history, s.config.train.monitor))
    callbacks += s.callbacks
    return callbacks


def _start(
    s: Session,
    observer: Observer,
    initial_epoch: int,
    steps: int,
    monitor: str,
    batch: int,
    trained_with: dict[str, Any],
) -> None:
    """Announce the run (its start event, the hardware's notes, a changed batch, the data's notes) and
    record its hardware and batch in run.json."""
    hw, t = s.hardware, s.config.train
    observer(
        RunStarted(
            run_dir=str(s.folder.path),
            name=s.folder.display_name(),
            epochs=s.epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps,
            train_samples=len(s.data.x_train) * hw.processes,
            total_params=int(s.model.count_params()),
            task=s.data.task,
            monitor_metric=monitor,
            devices=str(hw.devices),
            batch_size=batch,
            device_count=hw.count,
            precision=hw.precision,
            steps_per_execution=s.fused,
            kept_by=t.monitor,
        )
    )
    for note in hw.notes:
        observer(LogMessage(message=note, level="warning"))
    changed = _batch_changed(trained_with, batch, hw.count, t.batch_size)
    if changed:
        observer(LogMessage(message=changed, level="warning"))
    # batch_size: the global batch (all devices together); config.json's batch_size is per device
    s.folder.update_status(
        **hw.record(), batch_size=batch, batch_per_device=t.batch_size, steps_per_execution=s.fused
    )
    for note in s.data.notes:
        # what happened to the data: columns used, rows left out
        observer(LogMessage(message=note, level="info"))


def _keras_fit(s: Session, callbacks: list[Any], initial_epoch: int) -> None:
    """Keras' fit, from `initial_epoch` up to the session's epochs."""
    s.model.fit(
        s.data.x_train,
        s.data.y_train,
        validation_data=(s.data.x_val, s.data.y_val),
        epochs=s.epochs,
        initial_epoch=initial_epoch,
        batch_size=s.batch_size,
        shuffle=True,
        verbose=0,
        callbacks=callbacks,
    )


def _end(s: Session, observer: Observer, outcome: Outcome, began: float) -> RunEnded:
    """Write how the run ended into run.json (when the disk lets it) and send the `RunEnded` event."""
    if outcome.status == "interrupted":
        outcome.message = f"stopped by request after epoch {len(s.history)}; resume with: seqtui train --resume {s.folder.path}"
    epochs_done = len(s.history)
    baseline = outcome.baseline
    reference = {"baseline": baseline.to_dict(), "verdict": outcome.verdict} if baseline else {}
    with contextlib.suppress(OSError):  # a full disk: run.json keeps its last good state (reads `crashed`)
        # the time spent training, summed over sessions: a resumed run's idle gap is not part of it
        earlier = s.folder.read_json(RUN).get("train_seconds")
        earlier = float(earlier) if isinstance(earlier, int | float) and math.isfinite(earlier) else 0.0
        s.folder.update_status(
            status=outcome.status,
            ended=utc_now(),
            epochs_done=epochs_done,
            message=outcome.message,
            train_seconds=round(earlier + time.monotonic() - began, 1),
            **reference,
        )
    end = RunEnded(
        status=outcome.status,
        run_dir=str(s.folder.path),
        epochs_done=epochs_done,
        test_metrics=outcome.test_metrics,
        message=outcome.message,
        confusion=outcome.confusion,
        class_names=s.data.class_names,
        baseline=baseline.metrics if baseline else s.data.baseline,
        baseline_name=baseline.name if baseline else "",
        verdict=outcome.verdict,
        **error_units(s),
        **best_epoch_fields(s.history, s.config.train.monitor),
    )
    observer(end)
    return end


def _with_tensorboard(observer: Observer, s: Session) -> Observer:
    """The observer, teed into TensorBoard event files in the run folder."""
    from seqtui.core.model.building import layer_table
    from seqtui.core.training.tensorboard_log import TensorBoardLog

    try:
        layers = layer_table(s.model)
    except (AttributeError, ValueError, TypeError):  # a model whose layers have no symbolic shapes
        layers = None
    return TensorBoardLog(observer, s.folder.path, s.config, layers)


def train(
    config: RunConfig,
    observer: Observer,
    cancel: threading.Event | None = None,
    runs_dir: str | Path | None = None,
    backend: str | None = None,
    data: Dataset | None = None,
    tensorboard: bool | None = None,
    mlflow_uri: str | None = None,
    callbacks: tuple[Any, ...] = (),
    devices: str | int | None = None,
) -> RunEnded:
    """Train a new run. Raises ConfigError, DataError, RunFolderError or BackendError before it starts.

    `data` passes a dataset already in memory (programmatic use, benchmarks) instead of loading one;
    `tensorboard` overrides the setting (SEQTUI_TENSORBOARD) for writing TensorBoard event files, and
    `mlflow_uri` the MLflow server (MLFLOW_TRACKING_URI) the run is mirrored to.
    `callbacks` adds Keras callbacks (a sweep's pruning); `devices` (`all` or a number, default 1) trains
    data-parallel, each device taking a batch of `batch_size`.
    """
    from seqtui.core.training.preflight import check_run

    checked = check_run(config, backend, devices, data)  # the one check before TensorFlow loads
    config, plan = checked.config, checked.plan
    settings = run_settings(tensorboard, mlflow_uri)
    root = Path(runs_dir) if runs_dir else settings.runs_dir
    check_writable(root)
    cancel = cancel or threading.Event()
    keras, data, hardware, process = prepare(config, plan, cancel, "no run folder was created", data)
    keras.utils.set_random_seed(config.train.seed)
    vectors, data = pretrained_vectors(config, data, cancel)  # --embeddings, for the fitted vocabulary
    spec, task, outputs = spec_from_dataset(config, data)
    fused = hardware.fused_steps(len(data.x_train), config.train.batch_size, settings.steps_per_execution)
    with hardware.scope(keras), scratch_for(process) as scratch:
        if scratch:  # process 0 alone writes the run folder and reports
            root, observer = scratch, quiet
        model = compiled_model(config, spec, task, outputs, fused, vectors)
        if cancel.is_set():
            raise Cancelled("stopped before training started; no run folder was created")
        folder = new_folder(root, config, keras, data, task, vectors)
        with training_lock(folder.path):
            session = Session(
                config, folder, data, model, [], config.train.epochs, hardware, fused, tuple(callbacks)
            )
            return fit(session, observer, cancel, settings)
