"""Search settings with Optuna: a default search space per architecture, narrowed by `--search`, trials that
are ordinary runs, a study kept in a real database so that many processes (GPUs, nodes) share it.

The study lives in SQLite in the runs folder by default (`sweeps.sqlite3`), or at any SQLAlchemy URL
(`postgresql://...`). It records what it searches (dataset, architecture, task metric) and refuses to go on
for another one. Every trial is a run folder; its path is the trial's `run_dir` attribute. A trial's value
is the validation metric of its tested epoch, the one model.keras holds (never the test metric: the test set
stays unseen by the search).
Optuna is imported inside the functions that need it. The space is in `search_space.py`, the study's
storage in `study.py`; here the plan, the trials and what a view shows of them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from seqtui.common.redact import redact_url
from seqtui.core.config.metrics import higher_is_better
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.experiments.search_space import Range, default_space, narrow, sample
from seqtui.core.experiments.study import DEFAULT_DB, check_study, check_study_name, storage_url
from seqtui.core.training.events import EpochEnded, Event, LogMessage, RunEnded

FAILURE = "failure"
"""The user attribute holding why a failed trial failed."""


# -- a plan, checked before anything runs --------------------------------------------------------------
@dataclass(frozen=True)
class SweepPlan:
    """A sweep checked without training: the base config, the space, the study and where it lives."""

    config: RunConfig
    space: dict[str, Any]
    study: str
    url: str
    monitor: str
    root: Path

    @property
    def where(self) -> str:
        """The study database as it may be printed: the URL without its password."""
        return redact_url(self.url)


def plan_sweep(
    config: RunConfig, search: str | None, study: str | None, storage: str | None, root: Path
) -> SweepPlan:
    """Every check that needs no training: the settings, the ranges, the database and the study's data.

    Raises ConfigError or SweepError; writes nothing (a new SQLite file is made only when the sweep runs).
    """
    from seqtui.core.model.architectures import HEAD_METRIC
    from seqtui.core.model.checks import check_config
    from seqtui.datasets.registry import get_dataset, load_dataset

    check_config(config)
    info = get_dataset(config.data.dataset)
    task, kind, stats = info.task, info.input_kind, None
    if task == "auto":  # the user's file: a series or a classification, known once read (DataError if bad)
        data = load_dataset(config.data)
        task, kind, stats = data.task, data.input_kind, data.text_stats
    space = narrow(default_space(config, kind, stats), search)
    monitor = HEAD_METRIC[task]
    name = study or config.name
    check_study_name(name)
    url = storage_url(storage, root)
    if storage is not None or (root / DEFAULT_DB).exists():
        check_study(url, name, config)
    return SweepPlan(config, space, name, url, monitor, root)


# -- trials ---------------------------------------------------------------------------------------------
@dataclass
class TrialOutcome:
    """What one trial's run gave the sweep."""

    number: int
    params: dict[str, Any]
    run_dir: str = ""
    value: float | None = None
    state: str = "running"


def best_value(history: list[float], monitor: str, kept: list[bool] | None = None) -> float | None:
    """A trial's value: the validation metric of the last epoch that was kept (model.keras, the epoch tested:
    `kept` marks them), else the best finite one of `history`."""
    chosen = [v for v, k in zip(history, kept or [], strict=False) if k and math.isfinite(v)]
    if chosen:
        return chosen[-1]
    finite = [v for v in history if math.isfinite(v)]
    if not finite:
        return None
    return max(finite) if higher_is_better(monitor) else min(finite)


def run_trials(
    study: Any,
    base: RunConfig,
    space: dict[str, Range],
    trials: int,
    train: Callable[..., RunEnded],
    observer: Callable[[TrialOutcome, Event], None],
    cancel: threading.Event,
    monitor: str,
    on_trial: Callable[[Any], None] | None = None,
) -> list[TrialOutcome]:
    """Run `trials` more trials of the study (each an ordinary run through `train`), pruning poor ones.

    A stop request ends the sweep after the current run: finished trials stay in the study, the stopped
    one is marked failed, and running the same command again continues the study. `on_trial(study)` is
    called after each trial (a live view).
    """
    outcomes: list[TrialOutcome] = []
    objective = _objective(study, base, space, train, observer, cancel, monitor, outcomes)

    def after_trial(study: Any, frozen: Any) -> None:  # a failed outcome was marked where it failed
        if on_trial is not None:
            on_trial(study)

    study.optimize(
        objective,
        n_trials=trials,
        catch=(_Stopped,),
        callbacks=[after_trial],
        gc_after_trial=True,
    )
    return outcomes


