"""`seqtui compare` headless: comma lists in, runs one after another, a leaderboard out.

A live view per run on a terminal, plain lines tagged by run in logs, JSON lines tagged with `"run"` on
request, then the leaderboard (a Rich table that fits 80 columns, or a `compare_end` JSON line).
Nothing here imports Keras at module level.
"""

from __future__ import annotations

import io
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from rich.console import Console

from seqtui.core.experiments.compare import COMPARE_FILE, Comparison, Entry, ranked
from seqtui.core.training.events import BatchEnded, Event, RunStarted, event_dict
from seqtui.render.output import OutputMode


def run_compare(
    entries: list[Entry],
    runs_dir: Path | None,
    backend: str | None,
    as_json: bool,
    out: Console,
    err: Console,
    side_by_side: tuple[int, int] | None = None,
) -> Comparison:
    """Train every entry with the output picked for where stdout goes, then show the leaderboard.

    `side_by_side` (runs at once, GPUs listed) trains the runs in child processes, their lines tagged by
    run (no live view: several runs share the terminal)."""
    from seqtui.core.experiments.compare import run_comparison
    from seqtui.core.training.start import Start
    from seqtui.headless.train import in_live_view, interrupt_handler
    from seqtui.render.output import output_mode, stdout_kept_for

    cancel = threading.Event()
    stdout = sys.stdout  # JSON lines go here; anything else printed meanwhile goes to stderr
    mode = output_mode(as_json, live=side_by_side is None, stdout=stdout)
    observe = _tagged_view(mode, out, stdout, tagged_lines=side_by_side is not None)

    def failed(entry: Entry, problem: Exception | str) -> None:
        err.print(f"[red]{entry.label}:[/] {problem}", highlight=False, soft_wrap=True)

    with interrupt_handler(cancel, err), stdout_kept_for(mode):
        if side_by_side is None:
            start = Start(backend=backend)
            train = in_live_view(start, out) if mode == "live" else start
            comparison = run_comparison(entries, observe, train, cancel, runs_dir, failed)
        else:
            from seqtui.core.experiments.side_by_side import run_side_by_side

            slots, gpus = side_by_side
            comparison = run_side_by_side(entries, observe, slots, gpus, cancel, runs_dir, backend, failed)
    _show_leaderboard(comparison, f"leaderboard ({len(entries)} runs)", mode, out, stdout)
    return comparison


def side_by_side_for(devices: str | None) -> tuple[int, int] | None:
    """`compare --devices`: how many runs train at once and the GPUs listed (None: one after another)."""
    if devices is None:
        return None
    from seqtui.core.experiments.side_by_side import device_slots
    from seqtui.core.hardware.devices import nvidia_gpus

    gpus = len(nvidia_gpus())
    return device_slots(devices, gpus), gpus


def _tagged_view(
    mode: OutputMode, out: Console, stdout: IO[str], tagged_lines: bool
) -> Callable[[str, Event], None]:
    """What a run's events print, told apart by the run's label: a `run` field in JSON lines, a rule above
    each run's live view, a `== label` line before each run's plain lines, or (`tagged_lines`: runs side by
    side, their lines interleaved) `[label]` before every line."""
    from seqtui.render import console as views

    plain = views.PlainReporter(stdout)

    def observe(label: str, event: Event) -> None:
        started = isinstance(event, RunStarted)
        if mode == "json":
            if not isinstance(event, BatchEnded):
                print(
                    json.dumps({**event_dict(event), "run": label}, ensure_ascii=False),
                    file=stdout,
                    flush=True,
                )
        elif mode == "live":
            if started:
                out.rule(label)
        else:
            if tagged_lines:
                lines = io.StringIO()
                views.PlainReporter(lines)(event)
                for text in lines.getvalue().splitlines():
                    print(f"[{label}] {text}", file=stdout, flush=True)
                return
            if started:
                print(f"== {label}", file=stdout, flush=True)
            plain(event)

    return observe


def _show_leaderboard(
    comparison: Comparison, title: str, mode: OutputMode, out: Console, stdout: IO[str]
) -> None:
    """The leaderboard: a `compare_end` JSON line, else the table and where the comparison is saved."""
    from seqtui.render.experiments import leaderboard_table

    if mode == "json":
        final = {
            "event": "compare_end",
            "compare_dir": str(comparison.folder.path),
            "leaderboard": [s.row() for s in ranked(comparison.standings)],
        }
        print(json.dumps(final, ensure_ascii=False), file=stdout, flush=True)
        return
    out.print(leaderboard_table(comparison.standings, title))
    out.print(f"comparison: {comparison.folder.file(COMPARE_FILE)}", highlight=False, soft_wrap=True)
