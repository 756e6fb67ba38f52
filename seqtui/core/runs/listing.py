"""The list of run folders (`seqtui runs`, the Runs screen): one summary line per run, a damaged folder
listed with the reason rather than hidden. The files of one run are `core/runs/folder.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from seqtui.common.errors import error_text
from seqtui.common.names import clean_name, clean_text
from seqtui.common.text import bounded_number
from seqtui.core.config.metrics import MONITORS, kept_row
from seqtui.core.model.baselines import Baseline
from seqtui.core.runs.folder import CONFIG, METRICS, RUN, RunFolder, RunFolderError, display_name
from seqtui.core.runs.progress import checked_progress


@dataclass(frozen=True)
class RunOverview:
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
    """The baseline to beat on the same test set (core/model/baselines.py), when the run recorded one."""
    verdict: str = ""
    devices: str | None = None
    """Backend and devices it trained on ('jax on 1x NVIDIA H100 80GB HBM3'); None for older runs."""
    arch: str = ""
    """The architecture (lstm, gru, cnn2d...); empty for a damaged run."""
    dataset: str = ""
    """What it trained on: the registered dataset, or the user's file by its stem."""
    note: str = ""
    """The user's note (`seqtui runs note`, `e` on the Runs screen)."""
    best_epoch: int | None = None
    """The epoch model.keras holds, the one tested: `best_val` is its validation metric."""
    monitor: str = "val_loss"
    """What chose that epoch: val_loss (lowest) or val_accuracy (highest)."""

    @property
    def best_text(self) -> str:
        """'acc 0.7304 @7' (the tested epoch's headline validation metric and its number), '-' without one."""
        if not self.best_val:
            return "-"
        name = self.best_val[0].removeprefix("val_").replace("accuracy", "acc")
        at = f" @{self.best_epoch}" if self.best_epoch is not None else ""
        return f"{name} {bounded_number(self.best_val[1])}{at}"

    def matches(self, text: str) -> bool:
        """Whether `text` (any case) is part of the name, architecture, dataset, status or note: the Runs
        screen's filter."""
        wanted = text.casefold().strip()
        return any(
            wanted in str(v).casefold() for v in (self.name, self.arch, self.dataset, self.status, self.note)
        )


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


def overview_of(folder: RunFolder) -> RunOverview:
    """The folder's line; a file that is unreadable or holds the wrong types raises RunFolderError."""
    progress = checked_progress(folder)  # the check a resume makes: damaged here, refused there
    state, history = progress.state, progress.history
    config = folder.read_json(CONFIG)
    metrics = folder.read_json(METRICS)
    bad = next((k for k, v in metrics.items() if not _is_number(v)), None)
    if bad is not None:
        raise RunFolderError(f"{folder.file(METRICS)} holds {bad}={metrics[bad]!r}, not a number")
    data = config.get("data", {})
    if not isinstance(data, dict):
        raise RunFolderError(f"{folder.file(CONFIG)} holds data={data!r}, not an object")
    model = config.get("model", {})
    if not isinstance(model, dict):
        raise RunFolderError(f"{folder.file(CONFIG)} holds model={model!r}, not an object")
    train = config.get("train", {})
    monitor = train.get("monitor") if isinstance(train, dict) else None
    monitor = monitor if monitor in MONITORS else "val_loss"
    best_val, best_epoch = _kept(history, monitor, state.get("best_epoch"))
    started = state.get("started")
    source = data.get("data_path")
    return RunOverview(
        path=folder.path,
        name=display_name(state, config),
        status=folder.status,
        epochs_done=progress.epochs_done,
        epochs=progress.epochs,
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
        arch=clean_name(model.get("arch", "")),
        dataset=clean_name(
            Path(source).stem if isinstance(source, str) and source else data.get("dataset", "")
        ),
        note=clean_text(state.get("note") or "", lines=True) if isinstance(state.get("note"), str) else "",
        best_epoch=best_epoch,
        monitor=monitor,
    )


def _kept(
    history: list[dict[str, float]], monitor: str, recorded: Any
) -> tuple[tuple[str, float] | None, int | None]:
    """The headline validation metric of the epoch model.keras holds (run.json's `best_epoch`; for an older
    run, the epoch the monitor picks from the history), and that epoch's number."""
    row = kept_row(history, monitor, recorded)
    head = _headline(row, "val_") if row else None
    if row is None or head is None:
        return None, None
    return head, int(row.get("epoch", history.index(row) + 1))


SORT_KEYS: dict[str, Any] = {
    "run": lambda r: r.name.casefold(),
    "arch": lambda r: r.arch,
    "started": lambda r: r.path.name,  # begins with the UTC start time; damaged runs have one too
    "status": lambda r: r.status,
    "epochs": lambda r: r.epochs_done,
    "best val": lambda r: r.best_val[1] if r.best_val else None,
    "test": lambda r: r.test[1] if r.test else None,
    "time": lambda r: r.seconds,
}
"""What the Runs screen sorts by, per column."""


def sorted_runs(runs: list[RunOverview], by: str, descending: bool = False) -> list[RunOverview]:
    """The runs sorted by one of SORT_KEYS (ties keep the folders' order); runs without a value (no test
    metric yet, NaN) go last whichever the direction."""
    key = SORT_KEYS[by]

    def missing(r: RunOverview) -> bool:
        value = key(r)
        return value is None or (isinstance(value, float) and value != value)

    present = sorted((r for r in runs if not missing(r)), key=key, reverse=descending)
    return present + [r for r in runs if missing(r)]


def damaged(path: Path, reason: str) -> RunOverview:
    """The line of a run folder that can't be read: listed, with the reason, rather than hidden."""
    return RunOverview(path, "?", "damaged", 0, 0, None, None, None, None, reason)


def list_runs(root: Path) -> list[RunOverview]:
    """Every run folder under root, newest first; a damaged one is listed as `damaged` with the reason. Hidden
    folders (`.deleting-...`, a deletion under way) are not runs."""
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.iterdir(), reverse=True):
        if (
            path.name.startswith(".")
            or not path.is_dir()
            or not any((path / name).exists() for name in (RUN, CONFIG))  # a FIFO or device: read says so
        ):
            continue
        if not (path / RUN).exists():
            out.append(damaged(path, f"{RUN} is missing"))
            continue
        try:
            out.append(overview_of(RunFolder(path)))
        except RunFolderError as exc:
            out.append(damaged(path, str(exc)))
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a field of an unexpected type
            out.append(damaged(path, error_text(exc)))
    return out
