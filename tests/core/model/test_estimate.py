"""The size of a model before Keras loads: its parameter count equals Keras' for every preset, and a model
that can't fit in the machine's memory is refused at once, with the estimate and what to lower."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.errors import ConfigError
from seqtui.core.config.presets import PRESETS, get_preset
from seqtui.core.config.run_config import with_overrides
from seqtui.core.hardware.devices import Gpu
from seqtui.core.model import estimate as est
from seqtui.core.model.building import spec_from_info
from seqtui.core.model.checks import check_config
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
    from seqtui.core.model.summary import model_summary

    config = with_overrides(get_preset(preset).config, **overrides)
    spec = spec_from_info(config, get_dataset(config.data.dataset))
    assert est.estimate(config, *spec).params == model_summary(config)["total_params"]


@pytest.mark.parametrize(
    ("preset", "overrides"),
    [("digits-mlp", {}), ("digits-cnn", {}), ("imdb-cnn-lstm", {}), ("text-gen", {}),
     ("imdb-lstm", {"arch": "bilstm", "layers": 2}), ("series-rnn", {"arch": "conv1d", "conv_kernel": 2}),
     ("topics-en-lstm", {"embedding_dim": 8000})],
)  # fmt: skip
def test_each_layers_parameters_are_counted_under_the_setting_that_sizes_them(preset, overrides):
    """What a too-big model says to lower: Keras' own layer table, grouped by the setting behind each layer
    (the output layer grows with the classes, or with the vocabulary for a text generator)."""
    from seqtui.core.model.summary import model_summary

    config = with_overrides(get_preset(preset).config, **overrides)
    info = get_dataset(config.data.dataset)
    layers = [layer for layer in model_summary(config)["layers"] if layer["params"]]
    *hidden, output = layers
    expected: dict[str, int] = {}
    for layer in hidden:
        if layer["type"] == "Embedding":
            big = config.data.vocab_size > config.model.embedding_dim
            setting = "vocab_size" if big else "embedding_dim"
        elif layer["type"].startswith("Conv"):
            setting = "conv_filters"
        elif layer["type"] == "Dense":
            setting = "dense_units" if config.model.arch == "cnn2d" else "units"
        else:  # LSTM, GRU, SimpleRNN, Bidirectional
            setting = "units"
        expected[setting] = expected.get(setting, 0) + layer["params"]
    last = "vocab_size" if info.task == "generation" else "units"
    expected[last] = expected.get(last, 0) + output["params"]
    assert est.estimate(config, *spec_from_info(config, info)).parts == expected


def test_a_bidirectional_layer_keeps_the_activations_of_both_directions():
    config = with_overrides(get_preset("imdb-lstm").config, maxlen=100, units=32, embedding_dim=8)
    spec = spec_from_info(config, get_dataset("imdb"))
    embedded = 100 * 8  # the embedding's output at every step: one direction or two, the same
    per_direction = 100 * 32 * (4 + 1)  # an LSTM keeps its 4 gates and its output at every step
    assert est.estimate(config, *spec).activations == embedded + per_direction + 1  # + the one output
    both = with_overrides(config, bidirectional=True)
    assert est.estimate(both, *spec).activations == embedded + 2 * per_direction + 1


def test_a_convolution_keeps_one_activation_per_filter_at_each_position_its_kernel_fits():
    config = with_overrides(get_preset("imdb-lstm").config, arch="conv1d", maxlen=100, embedding_dim=8,
                            conv_filters=16, conv_kernel=5)  # fmt: skip
    spec = spec_from_info(config, get_dataset("imdb"))
    positions = 100 - 5 + 1  # a kernel of 5 fits at 96 of the 100 steps ("valid" padding)
    assert est.estimate(config, *spec).activations == 100 * 8 + positions * 16 + 1  # + the one output


def test_a_model_too_big_for_memory_names_the_estimate_and_what_to_lower():
    config = with_overrides(get_preset("imdb-lstm").config, vocab_size=10_000_000, embedding_dim=65_536)
    with pytest.raises(ConfigError) as info:
        check_config(config)
    [problem] = info.value.problems
    assert problem.field == "vocab_size"
    assert "655,391,515,481 parameters" in problem.message and "lower --vocab-size" in problem.message


def test_the_setting_to_lower_is_the_one_holding_the_most_parameters():
    config = with_overrides(get_preset("imdb-lstm").config, units=20_000)  # 1.6 billion LSTM weights
    problems = est.memory_problems(
        config, *spec_from_info(config, get_dataset("imdb")), est.host_budget(2**33)
    )
    assert [p.field for p in problems] == ["units"] and "lower --units or --layers" in problems[0].message


def test_a_cnn_whose_dense_layer_holds_most_weights_points_at_the_dense_units():
    config = with_overrides(get_preset("digits-cnn").config, dense_units=2_000_000)  # 2.3e11 dense weights
    problems = est.memory_problems(
        config, *spec_from_info(config, get_dataset("mnist")), est.host_budget(2**33)
    )
    assert [p.field for p in problems] == ["dense_units"]
    assert "lower --dense-units or --conv-filters" in problems[0].message


def test_activations_of_a_huge_batch_point_at_the_batch_size():
    config = with_overrides(get_preset("imdb-lstm").config, batch_size=1_000_000, maxlen=100_000)
    problems = est.memory_problems(
        config, *spec_from_info(config, get_dataset("imdb")), est.host_budget(2**34)
    )
    assert [p.field for p in problems] == ["batch_size"] and "--batch-size" in problems[0].message


def test_a_model_that_fits_passes():
    config = get_preset("imdb-lstm").config
    assert (
        est.memory_problems(config, *spec_from_info(config, get_dataset("imdb")), est.host_budget(2**33))
        == []
    )


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
    probe = "import sys; from seqtui.cli.main import app; from typer.testing import CliRunner; " \
            f"CliRunner().invoke(app, {args!r}); print('tensorflow' in sys.modules)"  # fmt: skip
    assert (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()
        == "False"
    )


T4 = Gpu("Tesla T4", 7.5, 16 * 2**30, "GPU-t4")
BIG_EMBEDDING = {"vocab_size": 1_000_000, "embedding_dim": 750}
"""750M parameters: about 11.5 GiB with gradients, Adam's two slots and a batch; fits 64 GiB of RAM, not a T4 under JAX."""


