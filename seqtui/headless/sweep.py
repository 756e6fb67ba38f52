"""`seqtui sweep` headless: check everything first, then run trials with a line per epoch, then the trials.

Nothing here imports Keras or Optuna at module level.
"""

from __future__ import annotations

import sys
import threading

from rich.console import Console

from seqtui.core.experiments.sweep import SweepPlan, importance
from seqtui.core.training.events import EpochEnded, Event, LogMessage, RunEnded


def run_sweep(plan: SweepPlan, trials: int, backend: str | None, out: Console, err: Console) -> bool:
    """Run the trials with plain lines (a log, SLURM, or a terminal), then print the study's leaderboard.

    Returns whether a stop request (Ctrl+C) ended the sweep early."""
    from seqtui.core.experiments.sweep import TrialOutcome, load_or_create, run_trials
    from seqtui.core.training.start import Start
    from seqtui.headless.train import interrupt_handler
    from seqtui.render import console as views
    from seqtui.render.experiments import trials_table

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

    train = Start(runs_dir=plan.root, backend=backend)  # run_trials adds each trial's pruning callbacks
    with interrupt_handler(cancel, err):
        run_trials(study, plan.config, plan.space, trials, train, observe, cancel, plan.monitor)
    out.print(trials_table(study, plan.monitor))
    shares = importance(study)
    if shares:
        out.print("importance: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()), highlight=False)
    return cancel.is_set()
