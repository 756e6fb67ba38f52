"""How long the training texts are and how much of them the vocabulary covers: the numbers behind a
suggested maxlen and vocabulary size.

A maxlen far above the texts' lengths costs a recurrent model time for nothing (each padded step is a step
of the loop): review snippets of 19 tokens on average, padded to 200, train 5-10x slower than at 48. seqtui
says so rather than changing the value: a preset's maxlen is part of its lesson (its exact parameter count,
its numbers), and the user may want it. `--maxlen` set to the suggestion is one flag away, and a sweep's
default maxlen range is taken from these percentiles (`core/experiments/search_space.py`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

ROUND_TO = 8
"""A suggested maxlen is the 95th percentile rounded up to a multiple of this (at least this)."""


@dataclass(frozen=True)
class TextStats:
    """Token lengths of the training texts (start marker included, as the model reads them) and coverage."""

    p50: int
    p95: int
    p99: int
    longest: int
    maxlen: int
    whole: float
    """Share of the training texts that fit in `maxlen` whole (none of their tokens cut)."""
    vocab_size: int
    vocab_coverage: float
    """Share of the training tokens inside the vocabulary (not the out-of-vocabulary id)."""
    counts: TokenCounts | None = field(default=None, compare=False, repr=False)
    """What these shares were computed from: the same figures at another maxlen or vocabulary size need no
    second reading of the texts (`counts.stats(maxlen, vocab_size)`, as Setup does while the user types)."""

    @property
    def suggested_maxlen(self) -> int:
        """The 95th percentile rounded up to a multiple of ROUND_TO: 95% or more of the texts whole."""
        return max(ROUND_TO, math.ceil(self.p95 / ROUND_TO) * ROUND_TO)

    def maxlen_line(self, how: str = "--maxlen {}") -> str:
        """'maxlen 48 covers 97% of training texts whole; p95 40, p99 62', with a hint when far too long
        (`how` says how to set the suggestion where the line is read: a flag, or the app's key)."""
        line = (
            f"maxlen {self.maxlen} covers {self.whole:.0%} of training texts whole; "
            f"p95 {self.p95}, p99 {self.p99} tokens"
        )
        if self.maxlen >= 2 * self.suggested_maxlen:  # mostly padding: a recurrent model loops over it
            line += f" ({how.format(self.suggested_maxlen)} keeps 95% whole and trains faster)"
        return line

    def vocab_line(self) -> str:
        """'vocab 10000 covers 94% of training tokens'."""
        return f"vocab {self.vocab_size} covers {self.vocab_coverage:.0%} of training tokens"


@dataclass(frozen=True, eq=False)
class TokenCounts:
    """The training texts' token lengths and how many of their tokens carry each id: enough for the shares
    at any maxlen and vocabulary size. Ids are frequency ranks (Keras' rule), so a vocabulary of size V keeps
    the ids below V and turns the rest into the out-of-vocabulary id."""

    lengths: np.ndarray
    per_id: np.ndarray
    """per_id[i]: training tokens with id i (ids not cut by a vocabulary, where the data allows)."""
    oov_id: int

    def stats(self, maxlen: int, vocab_size: int) -> TextStats | None:
        """The statistics at this maxlen and vocabulary size; None without any text."""
        if not len(self.lengths):
            return None
        lengths, tokens = self.lengths, int(self.per_id.sum())
        known = self.per_id[:vocab_size].sum() - (self.per_id[self.oov_id] if self.oov_id < vocab_size else 0)
        p50, p95, p99 = (int(math.ceil(np.percentile(lengths, q))) for q in (50, 95, 99))
        return TextStats(
            p50=p50,
            p95=p95,
            p99=p99,
            longest=int(lengths.max()),
            maxlen=maxlen,
            whole=float(np.mean(lengths <= maxlen)),
            vocab_size=vocab_size,
            vocab_coverage=int(known) / tokens if tokens else 0.0,
            counts=self,
        )


def token_counts(ids: Sequence[Sequence[int]], oov_id: int) -> TokenCounts:
    """The counts of training texts given as their token ids before padding (numpy over one flat array)."""
    lengths = np.fromiter((len(seq) for seq in ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter((t for seq in ids for t in seq), dtype=np.int64, count=int(lengths.sum()))
    per_id = np.bincount(flat, minlength=oov_id + 1) if len(flat) else np.zeros(oov_id + 1, np.int64)
    return TokenCounts(lengths, per_id, oov_id)


def text_stats(ids: Sequence[Sequence[int]], maxlen: int, vocab_size: int, oov_id: int) -> TextStats | None:
    """The statistics of training texts given as their token ids before padding; None without any."""
    return token_counts(ids, oov_id).stats(maxlen, vocab_size)
