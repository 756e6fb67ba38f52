"""Checks of a run's settings before anything is trained: every problem at once, with field names.

Without the data, nothing heavy is imported (no TensorFlow, no data loaded), so a bad value is answered
at once; once the data is read, the checks that need its real shape run too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from seqtui.core.config.errors import ConfigError
from seqtui.core.config.run_config import RunConfig
from seqtui.core.config.validation import (
    IMAGE_ROWS,
    Problem,
    dataset_input_kind,
    time_step_problems,
    validate,
)
from seqtui.datasets.registry import DATASET_NAMES, DATASETS

if TYPE_CHECKING:
    from seqtui.datasets.base import Dataset


def check_config(
    config: RunConfig, data: Dataset | None = None, needs_data: bool = True, backend: str | None = None
) -> None:
    """Raise ConfigError with every problem at once; without `data`, no TensorFlow and no data is loaded.

    With `data` (loaded, or passed in memory) the checks that need the real input shape run too. Without
    `needs_data` (a model summary of a dataset whose sizes are fixed), a file dataset may come without --data.
    The model's memory is checked against where `backend` (None: the one this process will use) trains.
    """
    from seqtui.core.model.building import spec_from_dataset, spec_from_info
    from seqtui.core.model.estimate import memory_problems, training_budget
    from seqtui.core.model.pretrained import embedding_file_problems

    if data is not None:
        problems = validate(config, None, data.input_kind)
        problems += compatibility_problems(config, data.input_kind)
        steps = IMAGE_ROWS if data.input_kind == "image" else int(data.input_shape[0])
        fields = {p.field for p in problems}  # the same check already ran with the data's real kind
        problems += [
            p for p in time_step_problems(config, steps, "time steps of the data") if p.field not in fields
        ]
        problems += embedding_file_problems(config, data.input_kind) if not problems else []
        if not problems:
            problems += memory_problems(config, *spec_from_dataset(config, data), training_budget(backend))
    else:
        problems = validate(config, DATASET_NAMES)
        if not problems:
            problems += compatibility_problems(config) + data_source_problems(config, needs_data)
            problems += embedding_file_problems(config, dataset_input_kind(config.data.dataset))
        if not problems and dataset_input_kind(config.data.dataset) is not None:
            problems += memory_problems(
                config, *spec_from_info(config, DATASETS[config.data.dataset]), training_budget(backend)
            )
    if problems:
        unique = list(dict.fromkeys(problems))  # the same check may run before and after loading
        raise ConfigError(unique)


def compatibility_problems(config: RunConfig, kind: str | None = None) -> list[Problem]:
    """Architecture vs input kind (from the registry without loading data, or the loaded data's kind)."""
    kind = kind or dataset_input_kind(config.data.dataset)
    arch = config.model.arch
    if arch == "cnn2d" and kind in ("tokens", "series"):
        return [Problem("arch", f"cnn2d needs images; {config.data.dataset} is {kind}. Try lstm or conv1d.")]
    if arch in ("conv1d", "cnn_lstm") and kind == "image":
        return [Problem("arch", f"{arch} reads sequences; for images use cnn2d, mlp or a recurrent arch.")]
    if config.train.monitor == "val_accuracy" and kind == "series":
        return [Problem("monitor", "a forecaster has no accuracy: monitor val_loss")]
    return []


def data_source_problems(config: RunConfig, needs_data: bool = True) -> list[Problem]:
    """A dataset read from the user's file needs --data (unless not `needs_data`), and the path given must
    exist."""
    info = DATASETS.get(config.data.dataset)
    path = config.data.data_path
    if info is not None and info.source == "file" and not path and needs_data:
        return [Problem("data", f"dataset {info.name!r} reads your file: {info.file_hint}")]
    if path is not None and not Path(path).exists():
        return [Problem("data", f"{path} does not exist; check the path")]
    return []
