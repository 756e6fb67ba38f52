"""`seqtui sweep` headless: check everything first, then run trials with a line per epoch, then the trials.

Nothing here imports Keras or Optuna at module level.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

from rich.console import Console

from seqtui.core.experiments.sweep import SweepPlan, importance
from seqtui.core.training.events import EpochEnded, Event, LogMessage, RunEnded

if TYPE_CHECKING:
    from seqtui.core.runs.notify import Outcome


def run_sweep(
    plan: SweepPlan, trials: int, backend: str | None, out: Console, err: Console, notify: str | None = None
) -> bool:
    """Run the trials with plain lines (a log, SLURM, or a terminal), then print the study's leaderboard;
    `notify` (None: SEQTUI_NOTIFY) is told the best trial.

    Returns whether a stop request (Ctrl+C) ended the sweep early."""
    from seqtui.core.experiments.study import load_or_create
    from seqtui.core.experiments.sweep import TrialOutcome, run_trials
    from seqtui.core.training.start import Start
    from seqtui.headless.train import interrupt_handler, notify_end, notify_target
    from seqtui.render import reporters as reporters_views
    from seqtui.render.experiments import trials_table

    target = notify_target(notify)
    cancel = threading.Event()
    plan.root.mkdir(parents=True, exist_ok=True)
    study = load_or_create(plan.url, plan.study, plan.config, plan.monitor, plan.config.train.seed)
    before = len(study.trials)
    out.print(
        f"study {plan.study} in {plan.where}: {before} trials so far; searching "
        + ", ".join(f"{k} {r.describe()}" for k, r in plan.space.items()),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    plain = reporters_views.PlainReporter(sys.stdout)

    def observe(outcome: TrialOutcome, event: Event) -> None:
        if isinstance(event, EpochEnded | RunEnded) or (
            isinstance(event, LogMessage) and event.level != "info"
        ):
            sys.stdout.write(f"[trial {outcome.number}] ")
            plain(event)

    train = Start(runs_dir=plan.root, backend=backend)  # run_trials adds each trial's pruning callbacks
    with interrupt_handler(cancel, err):
        run_trials(study, plan.config, plan.space, trials, train, observe, cancel, plan.monitor)
    out.print(trials_table(study, plan.monitor))
    shares = importance(study)
    if shares:
        out.print("importance: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()), highlight=False)
    notify_end(target, sweep_outcome(plan, study, cancel.is_set()), err)
    return cancel.is_set()


def sweep_outcome(plan: SweepPlan, study: Any, stopped: bool) -> Outcome:
    """What a notifier is told of a sweep: interrupted or completed, and the study's best trial."""
    from seqtui.common.errors import EXIT_INTERRUPTED
    from seqtui.core.experiments.sweep import trial_rows
    from seqtui.core.runs.notify import Outcome

    rows = trial_rows(study.trials, plan.monitor)
    best = next((row for row in rows if row[2] != "-"), None)
    verdict = (
        f"{len(rows)} trials; best #{best[0]}: {best[3]}" if best else f"{len(rows)} trials, none scored"
    )
    return Outcome(
        kind="sweep",
        name=plan.study,
        status="interrupted" if stopped else "completed",
        exit_code=EXIT_INTERRUPTED if stopped else 0,
        run_dir=best[4] if best else str(plan.root),
        verdict=verdict,
        metric=float(best[2]) if best else None,
        metric_name=f"val_{plan.monitor}" if best else "",
    )


def show_study(plan: SweepPlan, out: Console) -> None:
    """The study's leaderboard as it stands (after `--workers`: every worker's trials), and the importances."""
    from seqtui.core.experiments.study import load_or_create
    from seqtui.render.experiments import trials_table

    study = load_or_create(plan.url, plan.study, plan.config, plan.monitor, plan.config.train.seed)
    out.print(trials_table(study, plan.monitor))
    shares = importance(study)
    if shares:
        out.print("importance: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()), highlight=False)
