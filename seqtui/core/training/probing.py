"""Probes: sentences (`--probe`) or image files (`--probe-image`) whose class probabilities a run records after
every epoch, read and encoded as the run's own data was. What the model answers for them, epoch by epoch, is
in the run folder's probes.jsonl (with the gradient flow of that epoch), in the `epoch_end` event and in
TensorBoard.

Nothing here imports Keras at module level.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seqtui.core.config.errors import ConfigError
from seqtui.core.config.validation import Problem
from seqtui.core.runs.folder import RunFolderError
from seqtui.datasets.base import ImageEncoder, TextEncoder
from seqtui.datasets.errors import DataError

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.runs.folder import RunFolder
    from seqtui.datasets.base import Dataset

PROBES_FILE = "probes.jsonl"
"""One line per recorded epoch: {"epoch", "probes": [...], "grad_norms": {layer: norm}}."""
CLASSIFIERS = ("binary", "multiclass")


@dataclass(frozen=True)
class ProbeSet:
    """The run's probes, encoded for its model: `x` holds one row per probe, `names` says which."""

    names: list[str]
    kinds: list[str]
    """"text" or "image", probe for probe."""
    x: np.ndarray


def _refuse(field: str, message: str) -> ConfigError:
    return ConfigError([Problem(field, message)])


def _read_images(paths: tuple[str, ...], encoder: ImageEncoder) -> np.ndarray:
    from seqtui.datasets.images import prepare, read_image

    pixels = []
    for path in paths:
        try:
            pixels.append(prepare(read_image(Path(path)), encoder.preparation or "plain").pixels)
        except DataError as exc:
            raise _refuse("probe_images", str(exc)) from None
    return encoder.encode(np.stack(pixels))


def probe_set(config: RunConfig, data: Dataset) -> ProbeSet | None:
    """The run's probes read and encoded as `data`'s inputs, or None without any. ConfigError (before any
    training) for probes its model can't read: text for an image model or a forecaster, an image for a text
    model, a missing or unreadable image file, or probes on a model that has no classes to answer with."""
    texts, images = tuple(config.train.probes), tuple(config.train.probe_images)
    if not texts and not images:
        return None
    field = "probes" if texts else "probe_images"
    if data.task not in CLASSIFIERS:
        what = {"regression": "a forecaster", "generation": "a text generator"}.get(data.task, data.task)
        raise _refuse(field, f"probes watch a classifier's answers; this run trains {what}")
    encoder = data.encoder
    if texts and not isinstance(encoder, TextEncoder):
        raise _refuse("probes", "this model reads images, not text; give --probe-image FILE instead")
    if images and not isinstance(encoder, ImageEncoder):
        raise _refuse("probe_images", "this model reads text, not images; give --probe TEXT instead")
    if texts:
        assert isinstance(encoder, TextEncoder)
        return ProbeSet(list(texts), ["text"] * len(texts), encoder.encode(list(texts)))
    assert isinstance(encoder, ImageEncoder)
    return ProbeSet([Path(p).name for p in images], ["image"] * len(images), _read_images(images, encoder))


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Model outputs (n, classes) as class probabilities; a binary model's (n, 1) sigmoid becomes [1-p, p]."""
    out = np.asarray(outputs, dtype="float64")
    return np.concatenate([1.0 - out, out], axis=-1) if out.shape[-1] == 1 else out


def probe_records(probes: ProbeSet, outputs: np.ndarray, class_names: list[str]) -> list[dict[str, Any]]:
    """One record per probe: its name, kind, every class's probability and the answer (the likeliest)."""
    probs = class_probabilities(outputs)
    names = [class_names[i] if i < len(class_names) else str(i) for i in range(probs.shape[-1])]
    return [
        {
            "probe": name,
            "kind": kind,
            "answer": names[int(np.argmax(row))],
            "probabilities": {c: round(float(p), 6) for c, p in zip(names, row, strict=True)},
        }
        for name, kind, row in zip(probes.names, probes.kinds, probs, strict=True)
    ]


def read_probe_history(folder: RunFolder, epochs_done: int | None = None) -> list[dict[str, Any]]:
    """The run's probes.jsonl, one row per epoch in order (the last row of an epoch recorded twice, none past
    `epochs_done`: a resume redoes an epoch that was cut short); [] without the file. Damaged lines are left
    out."""
    try:
        raw = folder.read_bytes(PROBES_FILE).decode("utf-8", errors="replace")
    except (OSError, RunFolderError):
        return []
    rows: dict[int, dict[str, Any]] = {}
    for line in raw.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        epoch = row.get("epoch") if isinstance(row, dict) else None
        if isinstance(epoch, int) and epoch > 0 and (epochs_done is None or epoch <= epochs_done):
            rows[epoch] = row
    return [rows[e] for e in sorted(rows)]


def append_probe_row(folder: RunFolder, row: dict[str, Any]) -> None:
    """Add one epoch's row to probes.jsonl (NaN written as null)."""
    norms = {name: v if math.isfinite(v) else None for name, v in row.get("grad_norms", {}).items()}
    clean = {**row, "grad_norms": norms}
    with open(folder.file(PROBES_FILE), "a", encoding="utf-8") as out:
        out.write(json.dumps(clean, ensure_ascii=False) + "\n")
