"""`seqtui compare` headless: comma lists in, runs one after another, a leaderboard out.

A live view per run on a terminal, plain lines tagged by run in logs, JSON lines tagged with `"run"` on
request, then the leaderboard (a Rich table that fits 80 columns, or a `compare_end` JSON line).
Nothing here imports Keras at module level.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from seqtui.core.compare import CompareError, Comparison, Entry, Standing, grid, ranked, split_values
from seqtui.core.config import RunConfig
from seqtui.core.events import Event, event_dict

CONVERTERS: dict[str, Callable[[str], Any]] = {
    "arch": str, "epochs": int, "batch_size": int, "maxlen": int, "vocab_size": int, "embedding_dim": int,
    "units": int, "layers": int, "dropout": float, "learning_rate": float, "optimizer": str, "patience": int,
    "seed": int, "sample_limit": int, "lookback": int, "conv_filters": int, "conv_kernel": int,
}  # fmt: skip
"""Settings `compare` takes as comma lists, and how to read one value of each."""


def option_name(setting: str) -> str:
    return "limit" if setting == "sample_limit" else setting.replace("_", "-")


def parse_lists(given: dict[str, str | None]) -> dict[str, list[Any]]:
    """Each given option's comma list, read as its type; CompareError says which value is wrong."""
    out = {}
    for setting, raw in given.items():
        if raw is None:
            continue
        name = option_name(setting)
        values = []
        for item in split_values(name, raw):
            try:
                values.append(CONVERTERS[setting](item))
            except ValueError:
                kind = CONVERTERS[setting].__name__
                raise CompareError(
                    f"--{name}: {item!r} is not a{'n' if kind == 'int' else ''} {kind}"
                ) from None
        out[setting] = values
    return out


def plan(
    presets: str | None,
    given: dict[str, str | None],
    build: Callable[[str | None, dict[str, Any]], RunConfig],
) -> list[Entry]:
    """The runs a `compare` command line asks for, every one checked before anything is written."""
    from seqtui.core.checks import check_config

    names: Sequence[str | None] = split_values("preset", presets) if presets is not None else [None]
    entries = grid(names, parse_lists(given), build)
    for entry in entries:
        check_config(entry.config)
    return entries


def _num(value: float | None, fmt: str = ".4f") -> str:
    return "-" if value is None else format(value, fmt)


def leaderboard_rows(standings: Sequence[Standing]) -> list[tuple[str, ...]]:
    """Ranked rows: place, run, parameters, s/epoch, best epoch, best val, test (or status), baseline, time
    to best. The CLI's table and the app's Compare screen show the same cells."""
    rows = []
    for place, s in enumerate(ranked(standings), 1):
        test = _num(s.test) if s.status in ("completed", "pending", "running") else s.status
        rows.append(
            (
                str(place) if s.test is not None else "",
                s.label,
                "-" if s.params is None else f"{s.params:,}",
                _num(s.seconds_per_epoch, ".1f"),
                f"{s.best_epoch}/{s.epochs_done}" if s.best_epoch else "-",
                _num(s.best_val),
                test,
                _num(s.baseline),
                "-" if s.time_to_best is None else f"{s.time_to_best:.0f}s",
            )
        )
    return rows


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
) -> Comparison:
    """Train every entry with the output picked for where stdout goes, then show the leaderboard."""
    from seqtui import console as views
    from seqtui.core import runner
    from seqtui.core.compare import run_comparison
    from seqtui.headless import interrupt_handler

    cancel = threading.Event()
    stdout = sys.stdout  # JSON lines go here; anything else printed meanwhile goes to stderr
    interactive = not as_json and stdout.isatty()
    plain = views.PlainReporter(stdout)

    def observe(label: str, event: Event) -> None:
        started = type(event).__name__ == "RunStarted"
        if as_json:
            if type(event).__name__ != "BatchEnded":
                print(
                    json.dumps({**event_dict(event), "run": label}, ensure_ascii=False),
                    file=stdout,
                    flush=True,
                )
        elif interactive:
            if started:
                out.rule(label)
        else:
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

    def failed(entry: Entry, exc: Exception) -> None:
        err.print(f"[red]{entry.label}:[/] {exc}", highlight=False, soft_wrap=True)

    with interrupt_handler(cancel, err):
        if as_json:
            with contextlib.redirect_stdout(sys.stderr):
                comparison = run_comparison(entries, observe, train, cancel, runs_dir, failed)
        else:
            comparison = run_comparison(entries, observe, train, cancel, runs_dir, failed)
    if as_json:
        final = {
            "event": "compare_end",
            "compare_dir": str(comparison.folder.path),
            "leaderboard": [s.row() for s in ranked(comparison.standings)],
        }
        print(json.dumps(final, ensure_ascii=False), file=stdout, flush=True)
        return comparison
    out.print(leaderboard_table(comparison.standings, f"leaderboard ({len(entries)} runs)"))
    out.print(f"comparison: {comparison.folder.path / 'compare.json'}", highlight=False, soft_wrap=True)
    return comparison
