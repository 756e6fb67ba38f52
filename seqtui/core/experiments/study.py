"""Where a sweep's study lives: an Optuna RDB storage (SQLite in the runs folder by default, or any
SQLAlchemy URL) reached with retries and a heartbeat, and a study that refuses other data or another
architecture. Optuna is imported inside the functions that need it; messages never show a URL's password."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Any

from seqtui.common.redact import redact_text, redact_url
from seqtui.common.text import inert
from seqtui.core.config.metrics import higher_is_better
from seqtui.core.config.run_config import RunConfig
from seqtui.core.experiments.errors import SweepError

DEFAULT_DB = "sweeps.sqlite3"


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
                storage = optuna.storages.RDBStorage(
                    url, engine_kwargs=engine, heartbeat_interval=interval, grace_period=interval * 3
                )
            check_writable(storage, shown, url)
            return storage
        except SweepError:
            raise
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


_READ_ONLY = ("readonly", "read-only", "read only", "permission denied")


def check_writable(storage: Any, shown: str, url: str) -> None:
    """SweepError when the database can be read but not written (a SQLite file without write permission, in
    a read-only folder or opened `mode=ro`; a read-only database user): a write that changes nothing, rolled
    back, fails there now rather than as Optuna's StorageInternalError at the first trial."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with storage.engine.connect() as conn, conn.begin() as transaction:
            conn.execute(text("UPDATE version_info SET schema_version = schema_version"))
            transaction.rollback()
    except SQLAlchemyError as exc:
        reason = _first_line(exc, url)
        if any(word in reason.lower() for word in _READ_ONLY):
            raise SweepError(
                f"the study database {shown!r} is read-only ({reason}); give it write permission, or pass "
                "another one with --storage (e.g. sqlite:///my-sweeps.sqlite3 in a folder you can write)"
            ) from None
        raise SweepError(f"could not write to the study database {shown!r}: {reason}") from None


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
