"""Headless training as `seqtui train` runs it: the output picked for where stdout goes, the Ctrl+C
handler, and the run itself. The Typer door (`cli.py`) turns what it returns into an exit code.

Nothing here imports Keras at module level.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from seqtui.common.errors import EXIT_INTERRUPTED
from seqtui.core.events import RunStarted

if TYPE_CHECKING:
    from seqtui.core.config import RunConfig
    from seqtui.core.events import RunEnded

RESUME_OPTIONS = ("epochs", "learning_rate", "patience")
"""The only settings a resume may change."""


@contextlib.contextmanager
def interrupt_handler(
    cancel: threading.Event, err: Console | None = None, training: threading.Event | None = None
) -> Iterator[None]:
    """First Ctrl+C: stop after the current batch. Second: stop at once (the run folder stays consistent).
    Third: exit on the spot. The previous handler is restored afterwards.

    While `training` is not set yet (data still loading, the model being built) the first Ctrl+C stops at
    once: there is no batch to finish, and loading a large file can take a minute."""
    err = err or Console(stderr=True)
    presses = 0

    def handler(signum: int, frame: Any) -> None:
        nonlocal presses
        presses += 1
        if training is not None and not training.is_set():
            cancel.set()
            raise KeyboardInterrupt("stopped before training started")
        if presses == 1:
            cancel.set()
            err.print("[yellow]stopping after this batch; press Ctrl+C again to quit at once[/]")
        elif presses == 2:
            err.print("[yellow]quitting now[/]")
            raise KeyboardInterrupt
        else:
            os._exit(EXIT_INTERRUPTED)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (an embedding program): it handles interrupts itself
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _analysis_view(reporter: Any, interactive: bool, err: Console) -> Callable[[int, int], None]:
    """Morpheme analysis progress: a bar in the live view, else a line on stderr every few seconds (only
    for inputs of more than one batch)."""
    from seqtui.datasets.morphemes import BATCH

    task: Any = None
    last = 0.0

    def show(done: int, total: int) -> None:
        nonlocal task, last
        if interactive:
            if task is None:
                task = reporter.progress.add_task("morphemes", total=total, rate="", metrics="")
            reporter.progress.update(task, completed=done)
        elif total > BATCH and (done == total or time.monotonic() - last > 5):
            last = time.monotonic()
            err.print(f"analysing morphemes: {done:,} of {total:,} texts", highlight=False)

    return show


def run_training(
    config: RunConfig | None,
    resume: Path | None,
    changes: dict[str, Any],
    runs_dir: Path | None,
    backend: str | None,
    as_json: bool,
    out: Console,
    err: Console,
    tensorboard: bool | None = None,
    mlflow_uri: str | None = None,
    devices: str | None = None,
) -> RunEnded:
    """Train `config` (or continue the run folder `resume` with `changes`, a subset of RESUME_OPTIONS).

    JSON lines with `as_json` (anything else printed meanwhile goes to stderr, so stdout stays pure), a live
    view on a terminal ending with the loss chart and the test metrics, plain lines in a log.
    """
    from seqtui import console as views
    from seqtui.core import runner
    from seqtui.core.resume import resume as resume_run
    from seqtui.datasets.morphemes import on_progress

    cancel, training = threading.Event(), threading.Event()
    interactive = not as_json and sys.stdout.isatty()
    if as_json:
        view: Any = views.JsonReporter(sys.stdout)
    elif interactive:
        view = views.RichReporter(out)
    else:
        view = views.PlainReporter(sys.stdout)

    def reporter(event: Any) -> None:
        if isinstance(event, RunStarted):
            training.set()
        view(event)

    where = {
        "runs_dir": runs_dir,
        "backend": backend,
        "tensorboard": tensorboard,
        "mlflow_uri": mlflow_uri,
        "devices": devices,
    }

    def go() -> RunEnded:
        with interrupt_handler(cancel, err, training), on_progress(_analysis_view(view, interactive, err)):
            if resume is not None:
                return resume_run(resume, reporter, cancel, **where, **changes)
            assert config is not None
            return runner.train(config, reporter, cancel, **where)

    if as_json:
        with contextlib.redirect_stdout(sys.stderr):
            return go()
    if not interactive:
        return go()
    with view:
        end = go()
    if view.history:
        from rich.text import Text

        out.print(Text.from_ansi(views.loss_chart(view.history, color=not out.no_color)))
    out.print(views.run_end_table(end))
    return end
