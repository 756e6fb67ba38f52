"""`seqtui compare` headless: comma lists in, runs one after another, a leaderboard out.

A live view per run on a terminal, plain lines tagged by run in logs, JSON lines tagged with `"run"` on
request, then the leaderboard (a Rich table that fits 80 columns, or a `compare_end` JSON line).
Nothing here imports Keras at module level.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from seqtui.core.compare import COMPARE_FILE, Comparison, Entry, Standing, leaderboard_rows, ranked
from seqtui.core.config import RunConfig
from seqtui.core.events import BatchEnded, Event, RunStarted, event_dict


def leaderboard_table(standings: Sequence[Standing], title: str = "leaderboard") -> Table:
    """Parameters, seconds per epoch, best epoch, best validation and test metric, baseline, time to best."""
    monitor = next((s.monitor for s in standings if s.status != "pending"), "accuracy")
    short = "acc" if monitor == "accuracy" else monitor
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("#", justify="right")
    table.add_column("run", overflow="fold", min_width=10)
    for col in ("params", "s/ep", "best", f"val {short}", f"test {short}", "base", "to best"):
        table.add_column(col, justify="right", no_wrap=True)
    for row in leaderboard_rows(standings):
        table.add_row(*row)
    return table


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
    from seqtui import console as views
    from seqtui.core import runner
    from seqtui.core.compare import run_comparison
    from seqtui.headless import interrupt_handler

    cancel = threading.Event()
    stdout = sys.stdout  # JSON lines go here; anything else printed meanwhile goes to stderr
    interactive = not as_json and stdout.isatty() and side_by_side is None
    plain = views.PlainReporter(stdout)

    def observe(label: str, event: Event) -> None:
        started = isinstance(event, RunStarted)
        if as_json:
            if not isinstance(event, BatchEnded):
                print(
                    json.dumps({**event_dict(event), "run": label}, ensure_ascii=False),
                    file=stdout,
                    flush=True,
                )
        elif interactive:
            if started:
                out.rule(label)
        else:
            if side_by_side is not None:
                lines = io.StringIO()
                views.PlainReporter(lines)(event)
                for text in lines.getvalue().splitlines():
                    print(f"[{label}] {text}", file=stdout, flush=True)
                return
            if started:
                print(f"== {label}", file=stdout, flush=True)
            plain(event)

    def train(config: RunConfig, observer: Any, cancel: threading.Event, runs_dir: Path) -> Any:
        if not interactive:
            return runner.train(config, observer, cancel, runs_dir=runs_dir, backend=backend)
        with views.RichReporter(out) as live:

            def both(event: Event) -> None:
                observer(event)
                live(event)

            return runner.train(config, both, cancel, runs_dir=runs_dir, backend=backend)

    def failed(entry: Entry, problem: Exception | str) -> None:
        err.print(f"[red]{entry.label}:[/] {problem}", highlight=False, soft_wrap=True)

    def compare() -> Comparison:
        if side_by_side is None:
            return run_comparison(entries, observe, train, cancel, runs_dir, failed)
        from seqtui.core.side_by_side import run_side_by_side

        slots, gpus = side_by_side
        return run_side_by_side(entries, observe, slots, gpus, cancel, runs_dir, backend, failed)

    with interrupt_handler(cancel, err):
        if as_json:
            with contextlib.redirect_stdout(sys.stderr):
                comparison = compare()
        else:
            comparison = compare()
    if as_json:
        final = {
            "event": "compare_end",
            "compare_dir": str(comparison.folder.path),
            "leaderboard": [s.row() for s in ranked(comparison.standings)],
        }
        print(json.dumps(final, ensure_ascii=False), file=stdout, flush=True)
        return comparison
    out.print(leaderboard_table(comparison.standings, f"leaderboard ({len(entries)} runs)"))
    out.print(f"comparison: {comparison.folder.file(COMPARE_FILE)}", highlight=False, soft_wrap=True)
    return comparison
