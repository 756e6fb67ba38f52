"""Several processes (nodes) training one run: JAX's multi-process start-up through
`keras.distribution.initialize`, from a SLURM job step or Keras' own environment variables.

One process per node (`srun --ntasks-per-node=1`), each seeing its node's GPUs; together they form one
device mesh, each process feeds its own share of the data, and process 0 alone writes the run folder and
prints progress.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from seqtui.core.hardware.backend import BackendError

JOIN_TIMEOUT_S = 120
"""How long a process waits for the others to join (JAX's default is 5 minutes); SEQTUI_CLUSTER_TIMEOUT."""
HEARTBEAT_TIMEOUT_S = 60
"""How long a silent process (a frozen node, a cut network) goes unnoticed (JAX's default is 100 s)."""
PEER_LOST_WORDS = ("Gloo", "closed by peer", "reset by peer", "heartbeat", "coordination service")
"""What JAX's collectives and distributed runtime say when another process of the run went away."""


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
        check_coordinator_port()
        # Keras' variables first; without them jax.distributed.initialize() reads the SLURM environment.
        with _bounded_waits(jax), _keeping_sigterm(), _native_stdout_to_stderr():
            keras.distribution.initialize()
        start_cluster.started = True  # type: ignore[attr-defined]
    return jax.process_index(), jax.process_count()


@contextmanager
def _keeping_sigterm() -> Iterator[None]:
    """JAX's runtime takes SIGTERM over for its preemption notice (a C handler that only records it), so
    SLURM's time limit, `kill` and the launcher's stop would no longer stop the run: give it back to the
    handler the run installed (stop after this batch)."""
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        if before is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, before)


@contextmanager
def _native_stdout_to_stderr() -> Iterator[None]:
    """Gloo announces its connections on the process's stdout (`[Gloo] Rank 0 is connected ...`) while the
    processes join: send that to stderr, so `--json` keeps stdout pure."""
    import sys

    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (an embedding program): nothing to protect
        yield
        return
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def join_timeout(env: dict[str, str] | None = None) -> int:
    """Seconds a process waits for the others to join: SEQTUI_CLUSTER_TIMEOUT, else JOIN_TIMEOUT_S."""
    raw = (os.environ if env is None else env).get("SEQTUI_CLUSTER_TIMEOUT", "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else JOIN_TIMEOUT_S


@contextmanager
def _bounded_waits(jax: Any) -> Iterator[None]:
    """Keras' `initialize()` starts JAX's runtime with JAX's defaults (5 minutes to join, 100 s of silence
    before a process counts as dead): a process that never comes (a bad file on its node) would hold the
    allocation that long. Inside this block the waits are seqtui's; Keras' own start-up is kept (its address
    parsing, the seed all processes share)."""
    distributed = getattr(jax, "distributed", None)
    original = getattr(distributed, "initialize", None)
    if original is None:
        yield
        return
    distributed.initialize = functools.partial(  # type: ignore[union-attr]
        original, initialization_timeout=join_timeout(), heartbeat_timeout_seconds=HEARTBEAT_TIMEOUT_S
    )
    try:
        yield
    finally:
        distributed.initialize = original  # type: ignore[union-attr]


def coordinator(env: dict[str, str] | None = None) -> tuple[str, int] | None:
    """(host, port) of process 0 from KERAS_DISTRIBUTION_JOB_ADDRESSES (its first address), if set."""
    raw = (os.environ if env is None else env).get("KERAS_DISTRIBUTION_JOB_ADDRESSES", "").split(",")[0]
    host, sep, port = raw.strip().rpartition(":")
    return (host.strip("[]"), int(port)) if sep and port.isdigit() else None


def port_in_use(port: int) -> bool:
    """Whether another program holds `port` (JAX's coordinator binds it on every interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return True
    return False


def check_coordinator_port(env: dict[str, str] | None = None) -> None:
    """Process 0 runs the coordinator: refuse (BackendError, before joining) a port another program holds,
    which JAX would report by aborting the process."""
    env = os.environ if env is None else env
    address = coordinator(env)
    if address is None or env.get("KERAS_DISTRIBUTION_PROCESS_ID", "0").strip() != "0":
        return
    if port_in_use(address[1]):
        raise BackendError(
            f"the coordinator port {address[1]} (KERAS_DISTRIBUTION_JOB_ADDRESSES) is in use by another "
            "program; pick a free port for every process"
        )


def explain_failure(text: str, processes: int) -> str:
    """A training error as the run records it: when another process of a multi-process run went away (JAX's
    collectives lost their peer), say so first, since the words of the error don't."""
    if processes > 1 and any(word in text for word in PEER_LOST_WORDS):
        return f"another process of this run stopped (killed, out of memory, or its node went away): {text}"
    return text


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


def any_process(flag: bool) -> bool:
    """Whether `flag` is true in any process of the run (every process must call this at the same point)."""
    import numpy as np
    from jax.experimental import multihost_utils

    return bool(np.asarray(multihost_utils.process_allgather(np.array([flag]))).any())
