"""The Keras callback a sweep adds to each trial's run: it reports every epoch's validation metric to the
Optuna trial and stops training when the pruner says the trial is worse than the others at that epoch."""

from __future__ import annotations

import math
from typing import Any

import keras


class PruningCallback(keras.callbacks.Callback):
    """Reports `monitor` (e.g. val_accuracy) at each epoch end; a pruned trial stops after that epoch."""

    def __init__(self, trial: Any, monitor: str) -> None:
        super().__init__()
        self.trial = trial
        self.monitor = monitor
        self.pruned = False
        self.pruned_at: int | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(float(value)):
            return
        self.trial.report(float(value), epoch + 1)
        if self.trial.should_prune():
            self.pruned, self.pruned_at = True, epoch + 1
            self.model.stop_training = True
