"""`seqtui sweep` headless: check everything first, then run trials with a line per epoch, then the trials.

Nothing here imports Keras or Optuna at module level.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from seqtui.core.config import RunConfig
from seqtui.core.events import EpochEnded, Event, RunEnded


@dataclass(frozen=True)
class SweepPlan:
    """A sweep checked without training: the base config, the space, the study and where it lives."""

    config: RunConfig
    space: dict[str, Any]
    study: str
    url: str
    monitor: str
    root: Path


def plan_sweep(
    config: RunConfig, search: str | None, study: str | None, storage: str | None, root: Path
) -> SweepPlan:
    """Every check that needs no training: the settings, the ranges, the database and the study's data.

    Raises ConfigError or SweepError; writes nothing (a new SQLite file is made only when the sweep runs).
    """
    from seqtui.core.checks import check_config
    from seqtui.core.config import dataset_input_kind
    from seqtui.core.sweep import check_study, default_space, narrow, storage_url
    from seqtui.datasets.registry import DATASETS

    check_config(config)
    kind = dataset_input_kind(config.data.dataset)
    space = narrow(default_space(config, kind), search)
    info = DATASETS.get(config.data.dataset)
    monitor = "mae" if info is not None and info.task == "regression" else "accuracy"
    name = study or config.name
    url = storage_url(storage, root)
    if storage is not None or (root / "sweeps.sqlite3").exists():
        check_study(url, name, config)
    return SweepPlan(config, space, name, url, monitor, root)


def trial_rows(trials: list[Any], monitor: str) -> list[tuple[str, str, str, str, str]]:
    """Finished trials, best first: number, state, value, settings, run folder (the CLI and the app)."""
    import optuna

    done = [t for t in trials if t.state != optuna.trial.TrialState.RUNNING]
    scored = sorted((t for t in done if t.value is not None), key=lambda t: t.value, reverse=monitor != "mae")
    rows = []
    for t in [*scored, *(t for t in done if t.value is None)]:
        value = "-" if t.value is None else f"{t.value:.4f}"
        settings = " ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in t.params.items()
        )
        rows.append((str(t.number), t.state.name.lower(), value, settings, t.user_attrs.get("run_dir", "")))
    return rows


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


def importance(study: Any) -> dict[str, float]:
    """Each setting's share of the value's variance (Optuna's fANOVA), once 5 trials completed."""
    import optuna

    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 5:
        return {}
    try:
        return dict(optuna.importance.get_param_importances(study))
    except (ValueError, RuntimeError):  # e.g. every trial alike
        return {}


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
        if isinstance(event, EpochEnded | RunEnded):
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
