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
    config = _absolute_probe_images(config)
    if isinstance(config.model.embeddings, str) and config.model.embeddings:
        config = with_overrides(
            config, embeddings=os.path.abspath(os.path.expanduser(config.model.embeddings))
        )
    return CheckedRun(config, plan)


def _absolute_probe_images(config: RunConfig) -> RunConfig:
    """--probe-image files made absolute (a resume reads them again from any directory); a missing or
    unreadable one is refused here, before anything loads."""
    from pathlib import Path

    from seqtui.core.config.errors import ConfigError
    from seqtui.core.config.validation import Problem
    from seqtui.datasets.errors import DataError
    from seqtui.datasets.images import check_regular

    paths = config.train.probe_images
    if not paths:
        return config
    absolute = tuple(os.path.abspath(os.path.expanduser(p)) for p in paths)
    for path in absolute:
        try:
            check_regular(Path(path))
        except DataError as exc:
            raise ConfigError([Problem("probe_images", str(exc))]) from None
    return with_overrides(config, probe_images=absolute)


def check_probes(config: RunConfig, data: Dataset) -> None:
    """ConfigError for probes the run's model can't read (text for an image model, an image for a text model,
    an unreadable image, any probe on a forecaster), once the data is known and before Keras loads."""
    from seqtui.core.training.probing import probe_set

    probe_set(config, data)
