"""The one check of a new run before TensorFlow loads: its settings, its backend, its devices and precision.

Nothing here imports Keras.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.hardware.acceleration import Plan, plan_hardware
from seqtui.core.hardware.backend import resolve_backend
from seqtui.core.model.checks import check_config

if TYPE_CHECKING:
    from seqtui.datasets.base import Dataset


@dataclass(frozen=True)
class CheckedRun:
    """A new run's config that passed `check_run` (its data and word-vector files made absolute, so the run
    resumes from any directory) and the hardware it trains on."""

    config: RunConfig
    plan: Plan


def check_run(
    config: RunConfig,
    backend: str | None = None,
    devices: str | int | None = None,
    data: Dataset | None = None,
) -> CheckedRun:
    """Check a new run before anything loads: BackendError for an unknown backend, else ConfigError with
    every problem of the settings (unless `data` is given in memory: `session.prepare` checks against it),
    then of --devices and --precision. Sets KERAS_BACKEND to the backend chosen."""
    chosen = resolve_backend(backend)
    if data is None:
        check_config(config, backend=chosen)
    plan = plan_hardware(chosen, devices, config.train.precision)
    if isinstance(config.data.data_path, str) and config.data.data_path:
        config = with_overrides(config, data_path=os.path.abspath(os.path.expanduser(config.data.data_path)))
    if isinstance(config.model.embeddings, str) and config.model.embeddings:
        config = with_overrides(
            config, embeddings=os.path.abspath(os.path.expanduser(config.model.embeddings))
        )
    return CheckedRun(config, plan)
