"""Train a comparison's runs side by side: at most N at once, each in its own process pinned to one GPU
(`CUDA_VISIBLE_DEVICES` set for that child), or N at once on the CPU where no GPU is listed.

Each child is a fresh interpreter (multiprocessing `spawn`) that calls the runner's `train`, so every run is
an ordinary run folder; its events come back through a queue and are relayed, tagged by run, to the same
observer the sequential comparison uses. A stop request reaches every child, which ends its run
`interrupted` after the current batch; a child that fails (or dies) marks its run failed and the rest go on.
Nothing here imports Keras: only the children do.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from seqtui.core.acceleration import parse_devices
from seqtui.core.compare import CompareError, Comparison, Entry, TaggedObserver
from seqtui.core.events import BatchEnded, Event

_DONE = "done"
_FAILED = "failed"


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


def _child(
    index: int,
    entry: Entry,
    root: str,
    backend: str | None,
    device: str | None,
    events: Any,
    stop: Any,
) -> None:
    """One run in its own process: Ctrl+C is the parent's to handle, a stop request arrives via `stop`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if device is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = device
    cancel = threading.Event()

    def watch() -> None:  # polls: a child blocked in stop.wait() when it exits would hang the parent's set()
        while not stop.is_set():
            time.sleep(0.2)
        cancel.set()

    threading.Thread(target=watch, daemon=True).start()

    def relay(event: Event) -> None:
        if not isinstance(event, BatchEnded):  # per-batch events stay in the child: nothing shows them
            events.put((index, event))

    try:
        from seqtui.core.runner import train

        train(entry.config, relay, cancel, runs_dir=root, backend=backend)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which marks the run failed
        from seqtui.core.checks import Cancelled

        message = str(exc.args[0]) if exc.args else type(exc).__name__
        events.put((index, (_FAILED, message, isinstance(exc, Cancelled | KeyboardInterrupt))))
    events.put((index, _DONE))


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
    from seqtui.core.settings import Settings

    cancel = cancel or threading.Event()
    root = Path(runs_dir) if runs_dir else Settings.from_env().runs_dir
    comparison = Comparison.create(root, entries)
    ctx = multiprocessing.get_context("spawn")
    events, stop = ctx.Queue(), ctx.Event()
    free = visible_gpu_ids(gpus)[:slots] if gpus else [None] * slots
    waiting = list(range(len(entries)))
    running: dict[int, tuple[Any, str | None]] = {}

    def finish(index: int, failure: tuple[str, str] | None) -> None:
        """A child has ended: with the (status, message) it reported when its run did not complete."""
        if index not in running:  # already counted as dead
            return
        process, device = running.pop(index)
        process.join(timeout=30)
        free.append(device)
        standing = comparison.standings[index]
        if failure is not None:
            standing.status, standing.message = failure
            if standing.status == "failed" and on_error:
                on_error(entries[index], standing.message)
        elif standing.status in ("pending", "running"):  # ended without a run_end: it died
            standing.status = "failed"
            standing.message = f"the training process ended with exit code {process.exitcode}"
            if on_error:
                on_error(entries[index], standing.message)
        comparison.save()

    failures: dict[int, tuple[str, str]] = {}
    try:
        while waiting or running:
            if cancel.is_set():
                stop.set()
                waiting.clear()
            while waiting and free:
                index, device = waiting.pop(0), free.pop(0)
                process = ctx.Process(
                    target=_child,
                    args=(index, entries[index], str(root), backend, device, events, stop),
                    daemon=True,
                )
                process.start()
                running[index] = (process, device)
            try:
                index, item = events.get(timeout=0.2)
            except queue.Empty:
                for index, (process, _) in list(running.items()):
                    if not process.is_alive() and process.exitcode not in (None, 0):
                        finish(index, failures.pop(index, None))
                continue
            if item == _DONE:
                finish(index, failures.pop(index, None))
            elif isinstance(item, tuple):
                _, message, cancelled = item
                failures[index] = ("interrupted" if cancelled else "failed", message)
            else:
                comparison.standings[index].observe(item)
                observer(entries[index].label, item)
    finally:
        stop.set()
        for process, _ in running.values():
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
        for index in running:
            if comparison.standings[index].status in ("pending", "running"):
                comparison.standings[index].status = "interrupted"
        comparison.save()
    return comparison
