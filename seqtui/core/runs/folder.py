"""Run folders: `runs/<UTC timestamp>-<name>/` with config, history, checkpoints, status and metrics.

Every write goes to a temporary file in the same folder and is renamed into place, so a crash or a full
disk never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seqtui.common.errors import EXIT_FAILED, SeqtuiError
from seqtui.common.files import (
    UnreadableFile,
    atomic_write,
    atomic_write_json,
    atomic_write_text,
    is_temp_name,
    read_limited,
)
from seqtui.common.names import clean_name, slug
from seqtui.core.config.naming import run_title
from seqtui.core.config.run_config import FIELD_SECTION, RunConfig
from seqtui.core.config.settings import Settings
from seqtui.core.model.archive import archive_problem

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
SMALL_FILE_LIMIT = 16 * 2**20
"""The most bytes seqtui reads of config.json, run.json or metrics.json (a real one holds a few KiB)."""
READ_LIMITS = {HISTORY: 64 * 2**20, ENCODER: 512 * 2**20}
"""Files that grow with the run: a line per epoch; a tokenizer's whole vocabulary (10 million words fit)."""
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


def check_runs_dir(root: Path, create: bool = False) -> None:
    """RunFolderError when `root` can't be a runs folder: it, or the nearest part of its path that exists, is
    a file (`SEQTUI_RUNS_DIR=notes.txt`, `--runs-dir /etc/passwd/x`); with `create`, also when it can't be
    made. A folder that isn't there yet is fine to list: it holds no runs."""
    there = next((p for p in (root, *root.parents) if p.exists()), None)
    if there is not None and not there.is_dir():
        what = "is a file" if there == root else f"can't be made: {there} is a file"
        raise RunFolderError(
            f"the runs folder {root} {what}, not a folder; pass a folder with --runs-dir DIR or SEQTUI_RUNS_DIR"
        )
    if create:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(
                f"the runs folder {root} can't be made: {exc.strerror or exc}; pass another with --runs-dir DIR"
            ) from None


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
    """Whether a process with this id exists. An id no process can have (zero, negative, or too large
    for the system's pid type, as a damaged run.json may hold) is not alive, so it never blocks a resume."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # it exists but belongs to another user
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


@contextlib.contextmanager
def _folder_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself for the few milliseconds of a read-change-write of run.json
    (run.json is replaced by a rename, so the lock can't be on the file)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # the folder is gone or unreadable: the read below says so
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass
class RunFolder:
    path: Path

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    @classmethod
    def create(cls, root: Path, name: str, fallback: str = "run") -> RunFolder:
        """A new empty folder `<UTC time stamp>-<slug of name>` under root (the slug of `fallback` where the
        name has no ASCII letter or digit, e.g. a Korean name); the display name lives in run.json."""
        check_writable(root)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safe = slug(name) or slug(fallback) or "run"
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

    def display_name(self) -> str:
        """The run's name as shown (see `display_name`); RunFolderError when run.json can't be read."""
        return display_name(self.read_json(RUN), self.read_json(CONFIG))

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

    def read_bytes(self, name: str) -> bytes:
        """The bytes of one of the run's files, the one way they are read: a regular file within its
        READ_LIMITS bound, else RunFolderError (a link to /dev/zero or a FIFO is never read from);
        FileNotFoundError when it is not there."""
        try:
            return read_limited(self.file(name), READ_LIMITS.get(name, SMALL_FILE_LIMIT))
        except UnreadableFile as exc:
            raise RunFolderError(f"{self.file(name)} {exc}; the run folder is damaged") from None

    def read_json(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads(self.read_bytes(name).decode("utf-8"))
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
        """Change fields of run.json; the trainer and `seqtui runs rename/note` may write it at once, so
        each read-change-write holds the folder's lock (none where the system has no flock)."""
        with _folder_lock(self.path):
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

    def model_and_encoder(self) -> tuple[Path, dict[str, Any]]:
        """The checkpoint to use (`model_file`) and encoder.json's contents, or a RunFolderError naming what
        is missing: what predicting with a run and exporting it both need."""
        checkpoint = self.model_file()
        if checkpoint is None:
            raise RunFolderError(f"{self.path} has no saved model yet (no {BEST} or {LAST}); train it first")
        encoder = self.read_json(ENCODER)
        if not encoder:
            raise RunFolderError(f"{self.path} has no {ENCODER}; the run folder is incomplete")
        self.check_model_file(checkpoint.name)  # before the caller spends seconds importing Keras
        return checkpoint, encoder

    def check_model_file(self, name: str) -> None:
        """RunFolderError unless the checkpoint is a Keras archive safe to hand to Keras (`archive_problem`:
        no decompression bomb, no entry outside the archive, the entries Keras writes); milliseconds."""
        problem = archive_problem(self.file(name))
        if problem:
            raise RunFolderError(f"{self.file(name)} is damaged: {problem}. Train a new run")

    def load_model(self, name: str, keras: Any) -> Any:
        """A checkpoint of this run, loaded in Keras' safe mode (no pickled Python code runs); a damaged or
        unsafe file is a RunFolderError that says what to do. The archive is checked first
        (`check_model_file`): a decompression bomb or a tampered archive never reaches Keras."""
        path = self.file(name)
        self.check_model_file(name)
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
            text = self.read_bytes(HISTORY).decode("utf-8")
            return [
                {k: float(v) for k, v in row.items() if k is not None and v not in ("", None)}
                for row in csv.DictReader(io.StringIO(text, newline=""))
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


def display_name(state: dict[str, Any], config: dict[str, Any]) -> str:
    """A run's name as shown: run.json's `name` (given at the start or by `seqtui runs rename`), else one made
    from config.json (older runs: the preset and what changed). Never raises on odd field types."""
    given = state.get("name")
    if isinstance(given, str) and clean_name(given):
        return clean_name(given)
    try:
        return run_title(RunConfig.from_dict(config))
    except (TypeError, ValueError, AttributeError):  # a section of the wrong type: the plain preset name
        data = config.get("data")
        return clean_name(
            config.get("preset") or (data.get("dataset") if isinstance(data, dict) else "") or "?"
        )


def has_model(run_dir: Path) -> bool:
    """Whether the run folder has a model to predict with (see `RunFolder.model_file`)."""
    return RunFolder(run_dir).model_file() is not None