@pytest.fixture
def a_t4_with_cuda_backends(monkeypatch):
    from seqtui.core.hardware import acceleration

    monkeypatch.setattr(est, "nvidia_gpus", lambda: (T4,))
    monkeypatch.setattr(acceleration, "cuda_backends", lambda: ["jax", "torch"])
    monkeypatch.setattr(est, "available_memory", lambda: 2**36)
    monkeypatch.delenv("XLA_PYTHON_CLIENT_PREALLOCATE", raising=False)
    monkeypatch.delenv("XLA_PYTHON_CLIENT_MEM_FRACTION", raising=False)


def big_model_problems(backend):
    config = with_overrides(get_preset("imdb-lstm").config, **BIG_EMBEDDING)
    return est.memory_problems(
        config, *spec_from_info(config, get_dataset("imdb")), est.training_budget(backend)
    )


def test_on_a_gpu_the_model_must_fit_the_gpus_memory_not_the_machines(a_t4_with_cuda_backends, monkeypatch):
    assert est.host_budget().usable == int(0.8 * 2**36)
    [problem] = big_model_problems("jax")
    assert problem.field == "vocab_size"
    assert "the GPU (Tesla T4) has 16.0 GiB, of which jax takes 75%; lower --vocab-size" in problem.message
    assert "about 11.5 GiB" in problem.message
    assert big_model_problems("torch") == []  # torch may grow into the whole GPU: 14.4 GiB usable
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    assert big_model_problems("jax") == []
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    monkeypatch.setenv("XLA_PYTHON_CLIENT_MEM_FRACTION", "0.95")
    assert big_model_problems("jax") == []


def test_a_backend_that_trains_on_the_cpu_is_checked_against_the_machine(
    a_t4_with_cuda_backends, monkeypatch
):
    assert big_model_problems("tensorflow") == []  # no CUDA TensorFlow installed: the CPU, 51 GiB usable
    monkeypatch.setattr(est, "available_memory", lambda: 2**33)
    [problem] = big_model_problems("tensorflow")
    assert "but 8.0 GiB of memory is available; lower --vocab-size" in problem.message


def test_gpus_of_unknown_size_fall_back_to_the_machines_memory(a_t4_with_cuda_backends, monkeypatch):
    monkeypatch.setattr(est, "nvidia_gpus", lambda: (T4, Gpu("Tesla T4", 7.5, None)))
    assert est.training_budget("jax") == est.host_budget()


