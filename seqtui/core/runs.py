"""Run folders: `runs/<UTC timestamp>-<name>/` with config, history, checkpoints, status and metrics.

Every write goes to a temporary file in the same folder and is renamed into place, so a crash or a full
disk never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seqtui.common.errors import EXIT_FAILED, SeqtuiError
from seqtui.common.files import atomic_write, atomic_write_json, atomic_write_text, is_temp_name
from seqtui.core.baselines import Baseline
from seqtui.core.config import FIELD_SECTION, RunConfig
from seqtui.core.settings import Settings

CONFIG, HISTORY, BEST, LAST, METRICS, RUN, ENCODER = (
    "config.json",
    "history.csv",
    "model.keras",
    "last.keras",
    "metrics.json",
    "run.json",
    "encoder.json",
)
RUN_FILES = (CONFIG, HISTORY, BEST, LAST, METRICS, RUN, ENCODER)
SECONDS = "seconds"
"""history.csv's column of training seconds at each epoch's end (a time, not a metric); older runs lack it."""


class RunFolderError(SeqtuiError):
    """A run folder that can't be created, read or written, with what to do about it."""

    title = "Run folder problem"


class SaveError(SeqtuiError):
    """Writing a checkpoint or the history failed during training; earlier files are intact."""

    title = "Could not save the run"
    exit_code = EXIT_FAILED

    def __init__(self, folder: Path, cause: OSError) -> None:
        reason = "the disk is full" if cause.errno == errno.ENOSPC else (cause.strerror or str(cause))
        if (Path(folder) / LAST).exists():
            then = (
                f"Earlier checkpoints are intact; free space and resume with: seqtui train --resume {folder}"
            )
        else:
            then = "No checkpoint was saved yet; free space and start the run again"
        super().__init__(f"could not save to {folder}: {reason}. {then}")
        self.cause = cause


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_temp_file(path: Path) -> bool:
    """A temporary file `atomic_write` left behind when its process was killed."""
    return any(is_temp_name(path.name, name) for name in RUN_FILES)


def runs_root(explicit: str | Path | None = None) -> Path:
    """--runs-dir, else SEQTUI_RUNS_DIR, else ./runs."""
    return Path(explicit) if explicit else Settings.from_env().runs_dir


def check_writable(root: Path) -> None:
    """Raise RunFolderError unless run folders can be created under root."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise RunFolderError(
            f"can't write run folders under {root}: {exc.strerror or exc}. "
            "Pick another place with --runs-dir DIR or SEQTUI_RUNS_DIR."
        ) from exc


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def process_start(pid: int) -> str | None:
    """When a process started (clock ticks since boot, from /proc), to tell it from a later one with the
    same id (containers reuse low ids after every restart); None where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def process_alive(pid: Any, started: Any = None) -> bool:
    """Whether the process that wrote run.json (id and, when recorded, start time) still runs."""
    if not isinstance(pid, int) or isinstance(pid, bool) or not _pid_alive(pid):
        return False
    return not started or process_start(pid) in (None, started)


