"""A run's display name when the user gave none: the preset, else the data, and what changed from it
(`topics-ko-lstm arch=gru units=128`, `reviews` for `--data reviews.csv`), so runs can be told apart."""

from __future__ import annotations

from dataclasses import fields
from pathlib import PurePath
from typing import Any

from seqtui.common.names import clean_name
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import SECTIONS, RunConfig
from seqtui.core.config.validation import OPTION_NAMES
from seqtui.datasets.config import KOREAN_STOPWORDS, DataConfig

SECTION_ORDER = ("model", "train", "data")
"""What changed is listed model first (what a learner varies most), then training, then the data."""
NOT_NAMED = {"dataset", "data_path", "probes", "probe_images", "grad_flow", "split_seed"}
"""Named as the run's source, before what changed (or, probes and gradient flow, watching it only;
`split_seed` follows `seed`, which is named)."""


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (tuple, list)):
        return "ko" if tuple(value) == KOREAN_STOPWORDS else f"{len(value)} words" if value else "none"
    return str(value)


def changes(config: RunConfig, base: RunConfig) -> list[str]:
    """`option=value` for every setting of `config` that differs from `base`, in SECTION_ORDER."""
    out = []
    for section in SECTION_ORDER:
        mine, theirs = getattr(config, section), getattr(base, section)
        for f in fields(SECTIONS[section]):
            if f.name in NOT_NAMED or getattr(mine, f.name) == getattr(theirs, f.name):
                continue
            value = getattr(mine, f.name)
            if f.name == "embeddings" and isinstance(value, str):
                value = PurePath(value).name  # the word-vector file by its name, not its whole path
            out.append(f"{OPTION_NAMES.get(f.name, f.name)}={_shown(value)}")
    return out


def source_name(data: DataConfig) -> str:
    """The data a run trains on: a user's file or folder by its stem, else the registered dataset."""
    if data.data_path:
        return PurePath(data.data_path.rstrip("/\\") or data.data_path).stem or data.data_path
    return data.dataset


def run_title(config: RunConfig) -> str:
    """The run's display name: the user's `label`, else the preset and what changed from it (its data when it
    trains on other data), else the data and what changed from the defaults. One line, no control characters."""
    if config.label and clean_name(config.label):
        return clean_name(config.label)
    preset = PRESETS.get(config.preset or "")
    if preset is not None:
        base = preset.config
        head = [preset.name]
        if (config.data.dataset, config.data.data_path) != (base.data.dataset, base.data.data_path):
            head.append(f"data={source_name(config.data)}")
    else:
        base = RunConfig(data=DataConfig(dataset=config.data.dataset, data_path=config.data.data_path))
        head = [config.preset or source_name(config.data)]
    return clean_name(" ".join(head + changes(config, base))) or clean_name(config.name) or "run"
