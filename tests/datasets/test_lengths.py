"""The training texts' lengths and the vocabulary's coverage: the suggested maxlen, the coverage lines a run
starts with, and the sweep's default maxlen range taken from them."""

from __future__ import annotations

from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.experiments.search_space import default_space
from seqtui.datasets.config import DataConfig
from seqtui.datasets.lengths import text_stats
from seqtui.datasets.registry import load_dataset


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
