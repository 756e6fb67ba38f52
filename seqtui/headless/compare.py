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
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from seqtui.common.text import inert
from seqtui.core.experiments.compare import COMPARE_FILE, Comparison, Entry, ranked
from seqtui.core.training.events import BatchEnded, Event, RunStarted, event_dict
from seqtui.render.output import OutputMode

if TYPE_CHECKING:
    from seqtui.core.runs.notify import Outcome


def run_compare(
    entries: list[Entry],
    runs_dir: Path | None,
    backend: str | None,
    as_json: bool,
    out: Console,
    err: Console,
    side_by_side: tuple[int, int] | None = None,
    notify: str | None = None,
) -> Comparison:
    """Train every entry with the output picked for where stdout goes, then show the leaderboard.

    `side_by_side` (runs at once, GPUs listed) trains the runs in child processes, their lines tagged by
    run (no live view: several runs share the terminal). `notify` (None: SEQTUI_NOTIFY) is told the
    winner at the end."""
    from seqtui.core.experiments.compare import run_comparison
    from seqtui.core.training.start import Start
    from seqtui.headless.train import in_live_view, interrupt_handler, notify_end, notify_target
    from seqtui.render.output import output_mode, stdout_kept_for

    target = notify_target(notify)
    cancel = threading.Event()
    stdout = sys.stdout  # JSON lines go here; anything else printed meanwhile goes to stderr
    mode = output_mode(as_json, live=side_by_side is None, stdout=stdout)
    observe = _tagged_view(mode, out, stdout, tagged_lines=side_by_side is not None)

    def failed(entry: Entry, problem: Exception | str) -> None:
        err.print(
            Text.assemble((f"{entry.label}:", "red"), " ", str(problem)), highlight=False, soft_wrap=True
        )

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
    notify_end(target, compare_outcome(comparison), err)
    return comparison


def compare_outcome(comparison: Comparison) -> Outcome:
    """What a notifier is told of a comparison: the worst status's exit code, and the winner."""
    from seqtui.common.errors import exit_code
    from seqtui.core.runs.notify import Outcome

    code = exit_code({s.status for s in comparison.standings})
    status = {0: "completed", 130: "interrupted"}.get(code, "failed")
    done = sum(s.status == "completed" for s in comparison.standings)
    best = next((s for s in ranked(comparison.standings) if s.test is not None), None)
    summary = f"{done} of {len(comparison.standings)} runs completed"
    return Outcome(
        kind="compare",
        name=comparison.folder.path.name,
        status=status,
        exit_code=code,
        run_dir=str(comparison.folder.path),
        verdict=f"best: {best.label} ({summary})" if best else summary,
        metric=best.test if best else None,
        metric_name=f"test_{best.monitor}" if best else "",
    )


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
    from seqtui.render import reporters as reporters_views

    plain = reporters_views.PlainReporter(stdout)

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
                reporters_views.PlainReporter(lines)(event)
                for text in lines.getvalue().splitlines():
                    print(f"[{inert(label)}] {text}", file=stdout, flush=True)
                return
            if started:
                print(f"== {inert(label)}", file=stdout, flush=True)
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
