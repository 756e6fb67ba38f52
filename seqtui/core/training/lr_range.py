"""The Keras callback of the learning-rate range test (`lr_finder`): sets each batch's rate, records its
loss, stops the fit when the test is over. Imports Keras: load it only when the test runs."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import keras

if TYPE_CHECKING:
    from seqtui.core.training.lr_finder import RangeTest


class LRRangeCallback(keras.callbacks.Callback):
    """Grows the optimizer's learning rate batch by batch as `test` schedules it and records every batch's
    own loss (Keras' batch logs average over the epoch so far: the loss tracker is reset before each batch)."""

    def __init__(self, test: RangeTest, cancel: threading.Event | None = None) -> None:
        super().__init__()
        self.test = test
        self.cancel = cancel or threading.Event()
        self.batch = 0

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.cancel.is_set():
            self.test.ended = "stopped"
            self.model.stop_training = True
            return
        self.model.optimizer.learning_rate.assign(self.test.rate(self.batch))
        self.model.reset_metrics()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.model.stop_training:
            return
        loss = float((logs or {}).get("loss", float("nan")))
        if not self.test.record(self.batch, loss):
            self.model.stop_training = True
        self.batch += 1
