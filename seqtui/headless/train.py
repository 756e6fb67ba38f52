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
from rich.text import Text

from seqtui.common.errors import EXIT_INTERRUPTED
from seqtui.core.training.events import RunStarted
from seqtui.render.safe_console import SafeConsole

if TYPE_CHECKING:
    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.runs.notify import Outcome
    from seqtui.core.training.events import Event, Observer, RunEnded
    from seqtui.render.output import OutputMode

RESUME_OPTIONS = ("epochs", "learning_rate", "patience")
"""The only settings a resume may change."""


STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""What stops a run like Ctrl+C: Ctrl+C itself, SIGTERM (`kill`, `docker stop`, SLURM's time limit) and SIGHUP
(the terminal or SSH session went away). A signal the process was started ignoring (`nohup` ignores SIGHUP)
stays ignored."""


def _signal_name(signum: int) -> str:
    return "Ctrl+C" if signum == signal.SIGINT else signal.Signals(signum).name


@contextlib.contextmanager
def interrupt_handler(
    cancel: threading.Event, err: Console | None = None, training: threading.Event | None = None
) -> Iterator[None]:
    """First Ctrl+C (or SIGTERM, SIGHUP: STOP_SIGNALS): stop after the current batch. Second: stop at once
    (the run folder stays consistent). Third: exit on the spot. The previous handlers are restored afterwards.

    While `training` is not set yet (data still loading, the model being built) the first Ctrl+C stops at
    once: there is no batch to finish, and loading a large file can take a minute."""
    err = err or SafeConsole(stderr=True)
    presses = 0

    def handler(signum: int, frame: Any) -> None:
        nonlocal presses
        presses += 1
        if training is not None and not training.is_set():
            cancel.set()
            raise KeyboardInterrupt("stopped before training started")
        if presses == 1:
            cancel.set()
            err.print(
                f"[yellow]{_signal_name(signum)}: stopping after this batch; press Ctrl+C again to quit at once[/]"
            )
        elif presses == 2:
            err.print("[yellow]quitting now[/]")
            raise KeyboardInterrupt
        else:
            os._exit(EXIT_INTERRUPTED)

    try:
        previous = {
            signum: signal.signal(signum, handler)
            for signum in STOP_SIGNALS
            if signum == signal.SIGINT or signal.getsignal(signum) is not signal.SIG_IGN
        }
    except ValueError:  # not the main thread (an embedding program): it handles interrupts itself
        yield
        return
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


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


def in_live_view(start: Callable[..., RunEnded], out: Console) -> Callable[..., RunEnded]:
    """`start` (a `Start`), each run it trains shown in a live view of its own (compare: one after another)."""
    from seqtui.render.reporters import RichReporter

    def run(config: RunConfig, observer: Observer, cancel: threading.Event, **more: Any) -> RunEnded:
        with RichReporter(out) as live:

            def both(event: Event) -> None:
                observer(event)
                live(event)

            return start(config, both, cancel, **more)

    return run


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
    notify: str | None = None,
) -> RunEnded:
    """Train `config` (or continue the run folder `resume` with `changes`, a subset of RESUME_OPTIONS).

    JSON lines with `as_json` (anything else printed meanwhile goes to stderr, so stdout stays pure), a live
    view on a terminal ending with the loss chart and the test metrics, plain lines in a log. The engine
    checks the settings once, before TensorFlow loads (a resume: its folder, under the folder's lock).
    `notify` (a command or webhook URL; None: SEQTUI_NOTIFY) is told how the run ended.
    """
    from seqtui.core.hardware.cluster import cluster_size
    from seqtui.core.training.start import Start
    from seqtui.datasets.morphemes import on_progress
    from seqtui.datasets.read_cost import on_estimate
    from seqtui.render.output import output_mode, stdout_kept_for

    target = notify_target(notify)
    start = Start(runs_dir, backend, tensorboard, mlflow_uri, devices)
    cancel, training = threading.Event(), threading.Event()
    mode = output_mode(as_json)
    view = _reporter(mode, out)

    def reporter(event: Any) -> None:
        if isinstance(event, RunStarted):
            training.set()
        view(event)

    with (
        stdout_kept_for(mode),
        view if mode == "live" else contextlib.nullcontext(),
        # Several processes of one run stop together, after an agreed batch: never "at once" alone.
        interrupt_handler(cancel, err, training if cluster_size() == 1 else None),
        on_progress(_analysis_view(view, mode == "live", err)),
        on_estimate(
            lambda line: err.print(Text.assemble(("warning:", "bold yellow"), " ", line), highlight=False)
        ),
    ):
        if resume is not None:
            end = start.resume(resume, reporter, cancel, **changes)
        else:
            assert config is not None
            end = start(config, reporter, cancel)
    if mode == "live":
        _show_end(view, end, out)
    if target:
        notify_end(target, run_outcome(end), err)
    return end


def notify_target(given: str | None) -> str | None:
    """The notifier: `--notify` as given ("" turns SEQTUI_NOTIFY off), else SEQTUI_NOTIFY; checked before
    anything starts (NotifyError)."""
    from seqtui.core.config.settings import Settings
    from seqtui.core.runs.notify import check_target

    return check_target(given if given is not None else Settings.from_env().notify)


def notify_end(target: str | None, outcome: Outcome, err: Console) -> None:
    """Tell the notifier how a run, comparison or sweep ended: the one way all three do it. A notifier that
    fails or hangs costs one warning line on stderr, nothing else."""
    from seqtui.core.runs.notify import notify

    warning = notify(target, outcome)
    if warning:
        err.print(Text.assemble(("warning:", "bold yellow"), " ", warning), highlight=False, soft_wrap=True)


def run_outcome(end: RunEnded) -> Outcome:
    """What a notifier is told of one run: its status, folder, verdict and main test metric."""
    from seqtui.common.errors import exit_code
    from seqtui.core.runs.notify import Outcome

    scored = [k for k in end.test_metrics if k != "loss"] or list(end.test_metrics)
    metric = scored[0] if scored else ""
    return Outcome(
        kind="run",
        name=Path(end.run_dir).name if end.run_dir else "",
        status=end.status,
        exit_code=exit_code(end.status),
        run_dir=end.run_dir,
        verdict=end.verdict or end.message,
        metric=end.test_metrics.get(metric),
        metric_name=f"test_{metric}" if metric else "",
    )


def _reporter(mode: OutputMode, out: Console) -> Any:
    """The observer that prints a run's events in `mode` (stdout as it is now, before any redirection)."""
    from seqtui.render import reporters as reporters_views

    if mode == "json":
        return reporters_views.JsonReporter(sys.stdout)
    return reporters_views.RichReporter(out) if mode == "live" else reporters_views.PlainReporter(sys.stdout)


def _show_end(view: Any, end: RunEnded, out: Console) -> None:
    """After the live view: the loss chart of the epochs trained, and the test metrics."""
    from rich.text import Text

    from seqtui.render import reporters as reporters_views
    from seqtui.render import results as results_views

    if view.history:
        out.print(Text.from_ansi(reporters_views.loss_chart(view.history, color=not out.no_color)))
    out.print(results_views.run_end_table(end))
    out.print(
        results_views.run_folder_line(end), soft_wrap=True
    )  # whole, never cut: the one string users copy
