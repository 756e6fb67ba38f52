"""`seqtui sweep` headless: check everything first, then run trials with a line per epoch, then the trials.

Nothing here imports Keras or Optuna at module level.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from seqtui.core.config import RunConfig
from seqtui.core.events import EpochEnded, Event, LogMessage, RunEnded
from seqtui.core.sweep import SweepPlan, importance, trial_rows


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


def run_sweep(plan: SweepPlan, trials: int, backend: str | None, out: Console, err: Console) -> bool:
    """Run the trials with plain lines (a log, SLURM, or a terminal), then print the study's leaderboard.

    Returns whether a stop request (Ctrl+C) ended the sweep early."""
    from seqtui import console as views
    from seqtui.core import runner
    from seqtui.core.sweep import TrialOutcome, load_or_create, run_trials
    from seqtui.headless import interrupt_handler

    cancel = threading.Event()
    plan.root.mkdir(parents=True, exist_ok=True)
    study = load_or_create(plan.url, plan.study, plan.config, plan.monitor, plan.config.train.seed)
    before = len(study.trials)
    out.print(
        f"study {plan.study} in {plan.url}: {before} trials so far; searching "
        + ", ".join(f"{k} {r.describe()}" for k, r in plan.space.items()),
        highlight=False,
        soft_wrap=True,
    )
    plain = views.PlainReporter(sys.stdout)

    def observe(outcome: TrialOutcome, event: Event) -> None:
        if isinstance(event, EpochEnded | RunEnded) or (
            isinstance(event, LogMessage) and event.level != "info"
        ):
            sys.stdout.write(f"[trial {outcome.number}] ")
            plain(event)

    def train(config: RunConfig, observer: Any, cancel: threading.Event, callbacks: tuple = ()) -> Any:
        return runner.train(
            config, observer, cancel, runs_dir=plan.root, backend=backend, callbacks=callbacks
        )

    with interrupt_handler(cancel, err):
        run_trials(study, plan.config, plan.space, trials, train, observe, cancel, plan.monitor)
    out.print(trials_table(study, plan.monitor))
    shares = importance(study)
    if shares:
        out.print("importance: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()), highlight=False)
    return cancel.is_set()
