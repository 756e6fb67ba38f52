"""Plain events a training run emits, for any observer (Rich progress, JSON lines, the TUI)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

RunStatus = Literal["running", "completed", "interrupted", "diverged", "failed", "crashed"]


@dataclass(frozen=True)
class RunStarted:
    run_dir: str
    name: str
    epochs: int
    initial_epoch: int
    steps_per_epoch: int
    train_samples: int
    total_params: int
    task: str
    monitor_metric: str
    """The headline metric of the task: 'accuracy' for classifiers, 'mae' for forecasting."""
    devices: str = ""
    """Backend and devices, e.g. 'jax on 1x NVIDIA H100 80GB HBM3' or 'tensorflow on CPU (2 threads)'."""
    batch_size: int = 0
    """The global batch: the per-device batch times the devices."""
    device_count: int = 1
    precision: str = "float32"
    steps_per_execution: int = 1
    """Batches fused into one device call: batch events then come once per fused call."""
    kept_by: str = "val_loss"
    """What picks the checkpoint (model.keras) and early stopping: 'val_loss' or 'val_accuracy'."""
    event: str = "run_start"


@dataclass(frozen=True)
class BatchEnded:
    epoch: int
    """1-based epoch number."""
    step: int
    """1-based batch number within the epoch."""
    steps: int
    logs: dict[str, float]
    samples_per_s: float
    event: str = "batch_end"


@dataclass(frozen=True)
class EpochEnded:
    epoch: int
    """1-based epoch number."""
    epochs: int
    logs: dict[str, float]
    seconds: float
    samples_per_s: float
    best: bool = False
    """True when the monitored metric (val_loss, or val_accuracy) improved and model.keras was saved."""
    probes: list[dict[str, Any]] = field(default_factory=list)
    """Each probe's answer after this epoch: {"probe", "kind", "answer", "probabilities": {class: p}}."""
    grad_norms: dict[str, float] = field(default_factory=dict)
    """Each trainable layer's gradient norm on the run's fixed batch (`core/training/grad_flow.py`)."""
    event: str = "epoch_end"


@dataclass(frozen=True)
class LogMessage:
    message: str
    level: Literal["info", "warning", "error"] = "info"
    event: str = "log"


@dataclass(frozen=True)
class RunEnded:
    status: RunStatus
    run_dir: str
    epochs_done: int
    test_metrics: dict[str, float] = field(default_factory=dict)
    message: str = ""
    """Why the run stopped early and what to do about it, when it did."""
    confusion: list[list[int]] | None = None
    class_names: list[str] = field(default_factory=list)
    baseline: dict[str, float] = field(default_factory=dict)
    """The baseline's reference numbers (core/model/baselines.py), e.g. {'test_accuracy': 0.84, ...}."""
    baseline_name: str = ""
    """The simple model that is the baseline to beat ("TF-IDF + logistic regression")."""
    verdict: str = ""
    """Whether the model beats it, in a plain sentence ("beats the baseline ... by 3.1 points")."""
    scales: dict[str, float] = field(default_factory=dict)
    """A forecaster's errors are computed on the normalised series: multiply a test metric (or a baseline's)
    by its scale for the series' own units (an MAE by the target's std, an MSE by its square). Empty for
    classifiers."""
    unit: str = ""
    """The series' unit ("°F") when the data names it; "" when unknown (then "in the series' units")."""
    best_epoch: int | None = None
    """The epoch model.keras holds: the one tested, the run's best (None before any epoch)."""
    monitor: str = ""
    """What chose it: 'val_loss' (lowest) or 'val_accuracy' (highest)."""
    best_val: dict[str, float] = field(default_factory=dict)
    """That epoch's validation metrics ({'val_loss': 0.41, 'val_accuracy': 0.73})."""
    event: str = "run_end"


Event = RunStarted | BatchEnded | EpochEnded | LogMessage | RunEnded
Observer = Callable[[Event], None]


def _json_safe(value: Any) -> Any:
    """NaN and infinity (a diverging loss) become None: JSON has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def event_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict with the event name first (non-finite numbers as None); an epoch's `probes` and
    `grad_norms` only when it has them."""
    raw = asdict(event)
    for key in OPTIONAL_FIELDS:
        if key in raw and not raw[key]:
            del raw[key]
    return _json_safe({"event": raw.pop("event"), **raw})


OPTIONAL_FIELDS = ("probes", "grad_norms")
"""Left out of an event's dict when empty (a run without probes or gradient flow)."""


EVENT_TYPES: dict[str, type] = {
    "run_start": RunStarted,
    "batch_end": BatchEnded,
    "epoch_end": EpochEnded,
    "log": LogMessage,
    "run_end": RunEnded,
}


def event_from_dict(raw: dict[str, Any]) -> Event | None:
    """The event an `event_dict` was made of (a line of `--json` or events.jsonl), or None for one this
    version can't read (an unknown kind, a missing field). Fields it does not know are left out; None stands
    for NaN where a number was expected."""
    kind = EVENT_TYPES.get(str(raw.get("event")))
    if kind is None:
        return None
    names = {f.name for f in fields(kind)} - {"event"}
    values = {k: v for k, v in raw.items() if k in names}
    for key in ("logs", "test_metrics", "baseline", "best_val", "grad_norms"):
        if isinstance(values.get(key), dict):
            values[key] = {k: math.nan if v is None else v for k, v in values[key].items()}
    try:
        return kind(**values)
    except TypeError:
        return None
