"""Train a comparison's runs side by side: at most N at once, each in its own process pinned to one GPU
(`CUDA_VISIBLE_DEVICES` set for that child), or N at once on the CPU where no GPU is listed.

Each child is a fresh interpreter (multiprocessing `spawn`) that calls the runner's `train`, so every run is
an ordinary run folder; its events come back through a pipe of its own and are relayed, tagged by run, to
the same observer the sequential comparison uses. A stop request reaches every child, which ends its run
`interrupted` after the current batch; a child that fails (or dies) marks its run failed and the rest go on.
Nothing here imports Keras: only the children do.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from seqtui.common.errors import short_message
from seqtui.core.experiments.compare import CompareError, Comparison, Entry, TaggedObserver
from seqtui.core.hardware.acceleration import parse_devices
from seqtui.core.training.events import BatchEnded, Event


def device_slots(requested: str, gpus: int) -> int:
    """How many runs train at once for `--devices all|N`, given the GPUs nvidia-smi lists.

    `all` is every listed GPU (1 without any); N must be at least 1 and, where GPUs are listed, at most
    their number. Without a GPU, N means N runs at once on the CPU."""
    slots = parse_devices(requested)
    if isinstance(slots, str):
        raise CompareError(f"--devices {requested!r}: give `all` or a number of runs at once, 1 or more")
    if slots is None:
        return max(1, gpus)
    if gpus and slots > gpus:
        raise CompareError(
            f"--devices {slots}: nvidia-smi lists only {gpus} GPU{'s' if gpus > 1 else ''}; "
            f"give --devices {gpus} (or all) for one run per GPU"
        )
    return slots


def visible_gpu_ids(gpus: int) -> list[str]:
    """The ids to hand the children one by one: this process's CUDA_VISIBLE_DEVICES, else 0..gpus-1."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = re.findall(r"[^,\s]+", visible) if visible is not None else []
    return ids[:gpus] if len(ids) >= gpus else [str(i) for i in range(gpus)]


def _child(entry: Entry, root: str, backend: str | None, device: str | None, events: Any, stop: Any) -> None:
    """One run in its own process. Its events go out through `events`, its end through closing it; Ctrl+C is the
    parent's to handle (and SIGTERM, SIGHUP: they reach the whole process group), a stop request arrives through
    `stop` (or as its end of file, should the parent die)."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if device is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = device
    cancel = threading.Event()

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            stop.recv()
        cancel.set()

    threading.Thread(target=watch, daemon=True).start()

    def relay(event: Event) -> None:
        if not isinstance(event, BatchEnded):  # per-batch events stay in the child: nothing shows them
            events.send(event)

    try:
        from seqtui.core.training.runner import train

        train(entry.config, relay, cancel, runs_dir=root, backend=backend)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which marks the run failed
        from seqtui.core.config.errors import Cancelled

        status = "interrupted" if isinstance(exc, Cancelled | KeyboardInterrupt) else "failed"
        events.send((status, short_message(exc)))
    events.close()


class _Child:
    """The parent's side of one child: its process, the GPU it holds, and its two pipe ends.

    Each child writes to a pipe of its own, so a child that dies (out of memory, a crashed driver) ends only
    that pipe, read as its end of file, and can never leave a lock held that the parent waits on."""

    def __init__(
        self, ctx: Any, index: int, entry: Entry, root: Path, backend: str | None, device: str | None
    ):
        self.index, self.device = index, device
        self.events, events_end = ctx.Pipe(duplex=False)
        stop_end, self.stop_end = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_child, args=(entry, str(root), backend, device, events_end, stop_end), daemon=True
        )
        self.process.start()
        events_end.close()  # the child holds the only writing end now: its exit is this pipe's end of file
        stop_end.close()
        self.failure: tuple[str, str] | None = None

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # it may have gone already
            self.stop_end.send(None)

    def close(self) -> None:
        """Close the parent's pipe ends and wait for the ended process (30 s at most)."""
        self.events.close()
        self.stop_end.close()
        self.process.join(timeout=30)


def run_side_by_side(
    entries: Sequence[Entry],
    observer: TaggedObserver,
    slots: int,
    gpus: int,
    cancel: threading.Event | None = None,
    runs_dir: Path | None = None,
    backend: str | None = None,
    on_error: Callable[[Entry, str], None] | None = None,
) -> Comparison:
    """Train `entries` at most `slots` at a time, one process each (pinned to one GPU when `gpus`)."""
    from seqtui.core.config.settings import Settings

    cancel = cancel or threading.Event()
    root = Path(runs_dir) if runs_dir else Settings.from_env().runs_dir
    comparison = Comparison.create(root, entries)
    ctx = multiprocessing.get_context("spawn")
    free = visible_gpu_ids(gpus)[:slots] if gpus else [None] * slots
    waiting = list(range(len(entries)))
    running: dict[Any, _Child] = {}  # by the pipe its events arrive on
    stopping = False

    def finish(child: _Child) -> None:
        """`child` has ended: hand its device on and record how its run ended."""
        del running[child.events]
        child.close()
        free.append(child.device)
        _record_end(child, comparison, entries[child.index], on_error)

    try:
        while waiting or running:
            if cancel.is_set() and not stopping:
                stopping = True
                waiting.clear()
                for child in running.values():
                    child.stop()
            while waiting and free:
                index = waiting.pop(0)
                child = _Child(ctx, index, entries[index], root, backend, free.pop(0))
                running[child.events] = child
            for pipe in multiprocessing.connection.wait(list(running), timeout=0.2):
                child = running[pipe]
                if not _relay(child, comparison, entries[child.index], observer):
                    finish(child)
    finally:
        _stop_all(list(running.values()), comparison)
    return comparison


def _relay(child: _Child, comparison: Comparison, entry: Entry, observer: TaggedObserver) -> bool:
    """Pass on what `child` sent next: an event to its standing and `observer`, a failure to `child.failure`.

    False when its pipe has ended instead (the child has)."""
    try:
        item = child.events.recv()
    except (EOFError, OSError):
        return False
    if isinstance(item, tuple):
        child.failure = item
    else:
        comparison.standings[child.index].observe(item)
        observer(entry.label, item)
    return True


def _record_end(
    child: _Child, comparison: Comparison, entry: Entry, on_error: Callable[[Entry, str], None] | None
) -> None:
    """`child` has ended: its run failed if it reported so, or if it ended without a run_end (it died)."""
    standing = comparison.standings[child.index]
    failure = child.failure
    if failure is None and standing.status in ("pending", "running"):  # no run_end: it died
        failure = ("failed", f"the training process ended with exit code {child.process.exitcode}")
    if failure is not None:
        standing.status, standing.message = failure
        if standing.status == "failed" and on_error:
            on_error(entry, standing.message)
    comparison.save()


def _stop_all(children: list[_Child], comparison: Comparison) -> None:
    """Stop the children still running and wait for them (terminating any that hang); the runs they leave
    unfinished are interrupted."""
    for child in children:
        child.stop()
    for child in children:
        child.process.join(timeout=60)
        if child.process.is_alive():
            child.process.kill()  # it ignores SIGTERM (see _child)
        if comparison.standings[child.index].status in ("pending", "running"):
            comparison.standings[child.index].status = "interrupted"
    comparison.save()
