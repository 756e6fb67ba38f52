"""What the Sweep screen says about a sweep besides its trials: the space it searches (the settings the user
named and the defaults it adds), and a hint when every trial scored what always answering the majority class
scores, i.e. the model learned nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from seqtui.core.experiments.search_space import Range

LEVEL_POINTS = 0.01
"""A trial within this much accuracy of the majority-class baseline counts as level with it."""


def describe_space(space: dict[str, Range], search: str | None) -> str:
    """'units 32..64 (log); not named, so searched by default: dropout 0..0.5, ...': what each trial picks
    from, the settings the user named first and the defaults the sweep adds after them."""
    named = {part.partition("=")[0].strip() for part in (search or "").split(",") if "=" in part}

    def one(name: str, r: Range) -> str:
        where = f"{r.low:g} (fixed)" if r.low == r.high else r.describe() + (" log" if r.log else "")
        return f"{name} {where}"

    mine = [one(n, r) for n, r in space.items() if n in named]
    added = [one(n, r) for n, r in space.items() if n not in named]
    text = ", ".join(mine)
    if added:
        text += ("; not named, so searched by default: " if mine else "by default: ") + ", ".join(added)
    return text


def majority_accuracy(run_dirs: Iterable[str]) -> float | None:
    """The majority-class accuracy the trials' runs recorded (run.json's baseline), from the first that has it."""
    from seqtui.core.model.baselines import Baseline
    from seqtui.core.runs.folder import RunFolder, RunFolderError

    for run_dir in run_dirs:
        if not run_dir:
            continue
        try:
            state = RunFolder.open(Path(run_dir)).read_json("run.json")
        except (RunFolderError, OSError, ValueError):
            continue
        baseline = Baseline.from_dict(state.get("baseline"))
        if baseline is not None and "majority_test_accuracy" in baseline.metrics:
            return baseline.metrics["majority_test_accuracy"]
    return None


def learned_nothing_hint(values: list[float], majority: float | None) -> str:
    """A line when every scored trial sits at (or under) the majority-class accuracy; else ''."""
    if majority is None or not values or max(values) > majority + LEVEL_POINTS:
        return ""
    count = "the trial" if len(values) == 1 else f"all {len(values)} trials"
    return (
        f"{count} scored about the majority-class accuracy ({majority:.4f}, always answering the most "
        "frequent class): the model learned nothing. Try more epochs, another learning rate, or check the data."
    )
