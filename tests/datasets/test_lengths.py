"""The training texts' lengths and the vocabulary's coverage: the suggested maxlen, the coverage lines a run
starts with, and the sweep's default maxlen range taken from them."""

from __future__ import annotations

import numpy as np

from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.experiments.search_space import default_space
from seqtui.datasets.config import DataConfig
from seqtui.datasets.lengths import text_stats
from seqtui.datasets.registry import load_dataset
from tests.data_files import write_imdb_npz


def test_percentiles_coverage_and_the_suggestion_are_computed_from_the_ids():
    ids = [[5] * n for n in range(1, 101)]  # lengths 1..100
    ids[0] = [1]  # one out-of-vocabulary token (id 1) among 5,050
    stats = text_stats(ids, maxlen=200, vocab_size=50, oov_id=1)
    assert (stats.p50, stats.p95, stats.p99, stats.longest) == (51, 96, 100, 100)
    assert stats.whole == 1.0 and stats.suggested_maxlen == 96
    assert abs(stats.vocab_coverage - 5049 / 5050) < 1e-9
    assert stats.vocab_line() == "vocab 50 covers 100% of training tokens"
    assert stats.maxlen_line().endswith("p99 100 tokens (--maxlen 96 keeps 95% whole and trains faster)")
    fits = text_stats(ids, maxlen=150, vocab_size=50, oov_id=1)
    assert fits.maxlen_line() == "maxlen 150 covers 100% of training texts whole; p95 96, p99 100 tokens"
    short = text_stats(ids, maxlen=48, vocab_size=50, oov_id=1)
    assert short.whole == 0.48 and short.maxlen_line().startswith(
        "maxlen 48 covers 48% of training texts whole"
    )
    assert text_stats([], 10, 10, 1) is None


def test_a_maxlen_far_above_the_texts_gets_a_hint(tmp_path):
    ids = [[5] * 19 for _ in range(50)]
    assert (
        text_stats(ids, 200, 100, 1).maxlen_line().endswith("(--maxlen 24 keeps 95% whole and trains faster)")
    )
    assert "--maxlen" not in text_stats(ids, 32, 100, 1).maxlen_line()  # close enough: no hint


def test_a_table_run_states_its_coverage_and_the_sweep_ranges_over_its_lengths(tmp_path):
    lines = ["text,label"] + [f'"{" ".join(["good"] * (3 + i % 10))} film",{i % 2}' for i in range(60)]
    (tmp_path / "short.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(DataConfig(dataset="file", data_path=str(tmp_path / "short.csv"), maxlen=200))
    stats = ds.text_stats
    assert stats is not None and stats.longest <= 13 and stats.maxlen == 200
    assert any(n.startswith("maxlen 200 covers 100% of training texts whole") for n in ds.notes)
    assert any(n.startswith("vocab 10000 covers 100% of training tokens") for n in ds.notes)
    config = with_overrides(RunConfig(), dataset="file", data_path=str(tmp_path / "short.csv"))
    space = default_space(config, "tokens", stats)
    assert (space["maxlen"].low, space["maxlen"].high) == (stats.p50, 16)  # not 50..400 around the default
    assert (
        default_space(config, "tokens")["maxlen"].low,
        default_space(config, "tokens")["maxlen"].high,
    ) == (50, 400)


def test_the_kept_counts_give_what_a_second_reading_at_other_sizes_gives():
    """Setup recomputes the shares as maxlen and vocabulary change, from the counts of one reading: they
    must equal what loading the data again at those sizes states."""
    first = load_dataset(DataConfig(dataset="topics-en", maxlen=200, vocab_size=10000)).text_stats
    again = load_dataset(DataConfig(dataset="topics-en", maxlen=6, vocab_size=300)).text_stats
    assert first is not None and again is not None and first.counts is not None
    assert first.counts.stats(6, 300) == again
    assert again.whole < 1.0 and again.vocab_coverage < first.vocab_coverage < 1.0 + 1e-12


def test_keras_reviews_state_their_lengths_and_the_vocabularys_exact_share(tmp_path):
    """Keras' ids are frequency ranks loaded uncut: the share at vocab 20 is the share of training tokens
    with an id below 20, counted here from the training rows loaded whole (maxlen 400, every id kept)."""
    path = write_imdb_npz(tmp_path / "imdb.npz", n=30)
    whole = load_dataset(DataConfig("imdb", data_path=str(path), maxlen=400, vocab_size=100_000))
    rows = [row[row > 0] for row in whole.x_train]  # pre-padded with 0; start mark 1 and words > 2
    assert max(len(r) for r in rows) < 400
    flat = np.concatenate(rows)
    lengths = np.array([len(r) for r in rows])
    ds = load_dataset(DataConfig("imdb", data_path=str(path), maxlen=40, vocab_size=20))
    stats = ds.text_stats
    assert stats is not None and stats.p95 == int(np.ceil(np.percentile(lengths, 95)))
    assert stats.whole == float(np.mean(lengths <= 40)) and stats.longest == lengths.max()
    assert abs(stats.vocab_coverage - float(np.mean(flat < 20))) < 1e-12 and stats.vocab_coverage < 1
    assert ds.notes[-2:] == [stats.maxlen_line(), stats.vocab_line()]
    assert ds.notes[-1] == f"vocab 20 covers {np.mean(flat < 20):.0%} of training tokens"
