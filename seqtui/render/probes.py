"""Probes and gradient flow as both doors show them: per probe its current answer, a sparkline of that
answer's probability over the epochs and a mark where the answer flipped; per layer its gradient norm over
the epochs, and plain sentences for a layer whose gradient collapsed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len as _cells
from rich.text import Text

from seqtui.common.names import clean_text
from seqtui.core.training.grad_flow import collapse_notes

SPARKS = "▁▂▃▄▅▆▇█"
FLIP = "↺"


def sparkline(values: list[float]) -> str:
    """Probabilities in [0, 1] as block characters, one per epoch (a missing value as a space)."""
    out = []
    for p in values:
        out.append(
            " " if not math.isfinite(p) else SPARKS[min(len(SPARKS) - 1, max(0, int(p * len(SPARKS))))]
        )
    return "".join(out)


@dataclass
class ProbeTrack:
    """One probe over the epochs: its answer and every class's probability at each."""

    name: str
    epochs: list[int] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    probabilities: list[dict[str, float]] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return self.answers[-1] if self.answers else ""

    @property
    def p(self) -> float:
        return self.probabilities[-1].get(self.answer, math.nan) if self.answers else math.nan

    def curve(self) -> list[float]:
        """The probability of the current answer at each epoch: a flip shows as the line crossing 1/2 or
        climbing past the old answer."""
        return [float(row.get(self.answer, math.nan) or 0.0) for row in self.probabilities]

    def last_flip(self) -> tuple[int, str] | None:
        """(the epoch the answer last changed at, the answer before), or None if it never changed."""
        for n in range(len(self.answers) - 1, 0, -1):
            if self.answers[n] != self.answers[n - 1]:
                return self.epochs[n], self.answers[n - 1]
        return None


def probe_tracks(rows: list[dict[str, Any]]) -> list[ProbeTrack]:
    """Tracks from probes.jsonl rows (or epoch events): {"epoch", "probes": [{probe, answer, probabilities}]}."""
    tracks: dict[int, ProbeTrack] = {}
    for row in rows:
        for n, probe in enumerate(row.get("probes") or []):
            track = tracks.setdefault(n, ProbeTrack(clean_text(probe.get("probe", ""), 200)))
            track.epochs.append(int(row.get("epoch", len(track.epochs) + 1)))
            track.answers.append(clean_text(probe.get("answer", ""), 40))
            probs = probe.get("probabilities") or {}
            track.probabilities.append(
                {clean_text(k, 40): float(v) for k, v in probs.items() if v is not None}
            )
    return [tracks[n] for n in sorted(tracks)]


def _fit(text: str, cells: int) -> str:
    if _cells(text) <= cells:
        return text
    out = ""
    for ch in text:
        if _cells(out + ch) > cells - 1:
            break
        out += ch
    return out + "…"


def probe_line(track: ProbeTrack, width: int) -> Text:
    """`↺ "the team won…" sports 0.87 ▁▃▅▇ was trivia at 3` in `width` cells."""
    flip = track.last_flip()
    tail = f" was {flip[1]} at {flip[0]}" if flip else ""
    spark = sparkline(track.curve()[-max(4, width // 4) :])
    answer = f" {track.answer} {track.p:.2f} "
    room = max(6, width - 2 - _cells(answer) - len(spark) - _cells(tail) - 2)
    line = Text(f"{FLIP} " if flip else "  ", style="bold yellow")
    line.append(f'"{_fit(track.name, room)}"')
    line.append(answer, style="bold")
    line.append(spark, style="cyan")
    line.append(tail, style="yellow")
    line.truncate(width, overflow="ellipsis")
    return line


def compact_probes(tracks: list[ProbeTrack], width: int) -> Text:
    """Every probe's current answer on one line (no room for sparklines), flipped ones marked."""
    line = Text("probes: ", style="bold")
    for n, track in enumerate(tracks):
        if n:
            line.append(" · ")
        mark = FLIP if track.last_flip() else ""
        line.append(f"{mark}{_fit(track.name, 16)} ")
        line.append(f"{track.answer} {track.p:.2f}", style="bold yellow" if mark else "bold")
    line.truncate(width, overflow="ellipsis")
    return line


def probes_text(rows: list[dict[str, Any]], width: int, compact: bool) -> Text:
    """The probes block: one line per probe with a sparkline, or one line of current answers (`compact`)."""
    tracks = probe_tracks(rows)
    if not tracks:
        return Text("")
    if compact:
        return compact_probes(tracks, width)
    return Text("\n").join(probe_line(t, width) for t in tracks)


def flow_series(rows: list[dict[str, Any]]) -> dict[str, tuple[list[int], list[float]]]:
    """Per layer, the epochs and its gradient norm at each (what the log-scale chart draws)."""
    series: dict[str, tuple[list[int], list[float]]] = {}
    for row in rows:
        for layer, norm in (row.get("grad_norms") or {}).items():
            if isinstance(norm, (int, float)) and math.isfinite(norm):
                xs, ys = series.setdefault(clean_text(layer, 40), ([], []))
                xs.append(int(row["epoch"]))
                ys.append(float(norm))
    return series


def flow_notes(rows: list[dict[str, Any]]) -> list[str]:
    """Plain sentences for the layers whose gradient collapsed by the last epoch."""
    norms = [{clean_text(k, 40): float(v) for k, v in (row.get("grad_norms") or {}).items()
              if isinstance(v, (int, float))} for row in rows if row.get("grad_norms")]  # fmt: skip
    return collapse_notes(norms)
