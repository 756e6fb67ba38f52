"""Which Keras backend trains and on what: GPUs found without importing any backend, the backend `auto`
picks, and one line naming the devices a loaded backend really uses (`jax on 1x NVIDIA H100 80GB HBM3`).

GPU detection asks `nvidia-smi` (one short subprocess, cached); whether a backend's CUDA build is
installed is read from package metadata. Neither imports TensorFlow, JAX or torch, so `--backend auto`,
`--devices` and `--precision` are checked before Keras loads.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from typing import Any

GPU_EXTRA_HINT = "pip install 'seqtui[gpu]' (`make run` does it when nvidia-smi answers)"
GPU_PREFERENCE = ("jax", "torch", "tensorflow")
"""Measured on an H100 (Keras 3.15, the lessons' scripts): JAX beat torch 1.3-5.5x; TensorFlow-GPU unmeasured."""


@dataclass(frozen=True)
class Gpu:
    name: str
    compute_capability: float | None
    """CUDA compute capability (8.0 = Ampere, 9.0 = Hopper), None when nvidia-smi doesn't say."""


@functools.cache
def nvidia_gpus() -> tuple[Gpu, ...]:
    """The NVIDIA GPUs `nvidia-smi` lists (visible to this process), or () without a working driver."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return ()
    try:
        done = subprocess.run(
            [exe, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if done.returncode != 0:
        return ()
    gpus = [_parse_gpu(line) for line in done.stdout.splitlines() if line.strip()]
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        wanted = [int(i) for i in re.findall(r"\d+", visible) if int(i) < len(gpus)]
        gpus = [gpus[i] for i in wanted]
    return tuple(gpus)


def _parse_gpu(line: str) -> Gpu:
    name, _, cap = line.rpartition(",")
    try:
        return Gpu(name.strip(), float(cap))
    except ValueError:
        return Gpu(line.strip(), None)


def _installed(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def cuda_backends() -> list[str]:
    """Keras backends whose CUDA build is installed, in order of preference (from package metadata)."""
    found = []
    if _installed("jax") and (_installed("jax-cuda12-plugin") or _installed("jax-cuda13-plugin")):
        found.append("jax")
    torch = _installed("torch")
    if torch and "+cpu" not in torch and (_installed("nvidia-cudnn-cu12") or _installed("nvidia-cudnn-cu13")):
        found.append("torch")
    if _installed("tensorflow") and (_installed("nvidia-cudnn-cu12") or _installed("nvidia-cudnn-cu13")):
        found.append("tensorflow")
    return [b for b in GPU_PREFERENCE if b in found]


def cpu_backend() -> str:
    """TensorFlow (as before `auto`), else whichever backend is installed."""
    if _installed("tensorflow") or _installed("tensorflow-cpu"):
        return "tensorflow"
    return next((b for b in ("jax", "torch") if _installed(b)), "tensorflow")


@dataclass(frozen=True)
class BackendChoice:
    backend: str
    note: str = ""
    """Why the GPU goes unused, when one is present but no installed backend can use it."""


def choose_backend(requested: str | None) -> BackendChoice:
    """`auto` (or None): a backend that sees the GPU if there is one, else the CPU one; any other name as is."""
    if requested and requested != "auto":
        return BackendChoice(requested)
    gpus = nvidia_gpus()
    if not gpus:
        return BackendChoice(cpu_backend())
    usable = cuda_backends()
    if usable:
        return BackendChoice(usable[0])
    return BackendChoice(
        cpu_backend(),
        f"{len(gpus)}x {gpus[0].name} found, but no installed Keras backend can use it; training runs on "
        f"the CPU. To use the GPU: {GPU_EXTRA_HINT}",
    )


@dataclass(frozen=True)
class Devices:
    """The devices a loaded backend trains on."""

    backend: str
    kind: str
    """'gpu' or 'cpu'."""
    names: tuple[str, ...]
    threads: int

    @property
    def count(self) -> int:
        return len(self.names)

    def __str__(self) -> str:
        if self.kind == "cpu":
            many = f"{self.count}x " if self.count > 1 else ""
            return f"{self.backend} on {many}CPU ({self.threads} threads)"
        groups = Counter(self.names)
        return f"{self.backend} on " + " + ".join(f"{n}x {name}" for name, n in groups.items())


def cpu_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def describe_devices(keras: Any) -> Devices:
    """What the loaded Keras backend trains on (all its GPUs, else its CPU devices)."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        devices = jax.devices()
        if devices[0].platform == "cpu":
            return Devices(backend, "cpu", tuple("CPU" for _ in devices), cpu_threads())
        return Devices(backend, "gpu", tuple(str(d.device_kind) for d in devices), cpu_threads())
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            names = tuple(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
            return Devices(backend, "gpu", names, cpu_threads())
        return Devices(backend, "cpu", ("CPU",), torch.get_num_threads())
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = tuple(tf.config.experimental.get_device_details(g).get("device_name", "GPU") for g in gpus)
        return Devices(backend, "gpu", names, cpu_threads())
    cpus = tf.config.list_logical_devices("CPU")
    threads = tf.config.threading.get_intra_op_parallelism_threads() or cpu_threads()
    return Devices(backend, "cpu", tuple("CPU" for _ in cpus), threads)
