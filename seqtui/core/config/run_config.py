"""Typed, frozen configs for a run: data, model and training, and the flat overrides the doors apply.

Nothing here imports Keras. The checks of a config are in `validation.py`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import PurePath
from typing import Any

from seqtui.common.names import UnknownName
from seqtui.datasets.config import DataConfig

ARCHITECTURES = (
    "mlp",
    "simple_rnn",
    "lstm",
    "gru",
    "bilstm",
    "stacked_lstm",
    "conv1d",
    "cnn_lstm",
    "cnn2d",
)
RECURRENT_ARCHITECTURES = ("simple_rnn", "lstm", "gru", "bilstm", "stacked_lstm", "cnn_lstm")
OPTIMIZERS = ("adam", "rmsprop", "sgd", "adamw", "nadam")
PADDING = ("pre", "post")
SPLITS = ("whitespace", "character", "morpheme")
STANDARDIZE = ("lower_punct", "hangul", "none")
PRECISIONS = ("mixed_bfloat16", "mixed_float16", "float32")
LOSSES = ("mse", "mae", "huber", "binary_crossentropy", "sparse_categorical_crossentropy")


@dataclass(frozen=True)
class ModelConfig:
    """The architecture and its sizes."""

    arch: str = "lstm"
    embedding_dim: int = 100
    units: int = 100
    """Recurrent units; hidden Dense units for mlp."""
    layers: int = 1
    """Number of stacked recurrent layers."""
    bidirectional: bool = False
    dropout: float = 0.0
    """Dropout rate in [0, 1): after the embedding for cnn_lstm, before the head otherwise."""
    conv_filters: int = 64
    conv_kernel: int = 5
    pool_size: int = 4
    dense_units: int = 128
    """Hidden Dense width of cnn2d."""
    embeddings: str | None = None
    """Pretrained word vectors (GloVe, word2vec or fastText text) to start the Embedding layer from; the
    file sets embedding_dim."""
    freeze_embeddings: bool = False
    """Keep the pretrained vectors as they are (non-trainable) instead of fine-tuning them."""


@dataclass(frozen=True)
class TrainConfig:
    """How to fit."""

    epochs: int = 5
    batch_size: int = 64
    optimizer: str = "adam"
    learning_rate: float | None = None
    """None keeps the optimizer's Keras default."""
    loss: str | None = None
    """None picks the loss that matches the task's head."""
    patience: int = 10
    """Early-stopping patience on the monitored metric (0 disables early stopping)."""
    monitor: str = "val_loss"
    """What picks the kept checkpoint (model.keras, the epoch that is tested) and drives early stopping:
    `val_loss` (lowest) or `val_accuracy` (highest, classifiers)."""
    seed: int = 42
    precision: str | None = None
    """Keras dtype policy; None picks one for the device (float32 on CPU, bfloat16 on Ampere and newer)."""
    probes: tuple[str, ...] = ()
    """Sentences whose class probabilities are recorded after every epoch (`--probe`); kept by a resume."""
    probe_images: tuple[str, ...] = ()
    """Image files recorded alike, for image models (`--probe-image`; made absolute when the run starts)."""
    grad_flow: bool = True
    """Record every trainable layer's gradient norm on one fixed training batch after each epoch."""


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run; saved as config.json in its folder."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    preset: str | None = None
    label: str | None = None
    """The name the user gave the run (`--name`, the app's run name); None names it after the preset (or
    the data) and what changed (`core/config/naming.py`). Shown as given, Korean and spaces included."""

    @property
    def name(self) -> str:
        """What the run trains (the preset, else the user's file by its stem, else the dataset): the model's
        and a sweep study's name; `--data reviews.csv` is 'reviews', not 'file'."""
        if self.preset:
            return self.preset
        path = (self.data.data_path or "").rstrip("/\\")
        return PurePath(path).stem or self.data.dataset if path else self.data.dataset

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunConfig:
        def build(kind: type, values: dict[str, Any]) -> Any:
            known = {f.name for f in fields(kind)}
            clean = {k: v for k, v in values.items() if k in known}
            for key in ("stopwords", "probes", "probe_images"):
                if isinstance(clean.get(key), list):
                    clean[key] = tuple(clean[key])
            return kind(**clean)

        return cls(
            data=build(DataConfig, raw.get("data", {})),
            model=build(ModelConfig, raw.get("model", {})),
            train=build(TrainConfig, raw.get("train", {})),
            preset=raw.get("preset"),
            label=raw["label"] if isinstance(raw.get("label"), str) else None,
        )


# Flat option names (as the CLI and the TUI show them) and the section they live in.
SECTIONS: dict[str, type] = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
FIELD_SECTION: dict[str, str] = {f.name: s for s, kind in SECTIONS.items() for f in fields(kind)}


def with_overrides(config: RunConfig, **overrides: Any) -> RunConfig:
    """A new config with flat overrides (e.g. maxlen=100, units=32); None values are ignored. A `seed` sets
    the table split's `split_seed` too, unless that is given."""
    grouped: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    if overrides.get("seed") is not None and overrides.get("split_seed") is None:
        overrides["split_seed"] = overrides[
            "seed"
        ]  # --seed sets a table's split too (recorded in config.json)
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in FIELD_SECTION:
            raise UnknownName(f"unknown setting {key!r}")
        grouped[FIELD_SECTION[key]][key] = value
    return dataclasses.replace(
        config,
        data=dataclasses.replace(config.data, **grouped["data"]),
        model=dataclasses.replace(config.model, **grouped["model"]),
        train=dataclasses.replace(config.train, **grouped["train"]),
    )
