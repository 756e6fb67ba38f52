"""Compare settings side by side: comma lists become a grid of runs on the same split and seed, trained one
after another, each an ordinary run folder, with a leaderboard kept as they go.

The comparison itself is a folder `<runs>/<time>-compare/` whose `compare.json` lists the runs (their
labels, folders and leaderboard rows); it is rewritten after every run, so an interrupted comparison still
lists what finished.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from seqtui.common.errors import SeqtuiError, short_message
from seqtui.common.files import atomic_write_json
from seqtui.core.config.errors import Cancelled
from seqtui.core.config.metrics import higher_is_better
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder, utc_now
from seqtui.core.training.events import EpochEnded, Event, RunEnded, RunStarted

COMPARE_FILE = "compare.json"


class CompareError(SeqtuiError):
    """A comma list or a grid of settings that can't be compared; the message says how to fix it."""

    title = "Nothing to compare"


def split_values(option: str, raw: str) -> list[str]:
    """'lstm, gru' -> ['lstm', 'gru']; an empty item or a repeated value is an error."""
    items = [item.strip() for item in raw.split(",")]
    if not raw.strip() or not all(items):
        raise CompareError(
            f"--{option} {raw!r} has an empty item; give values separated by commas, e.g. --{option} a,b"
        )
    repeated = sorted({item for item in items if items.count(item) > 1})
    if repeated:
        raise CompareError(
            f"--{option} lists {', '.join(map(repr, repeated))} more than once; list each value once"
        )
    return items


@dataclass(frozen=True)
class Entry:
    """One run of a comparison: a short label (what differs) and its config."""

    label: str
    config: RunConfig


def grid(
    presets: Sequence[str | None],
    varied: dict[str, list[Any]],
    build: Callable[[str | None, dict[str, Any]], RunConfig],
) -> list[Entry]:
    """Every preset x every combination of the varied settings, labelled by what differs.

    Raises CompareError when there is nothing to compare, or when two entries would train on different
    datasets (not the same split) or train the same model twice.
    """
    names = list(varied)
    entries = []
    for preset in presets:
        for values in itertools.product(*(varied[n] for n in names)):
            combo = dict(zip(names, values, strict=True))
            parts = ([preset] if len(presets) > 1 and preset else []) + [
                f"{n.replace('sample_limit', 'limit')}={v}" for n, v in combo.items() if len(varied[n]) > 1
            ]
            entries.append(Entry(" ".join(parts), build(preset, combo)))
    if len(entries) < 2:
        raise CompareError(
            "nothing to compare: give one setting two or more values, e.g. --arch lstm,gru or "
            "--preset imdb-lstm,imdb-gru"
        )
    sources = {(e.config.data.dataset, e.config.data.data_path): e.label for e in entries}
    if len(sources) > 1:
        (a, la), (b, lb) = list(sources.items())[:2]
        raise CompareError(
            f"{la} trains on {a[1] or a[0]} but {lb} on {b[1] or b[0]}: a comparison needs one dataset "
            "(the same split); pass --dataset or presets of one dataset"
        )
    seen: dict[str, str] = {}
    for e in entries:
        key = repr({**e.config.to_dict(), "preset": None})
        if key in seen:
            raise CompareError(f"{seen[key]} and {e.label} train the same model; drop one of them")
        seen[key] = e.label
    return entries


def named(entries: list[Entry], name: str) -> list[Entry]:
    """The entries with their runs named `name` and what tells each apart (`--name`): 'mine arch=gru'."""
    return [
        Entry(e.label, replace(e.config, label=f"{name} {e.label}".strip() if e.label else name))
        for e in entries
    ]


