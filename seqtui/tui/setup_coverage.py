"""Setup's coverage lines: how long the chosen text data's training texts are and how much of their tokens
the vocabulary keeps, against the form's maxlen and vocabulary size (`datasets/lengths.py`, the same lines
`seqtui train` starts with).

The data is read and tokenised once per source and tokenizer, in a thread worker after the dataset is chosen
(the training part, split as a run splits it); its token lengths and per-id counts are kept, so typing another
maxlen or vocabulary size only recomputes the shares. ctrl+t puts the suggested maxlen in its field; nothing
changes it by itself (a preset's maxlen is part of its lesson: its exact parameter count). Folders of texts
(aclImdb's 50,000 files) and Keras' own IMDB and Reuters are not read here (a folder costs seconds and a
half-typed path is a folder too; loading Keras' sets imports Keras): `seqtui train` states theirs when it
loads them.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from seqtui.datasets.registry import DATASETS

if TYPE_CHECKING:
    from textual.timer import Timer

    from seqtui.datasets.config import DataConfig
    from seqtui.datasets.lengths import TextStats, TokenCounts

COUNT_DELAY = 0.6
"""Seconds the data choice must stay the same before its texts are read."""
HOW = "ctrl+t: maxlen {}"
"""How Setup's line says to take the suggestion (the CLI's says `--maxlen N`)."""


def counts_key(data: DataConfig) -> str | None:
    """What the kept counts depend on (the data, its file's size and time, the tokenizer, the split), maxlen
    and vocabulary size left out; None for data whose lengths Setup does not count."""
    info = DATASETS.get(data.dataset)
    if info is None or info.input_kind not in ("tokens", "auto") or info.source == "keras":
        return None
    if info.task == "generation":
        return None  # next-token windows, not whole texts: no maxlen to cover
    stamp = ""
    if data.data_path:  # a file: a folder typed letter by letter passes /home and /tmp, no one's data
        path = os.path.expanduser(data.data_path)
        if not os.path.isfile(path):
            return None
        stat = os.stat(path)
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    return repr((dataclasses.replace(data, maxlen=0, vocab_size=0), stamp))


def coverage_text(stats: TextStats) -> str:
    return f"{stats.maxlen_line(HOW)}\n{stats.vocab_line()}"


class TextCoverage:
    """Mixed into the Setup screen, which composes `#coverage` and `#maxlen`, calls `show_coverage` from its
    `revalidate` and hands the "coverage" group's worker changes to `coverage_state`."""

    query_one: Any
    notify: Any
    set_timer: Any
    coverage: TextStats | None = None
    """The figures shown now (None: nothing is known for this data and these sizes)."""
    _counts: dict[str, TokenCounts | None] | None = None
    _counting: tuple[str, Worker[Any]] | None = None
    """The key being counted and its worker (an older one's late outcome is not this key's)."""
    _count_timer: Timer | None = None
    _shown_for: tuple[DataConfig, set[str], str | None] | None = None

    def show_coverage(self, data: DataConfig, bad: set[str], blocker: str | None) -> None:
        """The lines for this data at the form's sizes, from the kept counts (counted first if new)."""
        self._shown_for = (data, bad, blocker)
        counts = self._counts = self._counts if self._counts is not None else {}
        key = None if blocker else counts_key(data)
        self.coverage, text = None, ""
        if key is not None and key not in counts:
            if self._counting is None or self._counting[0] != key:
                self._count_soon(key, data)
            text = "counting the training texts' tokens..."
        elif key is not None and counts[key] is not None and not {"maxlen", "vocab_size"} & bad:
            self.coverage = counts[key].stats(data.maxlen, data.vocab_size)  # type: ignore[union-attr]
            text = coverage_text(self.coverage) if self.coverage else ""
        box = self.query_one("#coverage", Static)
        box.update(text)
        box.set_class(bool(text), "-shown")

    def _count_soon(self, key: str, data: DataConfig) -> None:
        """Count once the form has been still a moment: a path typed letter by letter passes folders (/home)
        that are no one's data."""
        if self._count_timer is not None:
            self._count_timer.stop()

        def start() -> None:
            self._counting = (key, self.count_tokens(key, data))

        self._counting = (key, None)  # type: ignore[assignment]
        self._count_timer = self.set_timer(COUNT_DELAY, start)

    @work(thread=True, exclusive=True, exit_on_error=False, group="coverage", name="coverage")
    def count_tokens(self, key: str, data: DataConfig) -> tuple[str, TokenCounts | None]:
        from seqtui.datasets.registry import load_dataset

        stats = load_dataset(data).text_stats
        return key, stats.counts if stats is not None else None

    def coverage_state(self, event: Worker.StateChanged) -> bool:
        """Keep the counts and show them if the form still shows that data; data that can't be read shows
        no line (Start says what is wrong with it). True: never an error dialog."""
        counting, counts = self._counting, self._counts if self._counts is not None else {}
        if counting is None or event.worker is not counting[1]:
            return True  # an older count, for data the form no longer shows
        if event.state == WorkerState.SUCCESS:
            key, counts[key] = event.worker.result
        elif event.state == WorkerState.ERROR:
            counts[counting[0]] = None
        else:
            return True
        self._counting = None
        if self._shown_for is not None:
            self.show_coverage(*self._shown_for)
        return True

    def action_use_suggested_maxlen(self) -> None:
        """Put the suggested maxlen (the 95th percentile, rounded up to 8) in its field."""
        if self.coverage is None:
            self.notify("No suggested maxlen: it comes from a text dataset's lengths", severity="warning")
            return
        suggested = self.coverage.suggested_maxlen
        self.query_one("#maxlen", Input).value = str(suggested)
        self.notify(f"maxlen set to {suggested}: p95 is {self.coverage.p95} tokens", timeout=3)
