"""The size of a model before Keras loads: its parameter count equals Keras' for every preset, and a model
that can't fit in the machine's memory is refused at once, with the estimate and what to lower."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from seqtui.cli import app
from seqtui.core import estimate as est
from seqtui.core.checks import ConfigError, check_config
from seqtui.core.config import with_overrides
from seqtui.core.modeling import spec_from_info
from seqtui.core.presets import PRESETS, get_preset
from seqtui.datasets.registry import get_dataset

KNOWN = [p for p in PRESETS.values() if p.params]


@pytest.mark.parametrize("preset", KNOWN, ids=lambda p: p.name)
def test_parameter_count_matches_the_lessons(preset):
    config = preset.config
    assert (
        est.estimate(config, *spec_from_info(config, get_dataset(config.data.dataset))).params
        == preset.params
    )


@pytest.mark.parametrize(
    ("preset", "overrides"),
    [("jena-gru", {}), ("text-gen", {}), ("imdb-lstm", {"arch": "bilstm", "layers": 2}),
     ("imdb-cnn-lstm", {"arch": "cnn_lstm", "layers": 2, "bidirectional": True}),
     ("series-rnn", {"arch": "conv1d", "conv_kernel": 2}), ("digits-mlp", {"arch": "gru"})],
)  # fmt: skip
def test_parameter_count_matches_keras(preset, overrides):
    from seqtui.core.modeling import model_summary

    config = with_overrides(get_preset(preset).config, **overrides)
    spec = spec_from_info(config, get_dataset(config.data.dataset))
    assert est.estimate(config, *spec).params == model_summary(config)["total_params"]


def test_a_model_too_big_for_memory_names_the_estimate_and_what_to_lower():
    config = with_overrides(get_preset("imdb-lstm").config, vocab_size=10_000_000, embedding_dim=65_536)
    with pytest.raises(ConfigError) as info:
        check_config(config)
    [problem] = info.value.problems
    assert problem.field == "vocab_size"
    assert "655,391,515,481 parameters" in problem.message and "lower --vocab-size" in problem.message


def test_activations_of_a_huge_batch_point_at_the_batch_size():
    config = with_overrides(get_preset("imdb-lstm").config, batch_size=1_000_000, maxlen=100_000)
    problems = est.memory_problems(config, *spec_from_info(config, get_dataset("imdb")), available=2**34)
    assert [p.field for p in problems] == ["batch_size"] and "--batch-size" in problems[0].message


def test_a_model_that_fits_passes():
    config = get_preset("imdb-lstm").config
    assert est.memory_problems(config, *spec_from_info(config, get_dataset("imdb")), available=2**33) == []


@pytest.mark.parametrize(
    "args",
    [["summary", "imdb-lstm", "--vocab-size", "10000000", "--embedding-dim", "65536"],
     ["train", "--preset", "digits-cnn", "--conv-filters", "65536", "--dense-units", "65536"]],
)  # fmt: skip
def test_cli_refuses_at_once_without_tensorflow(args, tmp_path):
    started = time.monotonic()
    result = CliRunner().invoke(app, [*args, "--runs-dir", str(tmp_path)] if args[0] == "train" else args)
    assert result.exit_code == 2, result.output
    assert "of memory is available; lower" in " ".join(result.output.split())
    assert time.monotonic() - started < 10 and not list(tmp_path.iterdir())
    probe = "import sys; from seqtui.cli import app; from typer.testing import CliRunner; " \
            f"CliRunner().invoke(app, {args!r}); print('tensorflow' in sys.modules)"  # fmt: skip
    assert (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()
        == "False"
    )
