"""A one-line view of what training costs the machine: this process's CPU and memory (psutil), and the GPU's
utilisation and memory when there is an NVIDIA one (nvidia-ml-py; anything missing just leaves it out): the
first GPU this process uses, as CUDA_VISIBLE_DEVICES names it, not NVML's GPU 0.

Sampled from the UI's timer about once a second, never from the training thread: one sample is a few
system calls (well under a millisecond).
"""

from __future__ import annotations

import os
from typing import Any

from seqtui.core.hardware.devices import visible_order

GIB = 2**30


def first_visible_gpu(nvml: Any, visible: str | None) -> Any | None:
    """The NVML handle of the GPU that CUDA numbers 0 in this process (CUDA_VISIBLE_DEVICES `visible`, read
    by `seqtui.core.hardware.devices.visible_order`; a MIG instance's UUID names its own handle), or None where CUDA
    sees no GPU."""
    first = (visible or "").split(",")[0].strip()
    if first.startswith("MIG-"):
        return nvml.nvmlDeviceGetHandleByUUID(first)
    handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(nvml.nvmlDeviceGetCount())]
    if visible is None:
        return handles[0] if handles else None
    order = visible_order([_uuid(nvml, h) for h in handles], visible)
    return handles[order[0]] if order else None


def _uuid(nvml: Any, handle: Any) -> str:
    uuid = nvml.nvmlDeviceGetUUID(handle)
    return uuid.decode() if isinstance(uuid, bytes) else str(uuid)  # older nvidia-ml-py gives bytes


class ResourceMonitor:
    """This process's use of the machine, or (`pid`) another one's: the trainer a watch view follows.
    psutil.Error (the process ended, or belongs to another user) reaches the caller."""

    def __init__(self, pid: int | None = None) -> None:
        import psutil

        self.psutil = psutil
        self.process = psutil.Process(pid)
        self.cores = psutil.cpu_count() or 1
        self.process.cpu_percent(None)  # the first call only starts the measurement
        self.gpu = self._open_gpu(self._visible_devices(pid))

    def _visible_devices(self, pid: int | None) -> str | None:
        """CUDA_VISIBLE_DEVICES of the process measured (this one's own where its environment can't be read)."""
        if pid is not None:
            try:
                return self.process.environ().get("CUDA_VISIBLE_DEVICES")
            except self.psutil.Error:
                pass
        return os.environ.get("CUDA_VISIBLE_DEVICES")

    @staticmethod
    def _open_gpu(visible: str | None) -> Any | None:
        """The NVML handle of the first GPU the process uses, or None (no package, no driver, no device)."""
        try:
            import pynvml

            pynvml.nvmlInit()
            return first_visible_gpu(pynvml, visible)
        except Exception:  # noqa: BLE001 - NVML raises its own error types for every missing piece
            return None

    def sample(self) -> str:
        """'CPU 93% of 2 cores · RAM 1.2 GiB (61% of the machine in use) · GPU 40% 3.1/80.0 GiB'."""
        cpu = self.process.cpu_percent(None) / self.cores
        rss = self.process.memory_info().rss / GIB
        used = self.psutil.virtual_memory().percent
        text = f"CPU {cpu:.0f}% of {self.cores} cores · RAM {rss:.1f} GiB ({used:.0f}% of the machine in use)"
        gpu = self._gpu_text()
        return f"{text} · {gpu}" if gpu else text

    def _gpu_text(self) -> str:
        if self.gpu is None:
            return ""
        try:
            import pynvml

            busy = pynvml.nvmlDeviceGetUtilizationRates(self.gpu).gpu
            memory = pynvml.nvmlDeviceGetMemoryInfo(self.gpu)
        except Exception:  # noqa: BLE001 - a GPU that went away: say nothing rather than fail
            self.gpu = None
            return ""
        return f"GPU {busy}% {memory.used / GIB:.1f}/{memory.total / GIB:.1f} GiB"
