"""What a sweep searches: the default ranges per architecture and input, narrowed (or fixed) by `--search`,
and one trial's settings sampled from them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from seqtui.common.names import suggest
from seqtui.core.config.run_config import RECURRENT_ARCHITECTURES, RunConfig
from seqtui.core.experiments.errors import SweepError
from seqtui.datasets.lengths import ROUND_TO, TextStats


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


def default_space(
    config: RunConfig, input_kind: str | None, stats: TextStats | None = None
) -> dict[str, Range]:
    """Sensible ranges around the preset, for what its architecture and input use. With the training texts'
    `stats` (the user's text file, read before the sweep) maxlen ranges over the data's own lengths, from the
    median to the 99th percentile (rounded up to a multiple of 8), not around a default the texts are far from."""
    arch, d = config.model.arch, config.data
    space: dict[str, Range] = {
        "dropout": Range(float, 0.0, 0.5),
        "learning_rate": Range(float, 1e-4, 1e-2, log=True),
        "batch_size": Range(int, 16, 256, log=True),
    }
    if input_kind == "tokens":
        space["maxlen"] = Range(int, max(4, d.maxlen // 4), d.maxlen * 2)
        if stats is not None:
            low = max(4, stats.p50)
            space["maxlen"] = Range(int, low, max(low + ROUND_TO, math.ceil(stats.p99 / ROUND_TO) * ROUND_TO))
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
    given: dict[str, str] = {}
    for part in spec.split(","):
        name, sep, value = (p.strip() for p in part.partition("="))
        if not sep or not name or not value:
            raise SweepError(f"--search {part.strip()!r}: write NAME=LOW..HIGH, e.g. units=32..256")
        if name in given:  # the last one silently winning hides a typo
            raise SweepError(
                f"--search gives {name} twice ({name}={given[name]} and {name}={value}); keep one range"
            )
        given[name] = value
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
