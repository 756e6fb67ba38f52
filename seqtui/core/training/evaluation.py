"""How a fit ends: the test metrics of the checkpoint kept, its confusion matrix, the baseline beside it and
the verdict, or why the run diverged. `runner.fit` calls `conclude` after Keras' fit."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from seqtui.core.model.baselines import Baseline, BaselineJob, run_verdict
from seqtui.core.model.verdicts import units
from seqtui.core.runs.folder import BEST, METRICS, atomic_write_json
from seqtui.core.training.events import LogMessage, Observer, RunStatus
from seqtui.core.training.session import Session

if TYPE_CHECKING:
    from seqtui.core.training.callbacks import RunRecorder


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> list[list[int]]:
    matrix = np.zeros((n, n), dtype=int)
    np.add.at(matrix, (y_true.astype(int), y_pred.astype(int)), 1)
    return matrix.tolist()


def _evaluate(
    keras: Any, s: Session, batch_size: int, current_is_best: bool
) -> tuple[dict[str, float], list[list[int]] | None]:
    """Test metrics of the best checkpoint (the model in memory when it is that one, or none was saved)."""
    return _evaluate_rows(keras, s, batch_size, current_is_best)[:2]


def _evaluate_rows(
    keras: Any, s: Session, batch_size: int, current_is_best: bool
) -> tuple[dict[str, float], list[list[int]] | None, np.ndarray | None]:
    """`_evaluate`, plus the predicted label (or value) of each test row, which the verdict pairs with the
    baseline's rows."""
    best = s.folder.file(BEST)
    reload = best.exists() and not current_is_best
    model = s.folder.load_model(BEST, keras) if reload else s.model
    raw = model.evaluate(s.data.x_test, s.data.y_test, batch_size=batch_size, verbose=0, return_dict=True)
    metrics = {k: float(v) for k, v in raw.items()}
    # Several processes: each row's prediction lives on the process that fed it, so the metrics alone
    if s.hardware is not None and s.hardware.processes > 1:
        return metrics, None, None
    confusion = pred = None
    if s.data.task in ("binary", "multiclass") and len(s.data.x_test):
        probs = model.predict(s.data.x_test, batch_size=batch_size, verbose=0)
        pred = (probs[:, 0] > 0.5).astype(int) if s.data.task == "binary" else probs.argmax(axis=1)
        confusion = _confusion(s.data.y_test.reshape(-1), pred, max(s.data.num_classes, 2))
    elif s.data.task == "regression" and len(s.data.x_test):
        pred = model.predict(s.data.x_test, batch_size=batch_size, verbose=0)[:, 0]
    return metrics, confusion, pred


def _learning_rate(model: Any) -> float | None:
    try:
        return float(np.asarray(model.optimizer.learning_rate))
    except (AttributeError, TypeError, ValueError):
        return None


def _diverged_message(s: Session) -> str:
    lower = (_learning_rate(s.model) or s.config.train.learning_rate or 1e-3) / 10
    fix = f"seqtui train --resume {s.folder.path} --learning-rate {lower:g}"
    if s.history:
        return (
            f"the loss became NaN or infinite in epoch {len(s.history) + 1}; the checkpoint of epoch "
            f"{len(s.history)} is kept. Lower the learning rate and go on from it: {fix}"
        )
    return (
        f"the loss became NaN or infinite in the first epoch, before any checkpoint. "
        f"Lower the learning rate and start over: {fix}"
    )


@dataclass
class Outcome:
    """How a fit ended, filled in step by step: a failure keeps what the steps before it reached."""

    status: RunStatus = "completed"
    message: str = ""
    test_metrics: dict[str, float] = field(default_factory=dict)
    confusion: list[list[int]] | None = None
    baseline: Baseline | None = None
    verdict: str = ""
    """Whether the model beats the baseline, in a plain sentence."""


def conclude(
    keras: Any,
    s: Session,
    observer: Observer,
    cancel: threading.Event,
    recorder: RunRecorder,
    job: BaselineJob,
    monitor: str,
    outcome: Outcome,
) -> None:
    """After Keras' fit: whether the run diverged, was stopped or completed; the test metrics of the
    checkpoint kept (none for a diverged run), written to metrics.json beside the baseline's; the verdict."""
    predicted = None
    if recorder.diverged:
        outcome.status, outcome.message = "diverged", _diverged_message(s)
    elif cancel.is_set():
        outcome.status = "interrupted"
        if s.folder.file(BEST).exists():  # the kept model is what the user will predict with: test it
            observer(LogMessage(message=f"testing the kept model ({BEST}) on the test set", level="info"))
            outcome.test_metrics, outcome.confusion, predicted = _evaluate_rows(keras, s, s.batch_size, False)
    else:
        outcome.test_metrics, outcome.confusion, predicted = _evaluate_rows(
            keras, s, s.batch_size, recorder.last_was_best
        )
    if outcome.test_metrics:
        outcome.baseline = baseline = job.result()
        reference = {f"baseline_{k}": v for k, v in (baseline.metrics if baseline else {}).items()}
        atomic_write_json(s.folder.file(METRICS), {**outcome.test_metrics, **reference})
        if baseline is not None and monitor in outcome.test_metrics:
            model = outcome.test_metrics[monitor]
            outcome.verdict = run_verdict(s.data, monitor, model, baseline, predicted)


def error_units(s: Session) -> dict[str, Any]:
    """A forecaster's `scales` and `unit` (RunEnded): what turns its normalised test errors, and its
    baseline's, into the series' own units. Nothing for the other tasks."""
    if s.data.task != "regression":
        return {}
    unit = units(s.data)
    scales = {"mae": unit.scale, "mse": unit.scale**2}
    loss = s.config.train.loss or "mse"
    if loss in ("mae", "mse"):  # another loss (huber...) has no unit to show
        scales["loss"] = scales[loss]
    return {"scales": scales, "unit": unit.name}
