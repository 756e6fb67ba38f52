"""A configured model's layer table: the settings checked, the data read where its shape is needed, and the
table computed without Keras (`table.computed_table`), or the model built with Keras where that table does
not cover it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seqtui.core.config.run_config import RunConfig
from seqtui.core.model.architectures import InputSpec
from seqtui.core.model.building import compiled_model, layer_table, spec_from_dataset, spec_from_info
from seqtui.core.model.checks import check_config
from seqtui.core.model.table import computed_table
from seqtui.datasets.registry import get_dataset, load_dataset


@dataclass(frozen=True)
class Summary:
    table: dict[str, Any]
    """{"total_params": N, "layers": [{name, type, output_shape, params, formula}]}, as `layer_table`."""
    keras_note: str | None = None
    """Why Keras built the model to answer (one line); None when the table was computed without Keras."""
    input: dict[str, Any] | None = None
    """{shape, vocab_size} of the model's input: the Input row of the parameter arithmetic (`arithmetic.py`)."""

    @property
    def with_input(self) -> dict[str, Any]:
        """The table with its input, as `arithmetic.layer_formulas` reads it."""
        return {**self.table, "input": self.input} if self.input else self.table


def model_input(config: RunConfig) -> tuple[InputSpec, str, int]:
    """The checked config's input spec, task and output width. Raises ConfigError for bad settings.

    From registry facts alone when the dataset fixes every size (no data needed, not even for a dataset
    read from the user's file); the user's own file (dataset "file") is read to learn its shape.
    """
    info = get_dataset(config.data.dataset)
    if info.input_kind != "auto":
        check_config(config, needs_data=False)
        return spec_from_info(config, info)
    check_config(config)
    data = load_dataset(config.data)
    check_config(config, data)
    return spec_from_dataset(config, data)


def summarize(config: RunConfig) -> Summary:
    """The layer table without Keras where `computed_table` covers the model (every preset and
    architecture), else built by Keras (imports it) with a note saying so."""
    spec, task, outputs = model_input(config)
    given = {"shape": ["None", *spec.shape], "vocab_size": spec.vocab_size}
    table = computed_table(config.model, spec, task, outputs)
    if table is not None:
        return Summary(table, input=given)
    note = (
        f"building the model with Keras to read its layers: the computed table does not cover "
        f"{config.model.arch} on {spec.kind} input of shape {spec.shape}"
    )
    return Summary(layer_table(compiled_model(config, spec, task, outputs)), note, given)


def model_summary(config: RunConfig) -> dict[str, Any]:
    """The configured model's layer table as Keras builds it (imports Keras): the reference the computed
    table is checked against. Raises ConfigError for bad settings."""
    return layer_table(compiled_model(config, *model_input(config)))
