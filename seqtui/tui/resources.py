"""A one-line view of what training costs the machine: this process's CPU and memory (psutil), and the GPU's
utilisation and memory when there is an NVIDIA one (nvidia-ml-py; anything missing just leaves it out).

Sampled from the UI's timer about once a second, never from the training thread: one sample is a few
system calls (well under a millisecond).
"""

from __future__ import annotations

from typing import Any

GIB = 2**30


class ResourceMonitor:
    def __init__(self) -> None:
        import psutil

        self.psutil = psutil
        self.process = psutil.Process()
        self.cores = psutil.cpu_count() or 1
        self.process.cpu_percent(None)  # the first call only starts the measurement
        self.gpu = self._open_gpu()

    @staticmethod
    def _open_gpu() -> Any | None:
        """The first NVIDIA GPU's NVML handle, or None (no package, no driver, no device)."""
        try:
            import pynvml

            pynvml.nvmlInit()
            if pynvml.nvmlDeviceGetCount() < 1:
                return None
            return pynvml.nvmlDeviceGetHandleByIndex(0)
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
