"""What compare and sweep show at the end: the leaderboard of a comparison and the trials of a study, Rich
tables that fit 80 columns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from seqtui.core.experiments.compare import Standing, leaderboard_rows
from seqtui.core.experiments.sweep import trial_rows


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


def trials_table(study: Any, monitor: str, limit: int = 15) -> Table:
    """The study's best trials first: value, state, settings, run folder (fits 80 columns by folding)."""
    rows = trial_rows(study.trials, monitor)
    table = Table(title=f"study {study.study_name}: {len(rows)} trials", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("state")
    table.add_column(f"val {monitor}", justify="right")
    table.add_column("settings, run folder", overflow="fold")
    for number, state, value, settings, run_dir in rows[:limit]:
        table.add_row(number, state, value, f"{settings}\n[dim]{Path(run_dir).name}[/]")
    return table
