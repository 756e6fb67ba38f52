"""Speed levers of a run: how many devices train it (data parallel), in which precision, and how many
batches each device call fuses. Chosen from the devices, checked before Keras loads where the devices can
be known without it (nvidia-smi, XLA_FLAGS), and again against what the loaded backend sees.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seqtui.core.config.run_config import PRECISIONS
from seqtui.core.config.validation import Problem
from seqtui.core.hardware.devices import (
    GPU_EXTRA_HINT,
    Devices,
    Gpu,
    choose_backend,
    cuda_backends,
    nvidia_gpus,
)

PARALLEL_BACKENDS = ("jax", "tensorflow")
"""Keras' distribution API: DataParallel on JAX, MirroredStrategy on TensorFlow (torch: not in Keras 3)."""
MAX_FUSED_STEPS = 32
MIN_BATCH_EVENTS = 20
"""Fused steps never leave fewer than this many batch events per epoch (the progress bar and ETA)."""


def parse_devices(value: str | int | None) -> int | None | str:
    """`all` -> None (every device), a whole number >= 1 -> itself; anything else -> an error message."""
    if value is None:
        return 1
    text = str(value).strip().lower()
    if text == "all":
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    return f"give `all` or a number of devices from 1 up (got {value!r})"


def forced_host_devices() -> int:
    """JAX's CPU device count forced by XLA_FLAGS (--xla_force_host_platform_device_count=N), else 1."""
    found = re.search(r"--xla_force_host_platform_device_count=(\d+)", os.environ.get("XLA_FLAGS", ""))
    return max(int(found.group(1)), 1) if found else 1


def expected_devices(backend: str, gpus: tuple[Gpu, ...]) -> tuple[str, int]:
    """('gpu'|'cpu', how many) the backend will train on, known without importing it."""
    if gpus and backend in cuda_backends():
        return "gpu", len(gpus)
    return "cpu", forced_host_devices() if backend == "jax" else 1


def default_precision(kind: str, gpus: tuple[Gpu, ...]) -> str:
    """float32 on CPUs (no fast half precision there); bfloat16 from Ampere (compute capability 8.0) up;
    float16 with loss scaling on Volta/Turing (7.x); float32 on older GPUs."""
    if kind != "gpu" or not gpus:
        return "float32"
    cap = min(g.compute_capability or 0.0 for g in gpus)
    if cap >= 8.0:
        return "mixed_bfloat16"
    return "mixed_float16" if cap >= 7.0 else "float32"


def precision_problem(precision: str, kind: str, gpus: tuple[Gpu, ...]) -> str | None:
    if precision not in PRECISIONS:
        return f"choose one of {', '.join(PRECISIONS)} (got {precision!r})"
    if precision == "mixed_float16" and kind == "cpu":
        return (
            "CPUs have no fast float16 math (it would be slower than float32); use float32 or mixed_bfloat16"
        )
    cap = min((g.compute_capability or 0.0) for g in gpus) if gpus else 0.0
    if precision == "mixed_bfloat16" and kind == "gpu" and 0 < cap < 8.0:
        return f"bfloat16 needs compute capability 8.0 (Ampere) or newer; this GPU has {cap:g}. Use mixed_float16"
    return None


@dataclass(frozen=True)
class Plan:
    """How a run uses the machine: backend, device count (None: all), precision."""

    backend: str
    devices: int | None
    precision: str


def plan_hardware(backend: str | None, devices: str | int | None, precision: str | None) -> Plan:
    """Check --devices and --precision before Keras loads; ConfigError lists what is wrong."""
    from seqtui.core.config.errors import ConfigError

    chosen = choose_backend(backend).backend
    gpus = nvidia_gpus()
    kind, available = expected_devices(chosen, gpus)
    problems = []
    wanted = parse_devices(devices)
    if isinstance(wanted, str):
        problems.append(Problem("devices", wanted))
    elif wanted != 1 and chosen not in PARALLEL_BACKENDS:
        problems.append(Problem("devices", f"several devices need --backend jax or tensorflow, not {chosen}"))
    elif wanted is not None and wanted > available:
        problems.append(Problem("devices", _too_many(wanted, available, kind)))
    resolved = precision or default_precision(kind, gpus)
    if (wrong := precision_problem(resolved, kind, gpus)) is not None:
        problems.append(Problem("precision", wrong))
    if problems:
        raise ConfigError(problems)
    return Plan(chosen, wanted if isinstance(wanted, int) else None, resolved)


def _too_many(wanted: int, available: int, kind: str) -> str:
    what = f"{available} GPU{'s' if available > 1 else ''}" if kind == "gpu" else f"{available} CPU device"
    return f"{wanted} devices asked, this machine has {what}; use --devices all or a number up to {available}"


