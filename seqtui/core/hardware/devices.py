"""Which Keras backend trains and on what: GPUs found without importing any backend, the backend `auto`
picks, and one line naming the devices a loaded backend really uses (`jax on 1x NVIDIA H100 80GB HBM3`).

GPU detection asks `nvidia-smi` (one short subprocess, cached); whether a backend's CUDA build is
installed is read from package metadata. Neither imports TensorFlow, JAX or torch, so `--backend auto`,
`--devices` and `--precision` are checked before Keras loads.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
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
    memory: int | None = None
    """Bytes of memory, None when nvidia-smi doesn't say."""
    uuid: str = ""


SMI_FIELDS = "index,uuid,name,compute_cap,memory.total"


@functools.cache
def nvidia_gpus() -> tuple[Gpu, ...]:
    """The NVIDIA GPUs `nvidia-smi` lists that this process sees (CUDA_VISIBLE_DEVICES), or () without a
    working driver."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return ()
    try:
        done = subprocess.run(
            [exe, f"--query-gpu={SMI_FIELDS}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if done.returncode != 0:
        return ()
    gpus = [gpu for line in done.stdout.splitlines() if (gpu := _parse_gpu(line)) is not None]
    order = visible_order([g.uuid for g in gpus], os.environ.get("CUDA_VISIBLE_DEVICES"))
    return tuple(gpus[i] for i in order)


def _parse_gpu(line: str) -> Gpu | None:
    """One `index, uuid, name, compute_cap, memory.total (MiB)` line; a name may hold commas."""
    cells = [cell.strip() for cell in line.split(",")]
    if len(cells) < 5:
        return None
    name = ", ".join(cells[2:-2])
    return Gpu(name, _number(cells[-2]), _mib(cells[-1]), cells[1])


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:  # [N/A]
        return None


def _mib(text: str) -> int | None:
    mib = _number(text)
    return int(mib * 2**20) if mib else None


def visible_order(uuids: Sequence[str], visible: str | None) -> list[int]:
    """The GPUs (indices into `uuids`, nvidia-smi/NVML order) that CUDA_VISIBLE_DEVICES `visible` shows, in
    its order: entries are indices or (unique, case-blind prefixes of) GPU UUIDs; like CUDA, the list ends at
    the first entry that names no GPU (`-1`, `""`: none). Unset: all. An index is NVML's (PCI bus) order,
    which is CUDA's with CUDA_DEVICE_ORDER=PCI_BUS_ID and on machines whose GPUs are all one model."""
    if visible is None:
        return list(range(len(uuids)))
    seen: list[int] = []
    for entry in (e.strip() for e in visible.split(",")):
        if entry.isdigit():
            found = [int(entry)] if int(entry) < len(uuids) else []
        else:
            found = [i for i, u in enumerate(uuids) if entry and u.lower().startswith(entry.lower())]
        if len(found) != 1 or found[0] in seen:
            break
        seen.append(found[0])
    return seen


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
