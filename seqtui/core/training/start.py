"""How a run starts, one way for every door: `Start` carries a door's choices (runs folder, backend, devices, logging) to
`runner.train` and `resume.resume`, so the CLI, the app, compare and sweep start runs alike.

Nothing here imports Keras.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.events import Observer, RunEnded


@dataclass(frozen=True)
class Start:
    """Starts and continues runs the way one door asked for: every run of a `train`, `compare`, `sweep` or of
    the app goes through here to `runner.train` (new) or `resume.resume` (continued)."""

    runs_dir: Path | None = None
    backend: str | None = None
    tensorboard: bool | None = None
    mlflow_uri: str | None = None
    devices: str | int | None = None

    def __call__(
        self, config: RunConfig, observer: Observer, cancel: threading.Event | None = None, **more: Any
    ) -> RunEnded:
        """Train a new run; `more` adds to or overrides the door's choices for this run (a comparison's
        runs folder, a sweep's pruning `callbacks`)."""
        from seqtui.core.training import runner

        return runner.train(config, observer, cancel, **{**asdict(self), **more})

    def resume(
        self, run_dir: str | Path, observer: Observer, cancel: threading.Event | None = None, **changes: Any
    ) -> RunEnded:
        """Continue the run folder `run_dir`; `changes` are the settings a resume may change (epochs,
        learning_rate, patience) and `data` where the run's data moved."""
        from seqtui.core.training import resume

        return resume.resume(run_dir, observer, cancel, **asdict(self), **changes)
