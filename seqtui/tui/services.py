"""What the app needs from the engine, as small services it takes in its constructor.

Tests pass fakes (a runner that replays scripted epochs, a prediction session without a model); the
defaults below are thin adapters over `seqtui.core`, which import Keras only when they are called.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.events import Observer, RunEnded
    from seqtui.core.training.lr_finder import LRFinding
    from seqtui.datasets.registry import DatasetInfo
    from seqtui.tui.prediction import PredictSession


class Runner(Protocol):
    """Trains or continues a run, sending events to the observer; returns the final RunEnded."""

    def train(
        self,
        config: RunConfig,
        observer: Observer,
        cancel: threading.Event,
        runs_dir: Path,
        callbacks: tuple[Any, ...] = (),
    ) -> RunEnded: ...

    def resume(
        self, run_dir: Path, observer: Observer, cancel: threading.Event, epochs: int | None
    ) -> RunEnded: ...


class EngineRunner:
    """The real engine, started as every door starts it (`seqtui.core.training.start.Start`): the same code
    `seqtui train` runs."""

    def train(
        self,
        config: RunConfig,
        observer: Observer,
        cancel: threading.Event,
        runs_dir: Path,
        callbacks: tuple[Any, ...] = (),
    ) -> RunEnded:
        """`callbacks`: extra Keras callbacks (a sweep's pruning)."""
        from seqtui.core.training.start import Start

        return Start(runs_dir=runs_dir)(config, observer, cancel, callbacks=callbacks)

    def resume(
        self, run_dir: Path, observer: Observer, cancel: threading.Event, epochs: int | None
    ) -> RunEnded:
        from seqtui.core.training.start import Start

        return Start().resume(run_dir, observer, cancel, epochs=epochs)


SessionLoader = Callable[[Path], "PredictSession"]
"""Opens a run folder for prediction (loads the model: call it in a thread worker)."""
Fetcher = Callable[["DatasetInfo"], list[Path]]
"""Downloads a Keras dataset into the cache; raises DataError with a clear message when offline."""
EngineLoader = Callable[[], str]
"""Imports Keras and says which version and backend are ready."""
Summarizer = Callable[["RunConfig"], dict[str, Any]]
"""The configured model's {total_params, layers} as `layer_table` gives them (and its `input`, the arithmetic's
Input row): computed without Keras where the table covers the model (every preset and architecture), else built
by Keras (call it in a worker)."""

LRFinder = Callable[["RunConfig", threading.Event], "LRFinding"]
"""Runs the learning-rate range test on a config's model and data (`train --find-lr`; call it in a worker)."""


def load_session(run_dir: Path) -> PredictSession:
    from seqtui.tui.prediction import EngineSession

    return EngineSession.load(run_dir)


def fetch_dataset(info: DatasetInfo) -> list[Path]:
    from seqtui.datasets.keras_sets import fetch

    return fetch(info)


def load_engine() -> str:
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.hardware.devices import describe_devices

    keras: Any = import_keras()
    return f"Keras {keras.__version__}, {describe_devices(keras)}"


def build_summary(config: RunConfig) -> dict[str, Any]:
    from seqtui.core.model.summary import summarize

    return summarize(config).with_input  # the table and its input: the arithmetic starts at the Input row


def find_learning_rate(config: RunConfig, cancel: threading.Event) -> LRFinding:
    from seqtui.core.training.lr_finder import find_lr

    return find_lr(config, cancel=cancel)
