"""One settings object; every field can be overridden by a `SEQTUI_` environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from seqtui.common.errors import SeqtuiError
from seqtui.common.keras_door import BACKENDS
from seqtui.common.paths import keras_home

__all__ = ["BACKENDS", "BACKEND_CHOICES", "Settings", "SettingsError", "keras_home"]

BACKEND_CHOICES = ("auto", *BACKENDS)
"""`auto`: a backend that sees the GPU when there is one, else the CPU one (seqtui.core.hardware.devices)."""


class SettingsError(SeqtuiError):
    """A SEQTUI_ environment variable with a value seqtui can't use."""

    title = "Bad environment setting"


@dataclass(frozen=True)
class Settings:
    runs_dir: Path = Path("runs")
    """Where run folders go (SEQTUI_RUNS_DIR)."""
    backend: str | None = None
    """Keras backend (SEQTUI_BACKEND, else KERAS_BACKEND, else auto)."""
    batch_events_per_s: float = 5.0
    """How many batch events per second the runner emits at most (SEQTUI_BATCH_EVENTS_PER_S)."""
    tensorboard: bool = True
    """Write TensorBoard event files into each run folder (SEQTUI_TENSORBOARD=0 turns it off)."""
    mlflow_uri: str | None = None
    """An MLflow tracking server to mirror runs to (MLFLOW_TRACKING_URI, MLflow's own variable)."""
    steps_per_execution: int | None = None
    """Batches fused into one device call (SEQTUI_STEPS_PER_EXECUTION); None lets the runner choose."""
    notify: str | None = None
    """A command or webhook URL told when a run, comparison or sweep ends (SEQTUI_NOTIFY; `--notify`)."""

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        backend = env.get("SEQTUI_BACKEND") or env.get("KERAS_BACKEND") or None
        if backend and backend not in BACKEND_CHOICES:
            raise SettingsError(
                f"backend {backend!r} (from the environment) is not one of {', '.join(BACKEND_CHOICES)}"
            )
        fused = env.get("SEQTUI_STEPS_PER_EXECUTION")
        if fused and not (fused.isdigit() and 1 <= int(fused) <= 10_000):
            raise SettingsError(
                f"SEQTUI_STEPS_PER_EXECUTION={fused!r}: give a whole number of batches, e.g. 8"
            )
        rate = env.get("SEQTUI_BATCH_EVENTS_PER_S")
        try:
            events_per_s = float(rate) if rate else cls.batch_events_per_s
        except ValueError:
            events_per_s = -1.0
        if not 0 < events_per_s <= 10_000:
            raise SettingsError(
                f"SEQTUI_BATCH_EVENTS_PER_S={rate!r}: give a number of events per second, e.g. 5"
            )
        tensorboard = env.get("SEQTUI_TENSORBOARD", "1").strip().lower()
        if tensorboard not in ("1", "0", "true", "false", "yes", "no", "on", "off", ""):
            raise SettingsError(f"SEQTUI_TENSORBOARD={tensorboard!r}: give 1 (on) or 0 (off)")
        return cls(
            runs_dir=Path(env.get("SEQTUI_RUNS_DIR") or "runs"),
            backend=backend,
            batch_events_per_s=events_per_s,
            tensorboard=tensorboard not in ("0", "false", "no", "off"),
            mlflow_uri=env.get("MLFLOW_TRACKING_URI") or None,
            steps_per_execution=int(fused) if fused else None,
            notify=(env.get("SEQTUI_NOTIFY") or "").strip() or None,
        )
