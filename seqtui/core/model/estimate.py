"""How big a model will be, before Keras loads: parameters and memory (weights, gradients, optimizer state,
activations of one batch), checked against the memory it will train in: the GPU's (the smallest one, as
each device of a data-parallel run holds the whole model and a batch) when the backend trains on GPUs
whose size nvidia-smi reports, else the machine's available memory.

The arithmetic follows the builders in `architectures.py` layer by layer; a settings check refuses a model
that can't fit with the estimate and the settings that make it big, instead of an out-of-memory traceback
after seconds of loading.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from seqtui.core.config.run_config import ModelConfig, RunConfig
from seqtui.core.config.validation import Problem
from seqtui.core.hardware.devices import Gpu, nvidia_gpus
from seqtui.core.model.architectures import InputSpec, recurrent_depth

BYTES = 4
"""float32 weights and activations."""
OPTIMIZER_SLOTS = {"adam": 2, "adamw": 2, "nadam": 2, "rmsprop": 1, "sgd": 0}
GATES = {"simple_rnn": 1, "gru": 3}
SHARE_OF_AVAILABLE = 0.8
"""The share of available memory a model may plan to use; the rest is TensorFlow, data and the OS."""
SHARE_OF_GPU = 0.9
"""The share of what the backend may take of a GPU that a model may plan to use (the rest: the CUDA
context, cuDNN and XLA workspaces)."""
JAX_PREALLOCATED = 0.75
"""JAX takes this share of each GPU at start (XLA_PYTHON_CLIENT_MEM_FRACTION) and allocates only in it."""


@dataclass
class Estimate:
    params: int = 0
    activations: int = 0
    """Values one batch keeps for the backward pass."""
    parts: dict[str, int] = field(default_factory=dict)
    """Parameters per setting that drives them (the largest is what to lower)."""

    def add(self, setting: str, params: int, outputs_per_sample: int) -> None:
        self.params += params
        self.activations += outputs_per_sample
        self.parts[setting] = self.parts.get(setting, 0) + params

    def memory(self, batch_size: int, optimizer: str) -> tuple[int, int, int]:
        """(weights and gradients, optimizer state, activations) in bytes."""
        weights = 2 * self.params * BYTES
        state = OPTIMIZER_SLOTS.get(optimizer, 2) * self.params * BYTES
        return weights, state, 2 * self.activations * batch_size * BYTES  # forward values and their gradients


def _recurrent(est: Estimate, m: ModelConfig, steps: int, features: int) -> int:
    gates = GATES.get(m.arch, 4)
    directions = 2 if m.bidirectional or m.arch == "bilstm" else 1
    for _ in range(recurrent_depth(m)):
        per_direction = gates * (features * m.units + m.units * m.units + m.units * (2 if gates == 3 else 1))
        est.add("units", directions * per_direction, steps * m.units * (gates + 1) * directions)
        features = directions * m.units
    return features


def estimate(config: RunConfig, spec: InputSpec, task: str, outputs: int) -> Estimate:
    """The parameters and activations of the model `build_model` makes for this input and task."""
    m, est = config.model, Estimate()
    shape = spec.shape
    if spec.kind == "tokens":
        steps, features = shape[0], m.embedding_dim
        est.add("vocab_size" if (spec.vocab_size or 0) > m.embedding_dim else "embedding_dim",
                (spec.vocab_size or 0) * m.embedding_dim, steps * features)  # fmt: skip
    else:  # an image's rows of pixel values, or a series' steps of features
        steps, features = shape[0], math.prod(shape[1:])
    if m.arch == "mlp":
        flat = steps * features
        est.add("units", flat * m.units + m.units, m.units)
        width = m.units
    elif m.arch == "cnn2d":
        half = max(1, m.conv_filters // 2)
        channels = shape[2] if len(shape) > 2 else 1
        side = shape[0]
        est.add("conv_filters", 9 * channels * half + half, (side - 2) ** 2 * half)
        est.add("conv_filters", 9 * half * m.conv_filters + m.conv_filters, (side - 4) ** 2 * m.conv_filters)
        flat = ((side - 4) // 2) ** 2 * m.conv_filters
        est.add("dense_units", flat * m.dense_units + m.dense_units, flat + m.dense_units)
        width = m.dense_units
    elif m.arch in ("conv1d", "cnn_lstm"):
        left = max(0, steps - m.conv_kernel + 1)
        est.add(
            "conv_filters", m.conv_kernel * features * m.conv_filters + m.conv_filters, left * m.conv_filters
        )
        width = m.conv_filters
        if m.arch == "cnn_lstm":
            width = _recurrent(est, m, max(1, left // m.pool_size), m.conv_filters)
    else:
        width = _recurrent(est, m, steps, features)
    units = 1 if task in ("binary", "regression") else outputs
    est.add("vocab_size" if task == "generation" else "units", width * units + units, units)
    return est


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (Linux's MemAvailable), None when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


@dataclass(frozen=True)
class Budget:
    """The bytes a model may plan to use, and where they are (for the message)."""

    usable: int
    where: str


def host_budget(available: int | None = None) -> Budget | None:
    """SHARE_OF_AVAILABLE of the machine's available memory, None when unknown."""
    available = available if available is not None else available_memory()
    return (
        Budget(int(SHARE_OF_AVAILABLE * available), f"{_gib(available)} of memory is available")
        if available
        else None
    )