@dataclass
class Standing:
    """One row of the leaderboard, filled in from the run's events."""

    label: str
    run_dir: str = ""
    status: str = "pending"
    params: int | None = None
    monitor: str = "accuracy"
    epochs_done: int = 0
    seconds: float = 0.0
    """Training seconds summed over the epochs."""
    best_epoch: int | None = None
    best_val: float | None = None
    """The validation metric of the best epoch (the run's monitor, lowest val_loss by default: the checkpoint
    the test uses)."""
    time_to_best: float | None = None
    test: float | None = None
    baseline: float | None = None
    verdict: str = ""
    message: str = ""
    curves: list[dict[str, float]] = field(default_factory=list)
    """Each epoch's logs, for charts."""

    @property
    def seconds_per_epoch(self) -> float | None:
        return self.seconds / self.epochs_done if self.epochs_done else None

    def observe(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.run_dir, self.status = event.run_dir, "running"
            self.params, self.monitor = event.total_params, event.monitor_metric
        elif isinstance(event, EpochEnded):
            self.epochs_done = event.epoch
            self.seconds += event.seconds
            self.curves.append({"epoch": event.epoch, **event.logs})
            if event.best or self.best_epoch is None:
                self.best_epoch = event.epoch
                self.best_val = event.logs.get(f"val_{self.monitor}")
                self.time_to_best = self.seconds
        elif isinstance(event, RunEnded):
            self.run_dir, self.status, self.message = event.run_dir, event.status, event.message
            self.test = event.test_metrics.get(self.monitor)
            self.baseline = event.baseline.get(f"test_{self.monitor}")
            self.verdict = event.verdict

    def row(self) -> dict[str, Any]:
        """The leaderboard row as compare.json and `--json` give it (curves left out)."""
        out = {k: v for k, v in asdict(self).items() if k != "curves"}
        out["seconds_per_epoch"] = self.seconds_per_epoch
        return out


def ranked(standings: Sequence[Standing]) -> list[Standing]:
    """Best test metric first (highest accuracy, lowest error); runs without one keep their order last."""

    def key(s: Standing) -> tuple[int, float]:
        if s.test is None or not math.isfinite(s.test):
            return (1, 0.0)
        return (0, -s.test if higher_is_better(s.monitor) else s.test)

    return sorted(standings, key=key)


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "arch": str, "epochs": int, "batch_size": int, "maxlen": int, "vocab_size": int, "embedding_dim": int,
    "units": int, "layers": int, "dropout": float, "learning_rate": float, "optimizer": str, "patience": int,
    "seed": int, "sample_limit": int, "lookback": int, "conv_filters": int, "conv_kernel": int,
}  # fmt: skip
"""Settings `compare` takes as comma lists, and how to read one value of each."""


def option_name(setting: str) -> str:
    return "limit" if setting == "sample_limit" else setting.replace("_", "-")


def parse_lists(given: dict[str, str | None]) -> dict[str, list[Any]]:
    """Each given option's comma list, read as its type; CompareError says which value is wrong."""
    out = {}
    for setting, raw in given.items():
        if raw is None:
            continue
        name, kind = option_name(setting), CONVERTERS[setting].__name__
        spelled: dict[Any, str] = {}  # value -> how it was first written (0 and 0.0 are one float)
        for item in split_values(name, raw):
            try:
                value = CONVERTERS[setting](item)
            except ValueError:
                raise CompareError(
                    f"--{name}: {item!r} is not a{'n' if kind == 'int' else ''} {kind}"
                ) from None
            if value in spelled:
                raise CompareError(
                    f"--{name} lists {spelled[value]!r} and {item!r}, the same {kind}; list each value once"
                )
            spelled[value] = item
        out[setting] = list(spelled)
    return out


MAX_RUNS = 100
"""The largest grid `compare` trains without `--max-runs` raised to its size: a typo'd list (1..600) would
otherwise start hundreds of runs; sweeps (`seqtui sweep`) search large spaces without training them all."""


def grid_size(presets: Sequence[str | None], varied: dict[str, list[Any]]) -> tuple[int, str]:
    """How many runs a grid holds and why ('600 runs: 3 presets x 10 units x 20 dropout')."""
    factors = [(len(presets), "presets")] if len(presets) > 1 else []
    factors += [
        (len(values), option_name(n).removeprefix("--")) for n, values in varied.items() if len(values) > 1
    ]
    size = math.prod(n for n, _ in factors)
    return size, f"{size:,} runs" + (
        ": " + " x ".join(f"{n} {what}" for n, what in factors) if factors else ""
    )


