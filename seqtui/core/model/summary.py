"""A configured model's layer table: the settings checked, the data read where its shape is needed, the model
built (imports Keras)."""

from __future__ import annotations

from typing import Any

from seqtui.core.config.run_config import RunConfig
from seqtui.core.model.building import compiled_model, layer_table, spec_from_dataset, spec_from_info
from seqtui.core.model.checks import check_config
from seqtui.datasets.registry import get_dataset, load_dataset


def model_summary(config: RunConfig) -> dict[str, Any]:
    """The configured model's layer table (imports Keras). Raises ConfigError for bad settings.

    From registry facts alone when the dataset fixes every size (no data needed, not even for a dataset
    read from the user's file); the user's own file (dataset "file") is read to learn its shape.
    """
    info = get_dataset(config.data.dataset)
    if info.input_kind != "auto":
        check_config(config, needs_data=False)
        return layer_table(compiled_model(config, *spec_from_info(config, info)))
    check_config(config)
    data = load_dataset(config.data)
    check_config(config, data)
    return layer_table(compiled_model(config, *spec_from_dataset(config, data)))
