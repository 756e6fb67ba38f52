"""Find a learning rate: Leslie Smith's range test (2015, "Cyclical Learning Rates", section 3.3), as
fastai's `lr_find` runs it.

The model of a run's config trains for a few hundred batches while the learning rate grows exponentially
from `start` to `stop`; the loss of every batch is recorded against its rate. The test stops early once the
loss explodes (a batch's loss above 4x the best smoothed loss, or not a number). The suggestion is a tenth of
the rate where the smoothed loss is lowest (the loss still falls fast there, and a tenth keeps a margin from
the edge where it turns up); the steepest descent of the smoothed loss is reported beside it.

Nothing is written: no run folder, and the config the test was given is left as it is. Keras loads only
inside `find_lr`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seqtui.core.config.errors import Cancelled

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.datasets.base import Dataset

START_RATE = 1e-6
STOP_RATE = 1.0
BATCHES = 200
"""Batches the rate takes to grow from START_RATE to STOP_RATE (the data is read again when shorter)."""
EXPLODE_FACTOR = 4.0
"""The test stops at a batch whose loss exceeds this many times the best smoothed loss."""
SMOOTHING = 0.9
"""The smoothed loss is an exponential moving average with this factor, corrected for its start."""


@dataclass
class RangeTest:
    """The exponential schedule and what a range test recorded: plain numbers, no Keras."""

    start: float = START_RATE
    stop: float = STOP_RATE
    batches: int = BATCHES
    rates: list[float] = field(default_factory=list)
    """The rate of each batch recorded (finite losses only)."""
    losses: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    ended: str = ""
    """Why the test ended: 'reached the top rate', 'the loss exploded', 'the loss became NaN', 'stopped'."""
    failed_rate: float | None = None
    """The rate at which the loss exploded or became NaN."""
    _average: float = 0.0

    def __post_init__(self) -> None:
        if not (0 < self.start < self.stop and math.isfinite(self.stop)) or self.batches < 2:
            raise ValueError(f"a range test needs 0 < start < stop and 2 batches or more (got {self})")

    def rate(self, batch: int) -> float:
        """The rate of batch `batch` (from 0): start x (stop/start)^(batch/(batches-1))."""
        return self.start * (self.stop / self.start) ** (batch / (self.batches - 1))

    def record(self, batch: int, loss: float) -> bool:
        """Record batch `batch`'s loss; False when the test is over."""
        rate = self.rate(batch)
        if not math.isfinite(loss):
            self.ended, self.failed_rate = "the loss became NaN", rate
            return False
        self._average = SMOOTHING * self._average + (1 - SMOOTHING) * loss
        smoothed = self._average / (1 - SMOOTHING ** (len(self.losses) + 1))
        if self.smoothed and loss > EXPLODE_FACTOR * min(self.smoothed):
            self.ended, self.failed_rate = "the loss exploded", rate
            return False
        self.rates.append(rate)
        self.losses.append(loss)
        self.smoothed.append(smoothed)
        if batch >= self.batches - 1:
            self.ended = "reached the top rate"
            return False
        return True

    @property
    def last_good_rate(self) -> float | None:
        """The highest rate whose loss was recorded before the loss exploded (None: it never was)."""
        return self.rates[-1] if self.rates else None

    @property
    def lowest_rate(self) -> float | None:
        """The rate where the smoothed loss is lowest."""
        if not self.smoothed:
            return None
        return self.rates[min(range(len(self.smoothed)), key=self.smoothed.__getitem__)]

    @property
    def steepest_rate(self) -> float | None:
        """The rate, before the lowest point, where the smoothed loss falls fastest per factor of rate: the
        slope over a window of a tenth of the points (a batch-to-batch slope follows the noise), at its middle.
        None when the lowest point comes before one window."""
        low = self.smoothed.index(min(self.smoothed)) if self.smoothed else 0
        window = max(1, len(self.smoothed) // 10)
        if low < window:
            return None
        logs = [math.log(r) for r in self.rates]
        slopes = [
            (self.smoothed[i + window] - self.smoothed[i]) / (logs[i + window] - logs[i])
            for i in range(low - window + 1)
        ]
        steepest = min(range(len(slopes)), key=slopes.__getitem__)
        return self.rates[steepest + window // 2]

    @property
    def suggestion(self) -> float | None:
        """A tenth of the lowest point's rate, never below the first rate tried; None when nothing was
        recorded (the loss was NaN from the first batch)."""
        lowest = self.lowest_rate
        return None if lowest is None else max(lowest / 10, self.rates[0])


@dataclass
class LRFinding:
    """A range test's outcome, with what the config trained with for reference."""

    test: RangeTest
    optimizer: str
    batch_size: int
    current_rate: float | None
    """The learning rate the config sets (None: the optimizer's default), left unchanged."""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        t = self.test
        return {
            "suggested_learning_rate": t.suggestion,
            "rule": "a tenth of the rate with the lowest smoothed loss",
            "lowest_loss_rate": t.lowest_rate,
            "steepest_descent_rate": t.steepest_rate,
            "last_good_rate": t.last_good_rate,
            "ended": t.ended,
            "failed_rate": t.failed_rate,
            "start": t.start,
            "stop": t.stop,
            "batches": len(t.rates),
            "rates": t.rates,
            "losses": t.losses,
            "smoothed": t.smoothed,
            "optimizer": self.optimizer,
            "batch_size": self.batch_size,
            "current_learning_rate": self.current_rate,
            "seconds": round(self.seconds, 1),
        }


def find_lr(
    config: RunConfig,
    backend: str | None = None,
    cancel: threading.Event | None = None,
    data: Dataset | None = None,
    start: float = START_RATE,
    stop: float = STOP_RATE,
    batches: int = BATCHES,
) -> LRFinding:
    """Run the range test on `config`'s model and data (its seed, optimizer and batch size). Raises
    ConfigError, DataError or BackendError before anything trains; Cancelled when `cancel` is set."""
    import time

    from seqtui.core.model.building import compiled_model, spec_from_dataset
    from seqtui.core.training.preflight import check_run
    from seqtui.core.training.session import prepare

    began = time.monotonic()
    test = RangeTest(start, stop, batches)
    checked = check_run(config, backend, None, data)
    cancel = cancel or threading.Event()
    keras, data, hardware, _ = prepare(checked.config, checked.plan, cancel, "nothing was written", data)
    keras.utils.set_random_seed(config.train.seed)
    spec, task, outputs = spec_from_dataset(checked.config, data)
    with hardware.scope(keras):
        model = compiled_model(checked.config, spec, task, outputs)
        _fit(keras, model, data, config.train.batch_size, test, cancel)
    if cancel.is_set():
        raise Cancelled("the learning-rate range test was stopped; nothing was written")
    return LRFinding(
        test, config.train.optimizer, config.train.batch_size, config.train.learning_rate,
        time.monotonic() - began,
    )  # fmt: skip


def _fit(
    keras: Any, model: Any, data: Dataset, batch_size: int, test: RangeTest, cancel: threading.Event
) -> None:
    """Train until the range test ends, reading the training data again as often as it takes."""
    from seqtui.core.training.lr_range import LRRangeCallback

    steps = max(1, math.ceil(len(data.x_train) / batch_size))
    epochs = math.ceil(test.batches / steps)
    model.fit(
        data.x_train, data.y_train, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=True,
        callbacks=[LRRangeCallback(test, cancel)],
    )  # fmt: skip