def test_the_smallest_gpu_decides(a_t4_with_cuda_backends, monkeypatch):
    monkeypatch.setattr(est, "nvidia_gpus", lambda: (Gpu("NVIDIA H100", 9.0, 80 * 2**30), T4))
    assert "Tesla T4" in est.training_budget("torch").where


def test_train_checks_memory_where_the_chosen_backend_trains(a_t4_with_cuda_backends, tmp_path, monkeypatch):
    monkeypatch.setattr("seqtui.core.hardware.acceleration.nvidia_gpus", lambda: (T4,))
    monkeypatch.setattr("seqtui.core.hardware.devices.nvidia_gpus", lambda: (T4,))
    args = ["train", "--preset", "imdb-lstm", "--backend", "jax", "--runs-dir", str(tmp_path)]
    args += ["--vocab-size", "1000000", "--embedding-dim", "750"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "the GPU (Tesla T4) has 16.0 GiB, of which jax takes 75%" in " ".join(result.output.split())
    assert not list(tmp_path.iterdir())


def test_loaded_data_is_checked_against_the_memory_of_the_backend_asked_for(a_t4_with_cuda_backends):
    from tests.core.model.test_baselines import token_dataset

    config = with_overrides(get_preset("imdb-lstm").config, maxlen=12, **BIG_EMBEDDING)
    data = token_dataset(60)
    with pytest.raises(ConfigError, match=r"the GPU \(Tesla T4\) has 16.0 GiB, of which jax takes 75%"):
        check_config(config, data, backend="jax")
    check_config(config, data, backend="tensorflow")  # no CUDA TensorFlow: the machine's 51 GiB


def test_available_memory_is_memavailable_or_the_free_pages_of_an_older_kernel(tmp_path, monkeypatch):
    import os
    import re
    from pathlib import Path

    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        pytest.skip("Linux's /proc/meminfo is what this reads first")
    kib = int(re.search(r"^MemAvailable:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE).group(1))
    assert est.available_memory() == pytest.approx(kib * 1024, rel=0.05)  # memory moves a little meanwhile
    old = tmp_path / "meminfo"
    old.write_text("MemTotal:       16384000 kB\nMemFree:         8192000 kB\n")  # before Linux 3.14
    monkeypatch.setattr(est, "Path", lambda path: old if path == "/proc/meminfo" else Path(path))
    free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert est.available_memory() == pytest.approx(free, rel=0.05)
    monkeypatch.setattr(est.os, "sysconf", lambda name: int("unknown on this system"))  # ValueError
    assert est.available_memory() is None


@pytest.mark.parametrize(
    ("backend", "env", "share"),
    [
        ("jax", {}, 0.75),  # JAX preallocates 75% of the GPU by default
        ("jax", {"XLA_PYTHON_CLIENT_MEM_FRACTION": "0.5"}, 0.5),
        ("jax", {"XLA_PYTHON_CLIENT_MEM_FRACTION": "1.7"}, 1.0),  # at most the whole GPU
        ("jax", {"XLA_PYTHON_CLIENT_MEM_FRACTION": "-0.2"}, 0.0),
        ("jax", {"XLA_PYTHON_CLIENT_MEM_FRACTION": "most"}, 0.75),  # not a number: JAX's default
        ("jax", {"XLA_PYTHON_CLIENT_PREALLOCATE": "False", "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.5"}, 1.0),
        ("jax", {"XLA_PYTHON_CLIENT_PREALLOCATE": "0"}, 1.0),  # grows as it needs: the whole GPU
        ("jax", {"XLA_PYTHON_CLIENT_PREALLOCATE": "true", "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.9"}, 0.9),
        ("torch", {"XLA_PYTHON_CLIENT_MEM_FRACTION": "0.5"}, 1.0),  # JAX's settings are JAX's alone
        ("tensorflow", {}, 1.0),
    ],
)
def test_the_share_of_a_gpu_each_backend_may_take(backend, env, share):
    assert est.backend_share(backend, env) == pytest.approx(share)


def test_memory_of_unknown_size_sets_no_budget(monkeypatch):
    monkeypatch.setattr(est, "available_memory", lambda: None)  # neither /proc/meminfo nor sysconf knows
    assert est.host_budget() is None
    assert est.host_budget(2**33).usable == int(est.SHARE_OF_AVAILABLE * 2**33)
