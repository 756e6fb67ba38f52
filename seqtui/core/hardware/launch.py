"""Several processes of one run on this machine (`seqtui train --processes N`): what SLURM's `srun` does on a
cluster, for a multi-GPU node or for trying the multi-node path before there is a cluster.

The launcher picks a free coordinator port on localhost, starts N copies of the command with Keras'
KERAS_DISTRIBUTION_* variables (one GPU each where there are GPUs, else one CPU device each) and watches
them: when one dies the others get a short grace to fail by themselves (JAX's collectives notice a lost
peer within seconds), then are stopped, and the message names the process and its cause. Stop signals
reach every process once. Its exit code is the run's: process 0's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from seqtui.common.errors import EXIT_FAILED, EXIT_INTERRUPTED, SeqtuiError
from seqtui.common.redact import redact_text
from seqtui.common.text import inert

GRACE_S = 10.0
"""After a process died: how long the others get to end by themselves, then after SIGTERM before SIGKILL."""
POLL_S = 0.2


class LaunchError(SeqtuiError):
    """--processes that this machine can't run: one message, exit 2, nothing started."""

    title = "Cannot start the processes"


@dataclass(frozen=True)
class LocalCluster:
    """N processes of one run on this machine: the coordinator's port and, on GPUs, one GPU each."""

    processes: int
    port: int
    gpus: tuple[str, ...] = ()
    """CUDA_VISIBLE_DEVICES of each process (empty: CPU, one device each)."""
    kind = "process"
    together = True
    """One run: when a process dies the others must stop too."""

    def intro(self) -> str:
        return (
            f"{self.processes} processes of one run on this machine (coordinator 127.0.0.1:{self.port}); "
            "process 0 writes the run folder and reports"
        )

    def env(self, process: int, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of process `process`: Keras' distribution variables, JAX, its GPU."""
        env = dict(os.environ if base is None else base)
        env.update(
            KERAS_BACKEND="jax",
            KERAS_DISTRIBUTION_JOB_ADDRESSES=f"127.0.0.1:{self.port}",
            KERAS_DISTRIBUTION_NUM_PROCESSES=str(self.processes),
            KERAS_DISTRIBUTION_PROCESS_ID=str(process),
        )
        if self.gpus:
            env["CUDA_VISIBLE_DEVICES"] = self.gpus[process]
        return env


@dataclass(frozen=True)
class Workers:
    """N sweep workers on one study on this machine (`seqtui sweep --workers N`): independent processes, one
    GPU each (in turn) where there are GPUs; one that dies leaves the others going."""

    processes: int
    gpus: tuple[str, ...] = ()
    kind = "worker"
    together = False

    def intro(self) -> str:
        where = f", one GPU each of {len(self.gpus)}" if self.gpus else ""
        return f"{self.processes} workers on one study{where}; worker 0's trials are shown, the study has them all"

    def env(self, worker: int, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        if self.gpus:
            env["CUDA_VISIBLE_DEVICES"] = self.gpus[worker % len(self.gpus)]
        return env


def plan_workers(workers: int) -> Workers:
    """--workers N: any number (several may share a GPU or the CPU); the GPUs that nvidia-smi lists."""
    from seqtui.core.hardware.devices import nvidia_gpus

    if workers < 1:
        raise LaunchError(f"--workers {workers}: give a number of workers from 1 up")
    return Workers(workers, tuple(str(i) for i in range(len(nvidia_gpus()))))


def free_port() -> int:
    """A TCP port nobody holds now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def plan_local_cluster(processes: int, backend: str | None) -> LocalCluster:
    """Check --processes against the backend and this machine (LaunchError), before anything starts."""
    from seqtui.core.hardware.devices import choose_backend, cuda_backends, nvidia_gpus

    if processes < 1:
        raise LaunchError(f"--processes {processes}: give a number of processes from 1 up")
    chosen = choose_backend(backend).backend
    if chosen != "jax":
        raise LaunchError(
            f"--processes trains one run in several processes with JAX only, and the backend would be {chosen}: "
            "add --backend jax (pip install jax, or 'seqtui[gpu]' for GPUs)"
        )
    gpus = nvidia_gpus() if "jax" in cuda_backends() else ()
    available, what = (len(gpus), "GPU") if gpus else (os.cpu_count() or 1, "CPU core")
    if processes > available:
        raise LaunchError(
            f"--processes {processes}: this machine has {available} {what}{'s' if available > 1 else ''} and "
            f"each process takes one; use --processes {available} or fewer"
        )
    return LocalCluster(processes, free_port(), tuple(str(i) for i in range(processes)) if gpus else ())


@dataclass
class _Child:
    number: int
    popen: subprocess.Popen[bytes]
    log: Path | None
    """Where its stderr goes (process 0 writes to the terminal)."""
    reported: bool = False


STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


@dataclass
class Launcher:
    """Starts and watches the processes of one run; `say` prints a line for the user (stderr)."""

    cluster: LocalCluster | Workers
    say: Callable[[str], None]
    children: list[_Child] = field(default_factory=list)
    stops: int = 0
    """Stop signals received (Ctrl+C, SIGTERM, SIGHUP), each forwarded once to every process."""

    def run(self, args: Sequence[str]) -> int:
        """Run `seqtui ARGS` in every process; the exit code of the run (process 0's)."""
        with tempfile.TemporaryDirectory(prefix="seqtui-launch-") as logs:
            previous = self._forward_signals()
            try:
                self._start(args, Path(logs))
                return self._watch()
            finally:
                self._stop_all(signal.SIGKILL, wait=GRACE_S)
                for signum, handler in previous.items():
                    signal.signal(signum, handler)

    def _start(self, args: Sequence[str], logs: Path) -> None:
        self.say(self.cluster.intro())
        for number in range(self.cluster.processes):
            log = None if number == 0 else logs / f"{self.cluster.kind}-{number}.log"
            env = self.cluster.env(number)
            if number and self.cluster.together:  # its copy of the run folder, removed even if it is killed
                env["TMPDIR"] = str(logs / f"tmp-{number}")
                Path(env["TMPDIR"]).mkdir()
            with open(os.devnull, "wb") if log is None else log.open("wb") as stderr_file:
                popen = subprocess.Popen(
                    [sys.executable, "-m", "seqtui", *args],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=None if number == 0 else subprocess.DEVNULL,
                    stderr=None if number == 0 else stderr_file,
                    start_new_session=True,  # a Ctrl+C reaches them once, through the launcher
                )
            self.children.append(_Child(number, popen, log))
            self.say(f"{self.cluster.kind} {number}: pid {popen.pid}")

    def _watch(self) -> int:
        """Wait for every process; when one dies, bound how long the others may take."""
        deadline: float | None = None
        while any(c.popen.poll() is None for c in self.children):
            dead = [c for c in self.children if self._died(c) and not c.reported]
            for child in dead:
                child.reported = True
                self.say(self._death(child))
                if self.cluster.together:
                    deadline = deadline or time.monotonic() + GRACE_S
            if deadline is None and self.cluster.together and self.children[0].popen.returncode is not None:
                deadline = time.monotonic() + GRACE_S  # the run ended: the others only shut down
            if deadline is not None and time.monotonic() > deadline:
                self.say(f"stopping the other processes (they did not end within {GRACE_S:g} s)")
                self._stop_all(signal.SIGTERM, wait=GRACE_S)
                break
            time.sleep(POLL_S)
        for child in self.children:
            if self._died(child) and not child.reported and child.number:
                child.reported = True
                self.say(self._death(child))
        return self._exit_code()

    def _died(self, child: _Child) -> bool:
        """Ended badly: not a success, nor the interrupted end of a stop that was asked for (here, or by a
        signal sent to that process)."""
        return child.popen.returncode not in (None, 0, EXIT_INTERRUPTED)

    def _exit_code(self) -> int:
        """One run: process 0's exit code (ended by a signal: a failed, crashed run). Workers: 130 when they
        were stopped, 1 when any failed, else 0."""
        codes = [c.popen.returncode for c in self.children]
        if not self.cluster.together:
            return (
                EXIT_INTERRUPTED if EXIT_INTERRUPTED in codes else max(EXIT_FAILED * (c != 0) for c in codes)
            )
        return EXIT_FAILED if codes[0] is None or codes[0] < 0 else codes[0]

    def _death(self, child: _Child) -> str:
        """`process N of M (pid P) CAUSE`, with the last words it wrote (secrets masked, inert)."""
        code = child.popen.returncode or 0
        if code < 0:
            name = signal.Signals(-code).name
            cause = f"was killed by {name}" + (
                " (the kernel's out-of-memory killer sends it too)" if name == "SIGKILL" else ""
            )
        else:
            cause = f"exited with code {code}"
        last = last_words(child.log) if child.log else ""
        tail = f": {last}" if last else ""
        who = f"{self.cluster.kind} {child.number} of {self.cluster.processes}"
        return f"{who} (pid {child.popen.pid}) {cause}{tail}"

    def _forward_signals(self) -> dict[int, object]:
        def forward(signum: int, frame: object) -> None:
            self.stops += 1
            for child in self.children:
                if child.popen.poll() is None:
                    child.popen.send_signal(signum)

        previous = {}
        for signum in STOP_SIGNALS:
            if signum == signal.SIGINT or signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, forward)
        return previous

    def _stop_all(self, signum: int, wait: float) -> None:
        """Send `signum` to every process still running; SIGKILL whichever is left after `wait` seconds."""
        running = [c.popen for c in self.children if c.popen.poll() is None]
        for popen in running:
            popen.send_signal(signum)
        end = time.monotonic() + wait
        for popen in running:
            try:
                popen.wait(max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()


def last_words(log: Path, limit: int = 300) -> str:
    """The last line a process wrote that says something (an `error:`/`failed:` line first), inert."""
    try:
        lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    said = [ln for ln in lines if ln.startswith(("error:", "failed:", "crashed:"))] or lines[-1:]
    return inert(redact_text(said[-1][:limit]), keep="") if said else ""
