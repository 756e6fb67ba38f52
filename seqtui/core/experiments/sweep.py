"""Search settings with Optuna: a default search space per architecture, narrowed by `--search`, trials that
are ordinary runs, a study kept in a real database so that many processes (GPUs, nodes) share it.

The study lives in SQLite in the runs folder by default (`sweeps.sqlite3`), or at any SQLAlchemy URL
(`postgresql://...`). It records what it searches (dataset, architecture, task metric) and refuses to go on
for another one. Every trial is a run folder; its path is the trial's `run_dir` attribute. A trial's value
is its best validation metric (never the test metric: the test set stays unseen by the search).
Optuna is imported inside the functions that need it.
"""

from __future__ import annotations

import math
import os
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from seqtui.common.errors import SeqtuiError
from seqtui.common.redact import redact_text, redact_url
from seqtui.common.text import inert
from seqtui.core.config.metrics import higher_is_better
from seqtui.core.config.run_config import RECURRENT_ARCHITECTURES, RunConfig, suggest, with_overrides
from seqtui.core.training.events import EpochEnded, Event, LogMessage, RunEnded

DEFAULT_DB = "sweeps.sqlite3"
FAILURE = "failure"
"""The user attribute holding why a failed trial failed."""


class SweepError(SeqtuiError):
    """A bad search range, an unreachable study database, or a study made for other data: one message."""

    title = "Cannot sweep"


@dataclass(frozen=True)
class Range:
    """Where one setting is searched: integers or floats from low to high (log-spaced when `log`)."""

    kind: type
    low: float
    high: float
    log: bool = False

    def describe(self) -> str:
        return f"{self.low:g}..{self.high:g}"


LIMITS: dict[str, tuple[type, float, float]] = {
    "maxlen": (int, 1, 100_000),
    "vocab_size": (int, 2, 10_000_000),
    "embedding_dim": (int, 1, 100_000),
    "units": (int, 1, 100_000),
    "layers": (int, 1, 16),
    "dropout": (float, 0.0, 0.95),
    "learning_rate": (float, 1e-7, 1.0),
    "batch_size": (int, 1, 65_536),
    "conv_filters": (int, 1, 100_000),
    "dense_units": (int, 1, 100_000),
}
"""The settings a sweep can search, with their type and the widest range that makes sense."""


