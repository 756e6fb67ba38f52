"""The setup form as data: which settings it shows, how their text becomes a config, and what is wrong.

Kept apart from the screen so the parsing and validation can be tested (and reasoned about) without a UI.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from seqtui.core.config.run_config import FIELD_SECTION, RECURRENT_ARCHITECTURES, RunConfig
from seqtui.core.config.tokenizing import tokenizer_overrides
from seqtui.core.config.validation import Problem, validate
from seqtui.datasets.registry import DATASET_NAMES, DATASETS, DatasetInfo

Kind = Literal["int", "float", "opt_int", "opt_float"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    """The flat config field (as `seqtui train --name` spells it with dashes)."""
    label: str
    kind: Kind
    tip: str
    tokens_only: bool = False
    """Only text models read it (embedding, vocabulary, sequence length)."""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "maxlen", "maxlen", "int", "tokens per text after padding/truncating, both 'pre' (at the front)", True
    ),
    FieldSpec(
        "vocab_size",
        "vocab size",
        "int",
        "keep the most frequent words (Keras' num_words); rarer ones become OOV",
        True,
    ),
    FieldSpec(
        "embedding_dim", "embedding", "int", "size of each word's dense vector: Embedding(vocab, dim)", True
    ),
    FieldSpec("units", "units", "int", "recurrent units (hidden Dense units for mlp)"),
    FieldSpec("layers", "layers", "int", "stacked recurrent layers (return_sequences=True below the top)"),
    FieldSpec("dropout", "dropout", "float", "fraction of activations dropped while training, e.g. 0.2"),
    FieldSpec("epochs", "epochs", "int", "passes over the training data (early stopping may end sooner)"),
    FieldSpec("batch_size", "batch size", "int", "samples per gradient step"),
    FieldSpec("learning_rate", "learning rate", "opt_float", "blank: the optimizer's default (adam 0.001)"),
    FieldSpec(
        "sample_limit", "sample limit", "opt_int", "blank: all training samples; a small number trains fast"
    ),
)
SHAPE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "conv_filters",
        "filters",
        "int",
        "feature detectors per position (cnn2d: the 2nd Conv2D; the 1st has half)",
    ),
    FieldSpec(
        "conv_kernel", "kernel size", "int", "Conv1D window: how many tokens or steps each filter reads"
    ),
    FieldSpec("pool_size", "pool size", "int", "MaxPooling1D keeps the largest of each pool_size steps"),
    FieldSpec("dense_units", "dense units", "int", "hidden Dense width after the convolutions"),
    FieldSpec("lookback", "lookback", "int", "past rows each sample shows the model (before step)"),
    FieldSpec("step", "step", "int", "keep one row in step inside the lookback window: lookback/step steps"),
    FieldSpec("delay", "delay", "int", "how many rows ahead the target lies"),
)
"""Settings only some architectures or data read: shown only where they apply."""
FORM_FIELDS: tuple[FieldSpec, ...] = (*FIELDS[:5], *SHAPE_FIELDS, *FIELDS[5:])
"""Every numeric field, top to bottom as Setup shows them (the conv and series sizes after units/layers)."""
FIELD_NAMES = tuple(f.name for f in FORM_FIELDS)
SHAPE_NAMES = tuple(f.name for f in SHAPE_FIELDS)
CONV_ARCHS = {"conv_filters": ("conv1d", "cnn_lstm", "cnn2d"), "conv_kernel": ("conv1d", "cnn_lstm"),
              "pool_size": ("cnn_lstm",), "dense_units": ("cnn2d",)}  # fmt: skip
"""Which architectures read each convolution setting (cnn2d's kernels are 3x3 and its pooling 2x2)."""
SERIES_FIELDS = ("lookback", "step", "delay")
TEXT_KINDS = ("tokens", "auto")
"""Input kinds that read text settings ("auto": the user's file decides, so they stay on)."""


def unused_reason(name: str, arch: str, input_kind: str) -> str | None:
    """Why field `name` means nothing for this architecture and kind of input (tokens, image, series, auto),
    in the few words its row has room for; None when the model reads it."""
    if name in ("maxlen", "vocab_size", "embedding_dim") and input_kind not in TEXT_KINDS:
        return f"not used: {'images have' if input_kind == 'image' else 'a series has'} no tokens"
    if name == "units" and arch in ("conv1d", "cnn2d"):
        return f"not used by {arch}"  # no recurrent layer: filters (and dense units) size it
    if name == "layers" and arch not in RECURRENT_ARCHITECTURES:
        return f"not used by {arch}"  # it stacks no recurrent layers
    if name in CONV_ARCHS and arch not in CONV_ARCHS[name]:
        return f"not used by {arch}"
    if name in SERIES_FIELDS and input_kind not in ("series", "auto"):
        return "not used: only a time series has a lookback window"
    if name == "monitor" and input_kind == "series":
        return "no accuracy"  # a forecaster: the kept epoch is the lowest validation loss
    return None


def hidden_when_unused(name: str) -> bool:
    """Rows that leave the form when unused: what only some data or architectures read. Units and layers
    stay, disabled with the reason beside them (a learner switching to a CNN sees where they went)."""
    return name not in ("units", "layers")


READY_STATUSES = ("cached", "offline package", "built in")


def field_text(config: RunConfig, name: str) -> str:
    """How a config value is shown in its input box."""
    value = getattr(getattr(config, FIELD_SECTION[name]), name)
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _parse(spec: FieldSpec, text: str) -> tuple[int | float | None, str | None]:
    text = text.strip()
    if not text:
        if spec.kind.startswith("opt_"):
            return None, None
        return None, "required"
    try:
        if spec.kind.endswith("int"):
            return int(text.replace(",", "").replace("_", "")), None
        return float(text), None
    except ValueError:
        what = "a whole number" if spec.kind.endswith("int") else "a number, e.g. 0.2"
        return None, f"must be {what} (got {text!r})"


def config_from_form(
    base: RunConfig,
    values: dict[str, str],
    dataset: str,
    arch: str,
    data_path: str | None,
    tokenizer: str | None = None,
    embeddings: str | None = None,
    freeze_embeddings: bool = False,
    monitor: str | None = None,
) -> tuple[RunConfig, list[Problem]]:
    """The config the form describes and every problem with it (parse errors and validation).

    `tokenizer` (words, characters, morphemes) reads as `seqtui train --tokenizer` does; `embeddings` (a
    word-vector file) sets the embedding size, as `seqtui train --embeddings` does; `monitor` (val_loss,
    val_accuracy) as `--monitor`, unless the data has no accuracy (then the base's stays)."""
    vectors = {"embeddings": embeddings or None, "freeze_embeddings": bool(embeddings) and freeze_embeddings}
    parsed: dict[str, dict[str, object]] = {"data": {"dataset": dataset, "data_path": data_path or None},
                                             "model": {"arch": arch, **vectors}, "train": {}}  # fmt: skip
    parsed["data"].update(tokenizer_overrides(base.data, tokenizer, None))
    problems: list[Problem] = []
    kind = DATASETS[dataset].input_kind if dataset in DATASETS else "auto"
    if monitor is not None and not unused_reason("monitor", arch, kind):
        parsed["train"]["monitor"] = monitor
    for spec in FORM_FIELDS:
        if spec.name not in values or unused_reason(spec.name, arch, kind):
            continue  # a setting the model doesn't read keeps the preset's value, whatever the box holds
        value, error = _parse(spec, values[spec.name])
        if error:
            problems.append(Problem(spec.name, error))
        else:
            parsed[FIELD_SECTION[spec.name]][spec.name] = value
    from seqtui.core.model.pretrained import embedding_file_problems, file_dimension

    dim = file_dimension(embeddings) if embeddings else None
    if dim:  # the file sets the embedding size
        parsed["model"]["embedding_dim"] = dim
    config = dataclasses.replace(
        base,
        data=dataclasses.replace(base.data, **parsed["data"]),
        model=dataclasses.replace(base.model, **parsed["model"]),
        train=dataclasses.replace(base.train, **parsed["train"]),
    )
    bad = {p.field for p in problems}
    problems += [p for p in validate(config, DATASET_NAMES) if p.field not in bad]
    if not problems and dataset in DATASETS:
        from seqtui.core.model.checks import compatibility_problems

        problems += compatibility_problems(config)
        problems += embedding_file_problems(config, DATASETS[dataset].input_kind)
    return config, problems


def availability(info: DatasetInfo, data_path: str | None) -> str | None:
    """Why this dataset can't be trained on right now, or None when it can."""
    if data_path:
        return None
    status = info.status
    if status in READY_STATUSES:
        return None
    if status == "needs download":
        return f"{info.name} is not downloaded yet: press ctrl+g to fetch it, or give a data file"
    if status == "needs --data":
        return f"{info.name} reads your file: type its path in 'data file' ({info.file_hint})"
    return f"{info.name}: {status}. {info.hint}"


def compact_count(samples: str) -> str:
    """'25,000 + 25,000' -> '25k+25k', '420,551 rows' -> '421k rows': the dataset table fits its pane."""

    def short(match: re.Match[str]) -> str:
        n = int(match.group().replace(",", ""))
        return f"{n / 1000:.0f}k" if n >= 10_000 else match.group()

    return re.sub(r"\d[\d,]*", short, samples).replace(" + ", "+")