def _objective(
    study: Any,
    base: RunConfig,
    space: dict[str, Range],
    train: Callable[..., RunEnded],
    observer: Callable[[TrialOutcome, Event], None],
    cancel: threading.Event,
    monitor: str,
    outcomes: list[TrialOutcome],
) -> Callable[[Any], float]:
    """The study's objective: train a trial's sampled settings, add its outcome to `outcomes`, return its
    value (raising _Stopped for a run that can't train or did not complete, TrialPruned for a pruned one)."""
    import optuna

    from seqtui.core.config.errors import ConfigError
    from seqtui.core.experiments.pruning import PruningCallback
    from seqtui.core.model.checks import check_config
    from seqtui.datasets.errors import DataError

    def objective(trial: optuna.Trial) -> float:
        params = sample(trial, space)
        outcome = TrialOutcome(trial.number, params)
        outcomes.append(outcome)
        label = f"{base.label} trial {trial.number}" if base.label else None  # --name: the trials apart
        config = replace(with_overrides(base, **params), preset=base.preset, label=label)
        pruner = PruningCallback(trial, f"val_{monitor}")
        seen: list[float] = []
        kept: list[bool] = []
        observe = _trial_observer(trial, outcome, observer, monitor, seen, kept)
        try:
            check_config(config)
            end = train(config, observe, cancel, callbacks=(pruner,))
        except (ConfigError, DataError) as exc:  # these settings can't train: say why, go on with the next
            observer(outcome, LogMessage(f"trial {trial.number} can't train: {exc}", "warning"))
            raise _failed(trial, outcome, str(exc)) from None
        outcome.value = best_value(seen, monitor, kept)
        return _trial_value(study, trial, outcome, end, pruner, cancel)

    return objective


def _trial_observer(
    trial: Any,
    outcome: TrialOutcome,
    observer: Callable[[TrialOutcome, Event], None],
    monitor: str,
    seen: list[float],
    kept: list[bool],
) -> Callable[[Event], None]:
    """Relays a trial's events to `observer`, noting each epoch's validation metric in `seen` (and in `kept`
    whether model.keras took that epoch) and the run's folder in `outcome` and the trial."""

    def observe(event: Event) -> None:
        if isinstance(event, EpochEnded):
            seen.append(event.logs.get(f"val_{monitor}", math.nan))
            kept.append(event.best)
        elif isinstance(event, RunEnded):
            outcome.run_dir = event.run_dir
            trial.set_user_attr("run_dir", event.run_dir)
        observer(outcome, event)

    return observe


def _failed(trial: Any, outcome: TrialOutcome, reason: str) -> _Stopped:
    """Mark the trial failed, with `reason` as its failure attribute; the exception that ends it."""
    outcome.state = "failed"
    trial.set_user_attr(FAILURE, reason)
    return _Stopped(reason)


def _trial_value(
    study: Any, trial: Any, outcome: TrialOutcome, end: RunEnded, pruner: Any, cancel: threading.Event
) -> float:
    """A finished run's value; a stopped (which stops the study), incomplete or pruned run raises instead."""
    import optuna

    if end.status == "interrupted" or cancel.is_set():
        study.stop()
        raise _failed(trial, outcome, end.message or "stopped")
    if end.status != "completed" or outcome.value is None:
        raise _failed(trial, outcome, end.message or end.status)
    if pruner.pruned:
        outcome.state = "pruned"
        raise optuna.TrialPruned(f"pruned after epoch {pruner.pruned_at}")
    outcome.state = "complete"
    return outcome.value


class _Stopped(Exception):
    """A trial whose run did not complete: recorded as failed with the reason (its `failure` attribute), and
    the sweep goes on (or stops, on request). Optuna's own warning about it is silenced: it comes with a
    traceback, and the reason has been said already."""


# -- what a view shows ----------------------------------------------------------------------------------
def trial_rows(trials: list[Any], monitor: str) -> list[tuple[str, str, str, str, str]]:
    """Finished trials, best first: number, state, value, settings, run folder (the CLI and the app)."""
    import optuna

    done = [t for t in trials if t.state != optuna.trial.TrialState.RUNNING]
    scored = sorted(
        (t for t in done if t.value is not None), key=lambda t: t.value, reverse=higher_is_better(monitor)
    )
    rows = []
    for t in [*scored, *(t for t in done if t.value is None)]:
        value = "-" if t.value is None else f"{t.value:.4f}"
        settings = " ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in t.params.items()
        )
        rows.append((str(t.number), t.state.name.lower(), value, settings, t.user_attrs.get("run_dir", "")))
    return rows


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