def default_space(config: RunConfig, input_kind: str | None) -> dict[str, Range]:
    """Sensible ranges around the preset, for what its architecture and input use."""
    arch, d = config.model.arch, config.data
    space: dict[str, Range] = {
        "dropout": Range(float, 0.0, 0.5),
        "learning_rate": Range(float, 1e-4, 1e-2, log=True),
        "batch_size": Range(int, 16, 256, log=True),
    }
    if input_kind == "tokens":
        space["maxlen"] = Range(int, max(4, d.maxlen // 4), d.maxlen * 2)
        space["vocab_size"] = Range(int, max(100, d.vocab_size // 4), d.vocab_size * 2, log=True)
        space["embedding_dim"] = Range(int, 8, 256, log=True)
    if arch in RECURRENT_ARCHITECTURES or arch == "mlp":
        space["units"] = Range(int, 8, 256, log=True)
    if arch in RECURRENT_ARCHITECTURES and arch != "cnn_lstm":
        space["layers"] = Range(int, 1, 3)
    if arch in ("conv1d", "cnn_lstm", "cnn2d"):
        space["conv_filters"] = Range(int, 8, 128, log=True)
    if arch == "cnn2d":
        space["dense_units"] = Range(int, 16, 256, log=True)
    return space


def narrow(space: dict[str, Range], spec: str | None) -> dict[str, Range]:
    """Apply `--search units=32..256,dropout=0..0.5` (a single value fixes a setting) to the space."""
    if not spec:
        return space
    out = dict(space)
    for part in spec.split(","):
        name, sep, value = (p.strip() for p in part.partition("="))
        if not sep or not name or not value:
            raise SweepError(f"--search {part.strip()!r}: write NAME=LOW..HIGH, e.g. units=32..256")
        if name not in LIMITS:
            raise SweepError(
                f"--search: {name!r} is not a setting a sweep can search{suggest(name, list(LIMITS))}"
            )
        kind, lowest, highest = LIMITS[name]
        low_text, dots, high_text = value.partition("..")
        if dots and not (low_text and high_text):
            raise SweepError(f"--search {name}={value}: give both ends, LOW..HIGH, or one value to fix it")
        try:
            low = kind(low_text)
            high = kind(high_text) if dots else low
        except ValueError:
            raise SweepError(f"--search {name}={value}: {name} takes {kind.__name__} values") from None
        if not lowest <= low <= high <= highest:
            raise SweepError(
                f"--search {name}={value}: the range must go from low to high within {lowest:g}..{highest:g}"
            )
        log = space[name].log if name in space else False
        out[name] = Range(kind, low, high, log and low > 0)
    return out


def sample(trial: Any, space: dict[str, Range]) -> dict[str, Any]:
    """One trial's settings, suggested by the sampler."""
    out: dict[str, Any] = {}
    for name, r in space.items():
        if r.low == r.high:
            out[name] = r.kind(r.low)
        elif r.kind is int:
            out[name] = trial.suggest_int(name, int(r.low), int(r.high), log=r.log)
        else:
            out[name] = trial.suggest_float(name, r.low, r.high, log=r.log)
    return out


# -- the study ------------------------------------------------------------------------------------------
def storage_url(storage: str | None, runs_dir: Path) -> str:
    return storage or f"sqlite:///{runs_dir / DEFAULT_DB}"


def open_storage(url: str, tries: int = 5) -> Any:
    """An Optuna RDB storage, reached now: SweepError (not a traceback) when it can't be.

    Processes that start together (a SLURM array) race to create the tables of a new database: the losers
    see the winner's rows as a conflict and simply try again. Messages never show the URL's password.
    """
    import optuna
    from sqlalchemy.exc import IntegrityError, OperationalError

    shown, url = redact_url(url), with_driver(url)
    engine: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        engine["connect_args"] = {"timeout": 60}  # processes sharing one file wait for its lock
    interval = heartbeat_interval()
    for attempt in range(tries):
        try:
            with warnings.catch_warnings():  # the heartbeat is "experimental" in Optuna 5: no warning per run
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url, engine_kwargs=engine, heartbeat_interval=interval, grace_period=interval * 3
                )
        except (IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and "already exists" not in str(exc):
                raise SweepError(
                    f"could not reach the study database {shown!r}: {_first_line(exc, url)}"
                ) from None
            if attempt == tries - 1:
                raise SweepError(
                    f"could not set up the study database {shown!r}: other processes kept racing"
                ) from None
            time.sleep(0.2 * (attempt + 1))
        except ModuleNotFoundError as exc:
            raise SweepError(
                f"the study database {shown!r} needs the {exc.name!r} package; pip install it"
            ) from None
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's many connection errors: all one message
            raise SweepError(
                f"could not reach the study database {shown!r}: {_first_line(exc, url)}"
            ) from None
    raise AssertionError("unreachable")


HEARTBEAT_S = 60
"""A running trial tells the database it is alive this often (SEQTUI_SWEEP_HEARTBEAT); a trial silent for 3
heartbeats (its worker killed, out of memory, or its node gone) is marked failed by the next worker that
starts a trial, instead of staying `running` forever."""


def heartbeat_interval() -> int:
    raw = os.environ.get("SEQTUI_SWEEP_HEARTBEAT", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else HEARTBEAT_S


def with_driver(url: str) -> str:
    """`postgresql://` means psycopg2 to SQLAlchemy; where only psycopg 3 is installed (seqtui's choice),
    the URL names it, so the usual URL works with either."""
    import importlib.util

    scheme, sep, rest = url.partition("://")
    find = importlib.util.find_spec
    if scheme in ("postgresql", "postgres") and sep and find("psycopg2") is None and find("psycopg"):
        return f"postgresql+psycopg://{rest}"
    return url


def _first_line(exc: Exception, url: str) -> str:
    """The first line of a driver's error, with the URL's password masked (SQLAlchemy quotes the URL)."""
    text = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact_text(text, url)


def identity(config: RunConfig) -> dict[str, str]:
    """What a study searches: the same data and architecture, or its trials don't compare."""
    d = config.data
    return {"dataset": d.dataset, "data_path": d.data_path or "", "arch": config.model.arch}


def check_study_name(name: str) -> None:
    """Refuse a study name holding a control character, escape sequence or bidi control: it would be stored
    in the database and printed by every sweep that shares it."""
    if inert(name, keep="") != name:
        raise SweepError(
            f"the study name '{inert(name, keep='')}' holds control characters (escape sequences, line breaks "
            "or bidi controls); pick a name of letters, digits and punctuation with --study NAME"
        )


def check_study(url: str, name: str, config: RunConfig) -> None:
    """Refuse to continue a study made for other data or another architecture (before anything is written)."""
    import optuna

    storage = open_storage(url)
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        return  # a new study
    made_for = {k: study.user_attrs.get(k) for k in identity(config)}
    wanted = identity(config)
    if made_for != wanted:
        diff = ", ".join(
            f"{k} {made_for[k]!r} (now {wanted[k]!r})" for k in wanted if made_for[k] != wanted[k]
        )
        raise SweepError(
            f"study {name!r} in {redact_url(url)} was created for {diff}; pick another --study name to search "
            "this one"
        )


def load_or_create(url: str, name: str, config: RunConfig, monitor: str, seed: int) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # a failed trial's warning carries a traceback
    study = optuna.create_study(
        study_name=name,
        storage=open_storage(url),
        sampler=optuna.samplers.TPESampler(seed=seed),
        # Steps are epoch numbers from 1 and the pruner judges from step n_warmup_steps on: a trial is
        # first judged after its second epoch (the first is noise for recurrent models).
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
        direction="maximize" if higher_is_better(monitor) else "minimize",
        load_if_exists=True,
    )
    for key, value in identity(config).items():
        if study.user_attrs.get(key) is None:
            study.set_user_attr(key, value)
    return study


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
    task, kind = info.task, info.input_kind
    if task == "auto":  # the user's file: a series or a classification, known once read (DataError if bad)
        data = load_dataset(config.data)
        task, kind = data.task, data.input_kind
    space = narrow(default_space(config, kind), search)
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


def best_value(history: list[float], monitor: str) -> float | None:
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
        observe = _trial_observer(trial, outcome, observer, monitor, seen)
        try:
            check_config(config)
            end = train(config, observe, cancel, callbacks=(pruner,))
        except (ConfigError, DataError) as exc:  # these settings can't train: say why, go on with the next
            observer(outcome, LogMessage(f"trial {trial.number} can't train: {exc}", "warning"))
            raise _failed(trial, outcome, str(exc)) from None
        outcome.value = best_value(seen, monitor)
        return _trial_value(study, trial, outcome, end, pruner, cancel)

    return objective


def _trial_observer(
    trial: Any,
    outcome: TrialOutcome,
    observer: Callable[[TrialOutcome, Event], None],
    monitor: str,
    seen: list[float],
) -> Callable[[Event], None]:
    """Relays a trial's events to `observer`, noting each epoch's validation metric in `seen` and the run's
    folder in `outcome` and the trial."""

    def observe(event: Event) -> None:
        if isinstance(event, EpochEnded):
            seen.append(event.logs.get(f"val_{monitor}", math.nan))
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