@dataclass
class RunFolder:
    path: Path

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    @classmethod
    def create(cls, root: Path, name: str) -> RunFolder:
        check_writable(root)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name) or "run"
        for n in range(1000):
            path = root / (f"{stamp}-{safe}" + (f"-{n}" if n else ""))
            try:
                path.mkdir()
                return cls(path)
            except FileExistsError:
                continue
        raise RunFolderError(f"could not create a new run folder under {root}")

    @classmethod
    def open(cls, path: str | Path, root: str | Path | None = None) -> RunFolder:
        """An existing run folder, by path or by name under the runs root."""
        candidate = Path(path)
        if not (candidate / RUN).exists() and not candidate.is_absolute():
            under_root = runs_root(root) / candidate
            if (under_root / RUN).exists():
                candidate = under_root
        if not (candidate / RUN).is_file():
            raise RunFolderError(
                f"{path} is not a seqtui run folder (no {RUN}); see `seqtui runs` for the list"
            )
        return cls(candidate)

    def file(self, name: str) -> Path:
        return self.path / name

    # -- config and status ------------------------------------------------------------------
    def write_config(self, config: RunConfig, extra: dict[str, Any]) -> None:
        atomic_write_json(self.file(CONFIG), {**config.to_dict(), **extra})

    def read_config(self) -> RunConfig:
        raw = self.read_json(CONFIG)
        if not raw:
            raise RunFolderError(f"{self.file(CONFIG)} is missing; the run folder is incomplete")
        try:
            return RunConfig.from_dict(raw)
        except (TypeError, ValueError, AttributeError) as exc:
            raise RunFolderError(f"{self.file(CONFIG)} is damaged ({exc})") from exc

    def update_config(self, **changes: Any) -> None:
        """Record changed settings (a longer run, a lower learning rate, the data's new place) in config.json."""
        raw = self.read_json(CONFIG)
        for name, value in changes.items():
            section = FIELD_SECTION[name]
            raw[section] = {**raw.get(section, {}), name: value}
        atomic_write_json(self.file(CONFIG), raw)

    def read_json(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads(self.file(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RunFolderError(
                f"{self.file(name)} is unreadable ({exc}); the run folder is damaged"
            ) from exc
        if not isinstance(data, dict):
            raise RunFolderError(f"{self.file(name)} is not a JSON object; the run folder is damaged")
        return data

    def update_status(self, **fields: Any) -> dict[str, Any]:
        state = self.read_json(RUN)
        state.update(fields)
        atomic_write_json(self.file(RUN), state)
        return state

    def mark_running(self, epochs: int, epochs_done: int) -> None:
        self.update_status(
            status="running",
            started=self.read_json(RUN).get("started") or utc_now(),
            resumed=utc_now() if epochs_done else None,
            ended=None,
            epochs=epochs,
            epochs_done=epochs_done,
            pid=os.getpid(),
            pid_started=process_start(os.getpid()),
            host=socket.gethostname(),
            message="",
        )

    @property
    def status(self) -> str:
        """The saved status, with a `running` run whose process is gone reported as `crashed`.

        A run started on another host keeps `running`: its process can't be checked from here.
        """
        state = self.read_json(RUN)
        status = str(state.get("status", "unknown"))
        here = state.get("host") == socket.gethostname()
        if status == "running" and here and not process_alive(state.get("pid"), state.get("pid_started")):
            return "crashed"
        return status

    def remove_temp_files(self) -> list[Path]:
        """Delete what a killed process left half-written (the real files are intact); return them."""
        removed = [p for p in self.path.iterdir() if p.is_file() and is_temp_file(p)]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def model_file(self) -> Path | None:
        """The checkpoint to predict with: the best epoch's, else the last epoch's; None before the first
        epoch has ended. The one place that knows which model file a run is used by."""
        return next((self.file(n) for n in (BEST, LAST) if self.file(n).exists()), None)

    def load_model(self, name: str, keras: Any) -> Any:
        """A checkpoint of this run, loaded in Keras' safe mode (no pickled Python code runs); a damaged or
        unsafe file is a RunFolderError that says what to do."""
        path = self.file(name)
        try:
            return keras.models.load_model(path, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - Keras raises ValueError, OSError, zip errors...
            raise RunFolderError(
                f"{path} can't be loaded safely ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                "seqtui only loads plain Keras models. Train a new run"
            ) from exc

    def save_model(self, model: Any, name: str) -> None:
        """Save a Keras model (with optimizer state) atomically: a crash never leaves half a file."""
        atomic_write(self.file(name), lambda tmp: model.save(tmp))

    def copy_file(self, source: str, target: str) -> None:
        """Copy one run file over another atomically (cheaper than serialising a model twice)."""
        atomic_write(self.file(target), lambda tmp: shutil.copyfile(self.file(source), tmp))

    # -- history ----------------------------------------------------------------------------
    def read_history(self) -> list[dict[str, float]]:
        try:
            with self.file(HISTORY).open(encoding="utf-8", newline="") as fh:
                return [
                    {k: float(v) for k, v in row.items() if k is not None and v not in ("", None)}
                    for row in csv.DictReader(fh)
                ]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, csv.Error) as exc:
            raise RunFolderError(
                f"{self.file(HISTORY)} is unreadable ({exc}); the run folder is damaged"
            ) from exc

    def write_history(self, rows: list[dict[str, float]]) -> None:
        keys: list[str] = ["epoch"]
        for row in rows:
            keys += [k for k in row if k not in keys]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (int(v) if k == "epoch" else f"{v:.6g}") for k, v in row.items()})
        atomic_write_text(self.file(HISTORY), buf.getvalue())


@dataclass(frozen=True)
class RunSummary:
    """One line of `seqtui runs`; a damaged folder has status `damaged` and says why in `reason`."""

    path: Path
    name: str
    status: str
    epochs_done: int
    epochs: int
    best_val: tuple[str, float] | None
    test: tuple[str, float] | None
    started: str | None
    seconds: float | None
    reason: str = ""
    baseline: Baseline | None = None
    """The baseline to beat on the same test set (core/baselines.py), when the run recorded one."""
    verdict: str = ""
    devices: str | None = None
    """Backend and devices it trained on ('jax on 1x NVIDIA H100 80GB HBM3'); None for older runs."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _headline(metrics: dict[str, Any], prefix: str = "") -> tuple[str, float] | None:
    for key in ("accuracy", "mae", "loss"):
        if prefix + key in metrics:
            return prefix + key, metrics[prefix + key]
    return None


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except (ValueError, TypeError):
        return None


def _whole(state: dict[str, Any], key: str, default: int, where: Path) -> int:
    value = state.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RunFolderError(f"{where} holds {key}={value!r}, not a number of epochs")
    return value


def summarize(folder: RunFolder) -> RunSummary:
    """The folder's line; a file that is unreadable or holds the wrong types raises RunFolderError."""
    state = folder.read_json(RUN)
    config = folder.read_json(CONFIG)
    history = folder.read_history()
    metrics = folder.read_json(METRICS)
    bad = next((k for k, v in metrics.items() if not _is_number(v)), None)
    if bad is not None:
        raise RunFolderError(f"{folder.file(METRICS)} holds {bad}={metrics[bad]!r}, not a number")
    data = config.get("data", {})
    if not isinstance(data, dict):
        raise RunFolderError(f"{folder.file(CONFIG)} holds data={data!r}, not an object")
    name = config.get("preset") or data.get("dataset") or "?"
    best_val = None
    if history:
        head = _headline(history[0], "val_")
        if head:
            key = head[0]
            pick = max if key.endswith("accuracy") else min
            best_val = (key, pick(row.get(key, float("nan")) for row in history))
    started = state.get("started")
    return RunSummary(
        path=folder.path,
        name=str(name),
        status=folder.status,
        epochs_done=_whole(state, "epochs_done", len(history), folder.file(RUN)),
        epochs=_whole(state, "epochs", 0, folder.file(RUN)),
        best_val=best_val,
        test=_headline(metrics),
        started=started if isinstance(started, str) else None,
        seconds=(
            float(state["train_seconds"])
            if _is_number(state.get("train_seconds"))
            else _seconds_between(started, state.get("ended"))
        ),
        baseline=Baseline.from_dict(state.get("baseline")),
        verdict=str(state.get("verdict") or ""),
        devices=state.get("devices") if isinstance(state.get("devices"), str) else None,
    )


def damaged(path: Path, reason: str) -> RunSummary:
    """The line of a run folder that can't be read: listed, with the reason, rather than hidden."""
    return RunSummary(path, "?", "damaged", 0, 0, None, None, None, None, reason)


def has_model(run_dir: Path) -> bool:
    """Whether the run folder has a model to predict with (see `RunFolder.model_file`)."""
    return RunFolder(run_dir).model_file() is not None


def list_runs(root: Path) -> list[RunSummary]:
    """Every run folder under root, newest first; a damaged one is listed as `damaged` with the reason."""
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.iterdir(), reverse=True):
        if not path.is_dir() or not any((path / name).is_file() for name in (RUN, CONFIG)):
            continue
        if not (path / RUN).is_file():
            out.append(damaged(path, f"{RUN} is missing"))
            continue
        try:
            out.append(summarize(RunFolder(path)))
        except RunFolderError as exc:
            out.append(damaged(path, str(exc)))
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a field of an unexpected type
            out.append(damaged(path, f"{type(exc).__name__}: {exc}"))
    return out