def device_count(plan: Plan, seen: Devices) -> int:
    """The devices to train on, checked against what the loaded backend sees."""
    from seqtui.core.config.errors import ConfigError

    n = seen.count if plan.devices is None else plan.devices
    if n > seen.count:
        raise ConfigError([Problem("devices", _too_many(n, seen.count, seen.kind))])
    return n


def fused_steps(kind: str, steps: int, override: int | None = None) -> int:
    """Batches per device call: 1 on CPUs (a step there is long enough to keep the device busy); on GPUs
    up to 32, leaving at least 20 batch events per epoch."""
    if override:
        return max(1, min(override, steps))
    if kind != "gpu":
        return 1
    return max(1, min(MAX_FUSED_STEPS, steps // MIN_BATCH_EVENTS))


@contextlib.contextmanager
def data_parallel(keras: Any, seen: Devices, n: int, processes: int = 1) -> Iterator[None]:
    """Build, fit and evaluate inside this: the batch is split over `n` devices (nothing on 1). With several
    processes each feeds its own share of the data (`cluster.shard`), so Keras must not shard it again."""
    if n <= 1:
        yield
        return
    if seen.backend == "jax":
        dist = keras.distribution
        parallel = dist.DataParallel(devices=dist.list_devices()[:n], auto_shard_dataset=processes == 1)
        with parallel.scope():
            yield
        return
    import tensorflow as tf

    kind = "GPU" if seen.kind == "gpu" else "CPU"
    names = [d.name for d in tf.config.list_logical_devices(kind)[:n]]
    with tf.distribute.MirroredStrategy(devices=names).scope():
        yield


@dataclass(frozen=True)
class Hardware:
    """What a run trains on once Keras is loaded: the devices seen, how many are used, the precision."""

    devices: Devices
    count: int
    precision: str
    notes: tuple[str, ...] = ()
    """Warnings for the user, e.g. a GPU that no installed backend can use."""
    processes: int = 1
    """Processes training together (nodes); `count` counts the devices of all of them."""

    @property
    def local_count(self) -> int:
        return max(self.count // self.processes, 1)

    def global_batch(self, per_device: int) -> int:
        return per_device * self.count

    def local_batch(self, per_device: int) -> int:
        """The batch this process feeds: its devices' share of the global batch."""
        return per_device * self.local_count

    def fused_steps(self, samples: int, per_device: int, override: int | None = None) -> int:
        steps = max(1, -(-samples // self.local_batch(per_device)))
        return fused_steps(self.devices.kind, steps, override)

    def record(self) -> dict[str, Any]:
        """What run.json keeps of it."""
        return {
            "devices": str(self.devices),
            "device_count": self.count,
            "processes": self.processes,
            "precision": self.precision,
        }

    @contextlib.contextmanager
    def scope(self, keras: Any) -> Iterator[None]:
        """Build, fit and evaluate inside: the precision policy and the data-parallel split (restored after)."""
        previous = keras.config.dtype_policy().name
        keras.config.set_dtype_policy(self.precision)
        try:
            with data_parallel(keras, self.devices, self.count, self.processes):
                yield
        finally:
            keras.config.set_dtype_policy(previous)


def open_hardware(keras: Any, plan: Plan, processes: int = 1) -> Hardware:
    """The devices the loaded backend sees, checked against the plan; a note when a GPU goes unused."""
    from seqtui.core.hardware.backend import backend_note
    from seqtui.core.hardware.devices import describe_devices

    seen = describe_devices(keras)
    notes = [backend_note()] if backend_note() else []
    gpus = nvidia_gpus()
    if gpus and seen.kind == "cpu" and not notes:
        notes.append(
            f"nvidia-smi lists {len(gpus)} GPU(s) but {seen.backend} sees none, so training runs on the CPU: "
            f"check the CUDA install, or {GPU_EXTRA_HINT}"
        )
    # Several processes form one mesh of all their devices: each feeds its share, none may sit out.
    count = seen.count if processes > 1 else device_count(plan, seen)
    return Hardware(seen, count, plan.precision, tuple(notes), processes)


def split_evenly(data: Any, count: int) -> Any:
    """The dataset with train, validation and test cut to multiples of `count` devices (at most count - 1
    samples each), so every batch, the last one included, splits evenly over the devices; a note says so."""
    if count <= 1:
        return data
    from seqtui.datasets.base import PARTS

    sizes = {part: len(getattr(data, f"x_{part}")) for part in PARTS}
    dropped = [f"{n % count} {part}" for part, n in sizes.items() if n % count]
    if not dropped:
        return data
    note = f"data parallel over {count} devices: left out {', '.join(dropped)} sample(s) so every batch splits evenly"
    return dataclasses.replace(
        data.cut_parts(lambda a: a[: len(a) - len(a) % count]), notes=[*data.notes, note]
    )
