"""Several processes (nodes) training one run: JAX's multi-process start-up through
`keras.distribution.initialize`, from a SLURM job step or Keras' own environment variables.

One process per node (`srun --ntasks-per-node=1`), each seeing its node's GPUs; together they form one
device mesh, each process feeds its own share of the data, and process 0 alone writes the run folder and
prints progress.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from seqtui.core.hardware.backend import BackendError


def cluster_size(env: dict[str, str] | None = None) -> int:
    """How many processes train together: KERAS_DISTRIBUTION_NUM_PROCESSES, else a SLURM job step's
    SLURM_NTASKS (inside `srun`, where SLURM_STEP_ID is set), else 1."""
    env = os.environ if env is None else env
    raw = env.get("KERAS_DISTRIBUTION_NUM_PROCESSES")
    if raw is None and env.get("SLURM_STEP_ID") is not None:
        raw = env.get("SLURM_NTASKS")
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def start_cluster(keras: Any) -> tuple[int, int]:
    """Join the other processes (once per process); returns (this process's index, process count)."""
    size = cluster_size()
    if size == 1:
        return 0, 1
    if keras.backend.backend() != "jax":
        raise BackendError(
            f"{size} processes (SLURM or KERAS_DISTRIBUTION_NUM_PROCESSES) train together only on JAX: "
            "add --backend jax (pip install 'seqtui[gpu]')"
        )
    import jax

    if not getattr(start_cluster, "started", False):
        # Keras' variables first; without them jax.distributed.initialize() reads the SLURM environment.
        keras.distribution.initialize()
        start_cluster.started = True  # type: ignore[attr-defined]
    return jax.process_index(), jax.process_count()


def shard(data: Any, process: int, processes: int) -> Any:
    """This process's share of train/validation/test: every `processes`-th sample from `process` on,
    each share cut to the same length (the processes must feed equal batches)."""
    if processes == 1:
        return data
    return data.cut_parts(lambda a: a[process::processes][: len(a) // processes])


@contextmanager
def scratch_for(process: int) -> Iterator[Path | None]:
    """None for process 0, which writes the run folder; for the others, a temporary folder to write their
    copy in, removed when the block ends."""
    if not process:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="seqtui-process-") as path:
        yield Path(path)