def backend_share(backend: str, env: Mapping[str, str] = os.environ) -> float:
    """The share of a GPU's memory the backend may take: JAX preallocates a fraction (unless told not to);
    torch and TensorFlow grow into the whole GPU."""
    if backend != "jax" or env.get("XLA_PYTHON_CLIENT_PREALLOCATE", "").lower() in ("false", "0"):
        return 1.0
    try:
        return min(1.0, max(0.0, float(env.get("XLA_PYTHON_CLIENT_MEM_FRACTION", JAX_PREALLOCATED))))
    except ValueError:
        return JAX_PREALLOCATED


def gpu_budget(backend: str, gpus: tuple[Gpu, ...]) -> Budget | None:
    """SHARE_OF_GPU of what `backend` may take of the smallest GPU, None when nvidia-smi gave no size."""
    sized = [g for g in gpus if g.memory]
    if len(sized) < len(gpus) or not sized:
        return None
    smallest = min(sized, key=lambda g: g.memory or 0)
    share = backend_share(backend)
    where = f"the GPU ({smallest.name}) has {_gib(smallest.memory or 0)}"
    if share < 1:
        where += f", of which {backend} takes {share:.0%}"
    return Budget(int(SHARE_OF_GPU * share * (smallest.memory or 0)), where)


def training_budget(backend: str | None = None) -> Budget | None:
    """Where the model will train: the GPU budget when `backend` (None: the one this process will use)
    trains on GPUs of known size, else the machine's."""
    from seqtui.core.hardware.acceleration import expected_devices
    from seqtui.core.hardware.backend import expected_backend

    backend = backend or expected_backend()
    gpus = nvidia_gpus()
    if expected_devices(backend, gpus)[0] == "gpu" and (budget := gpu_budget(backend, gpus)) is not None:
        return budget
    return host_budget()


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**28 else f"{n / 2**20:,.0f} MiB"


LOWER = {
    "vocab_size": "--vocab-size or --embedding-dim",
    "embedding_dim": "--embedding-dim",
    "units": "--units or --layers",
    "conv_filters": "--conv-filters",
    "dense_units": "--dense-units or --conv-filters",
}


def memory_problems(
    config: RunConfig, spec: InputSpec, task: str, outputs: int, budget: Budget | None = None
) -> list[Problem]:
    """One problem naming the estimate and what to lower when the model can't fit in the memory it trains
    in (`budget`; by default the training budget of the backend this process will use)."""
    budget = budget or training_budget()
    if budget is None:
        return []
    est = estimate(config, spec, task, outputs)
    t = config.train
    weights, state, activations = est.memory(t.batch_size, t.optimizer)
    total = weights + state + activations
    if total <= budget.usable:
        return []
    if activations > weights + state:
        setting, lower = "batch_size", "--batch-size (or --maxlen, --lookback)"
    else:
        setting = max(est.parts, key=lambda k: est.parts[k])
        lower = LOWER.get(setting, f"--{setting.replace('_', '-')}")
    return [
        Problem(
            setting,
            f"the model would need about {_gib(total)} ({est.params:,} parameters: weights and gradients "
            f"{_gib(weights)}, optimizer state {_gib(state)}, activations of one batch {_gib(activations)}) "
            f"but {budget.where}; lower {lower}",
        )
    ]