def check_size(presets: Sequence[str | None], varied: dict[str, list[Any]], max_runs: int) -> None:
    """CompareError when the grid is larger than `max_runs` (checked before a single config is built)."""
    size, why = grid_size(presets, varied)
    if size > max_runs:
        raise CompareError(
            f"this comparison is {why}, more than --max-runs {max_runs}; shorten the lists, or pass "
            f"--max-runs {size} to train them all (or search the space with `seqtui sweep --trials N`)"
        )


def plan(
    presets: str | None,
    given: dict[str, str | None],
    build: Callable[[str | None, dict[str, Any]], RunConfig],
    max_runs: int = MAX_RUNS,
) -> list[Entry]:
    """The runs a `compare` command line asks for, every one checked before anything is written; a grid of
    more than `max_runs` runs is refused before any is built."""
    from seqtui.core.model.checks import check_config

    names: Sequence[str | None] = split_values("preset", presets) if presets is not None else [None]
    varied = parse_lists(given)
    check_size(names, varied, max_runs)
    entries = grid(names, varied, build)
    for entry in entries:
        check_config(entry.config)
    return entries


def _num(value: float | None, fmt: str = ".4f") -> str:
    return "-" if value is None else format(value, fmt)


def leaderboard_rows(standings: Sequence[Standing]) -> list[tuple[str, ...]]:
    """Ranked rows: place, run, parameters, s/epoch, best epoch, best val, test (or status), baseline, time
    to best. The CLI's table and the app's Compare screen show the same cells."""
    rows = []
    for place, s in enumerate(ranked(standings), 1):
        test = _num(s.test) if s.status in ("completed", "pending", "running") else s.status
        rows.append(
            (
                str(place) if s.test is not None else "",
                s.label,
                "-" if s.params is None else f"{s.params:,}",
                _num(s.seconds_per_epoch, ".1f"),
                f"{s.best_epoch}/{s.epochs_done}" if s.best_epoch else "-",
                _num(s.best_val),
                test,
                _num(s.baseline),
                "-" if s.time_to_best is None else f"{s.time_to_best:.0f}s",
            )
        )
    return rows


@dataclass
class Comparison:
    """A comparison folder and its leaderboard."""

    folder: RunFolder
    standings: list[Standing]

    @classmethod
    def create(cls, root: Path, entries: Sequence[Entry]) -> Comparison:
        comparison = cls(RunFolder.create(root, "compare"), [Standing(e.label) for e in entries])
        comparison.save()
        return comparison

    def save(self) -> None:
        atomic_write_json(
            self.folder.file(COMPARE_FILE),
            {"updated": utc_now(), "runs": [s.row() for s in self.standings]},
        )


TaggedObserver = Callable[[str, Event], None]


def run_comparison(
    entries: Sequence[Entry],
    observer: TaggedObserver,
    train: Callable[..., RunEnded],
    cancel: threading.Event | None = None,
    runs_dir: Path | None = None,
    on_error: Callable[[Entry, Exception], None] | None = None,
) -> Comparison:
    """Train every entry in turn with `train` (the runner's, or one wrapped in a live view).

    A run whose data or settings fail once loaded is recorded as failed and the next one goes on; a stop
    request ends the comparison after the current run's batch.
    """
    from seqtui.core.config.settings import Settings

    cancel = cancel or threading.Event()
    root = Path(runs_dir) if runs_dir else Settings.from_env().runs_dir
    comparison = Comparison.create(root, entries)
    for entry, standing in zip(entries, comparison.standings, strict=True):
        if cancel.is_set():
            break

        def tagged(event: Event, standing: Standing = standing, label: str = entry.label) -> None:
            standing.observe(event)
            observer(label, event)

        try:
            train(entry.config, tagged, cancel, runs_dir=root)
        except Exception as exc:  # noqa: BLE001 - one run's bad data must not lose the others
            standing.status, standing.message = "failed", short_message(exc)
            if isinstance(exc, Cancelled):
                standing.status = "interrupted"
            if on_error:
                on_error(entry, exc)
        comparison.save()
    return comparison
