"""Setup's coverage lines (the chosen text data's lengths against maxlen and the vocabulary, counted once in a
worker) and its monitor select (which epoch a run keeps), driven through the real app."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from seqtui.datasets.config import DataConfig
from seqtui.datasets.registry import load_dataset
from seqtui.tui import memory
from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.screens.train import TrainScreen
from seqtui.tui.setup_coverage import coverage_text
from tests.tui.test_setup import fake_app, message, type_into
from tests.tui_fakes import plain, settle, until


def stats_of(dataset: str, **sizes: int):
    """What `datasets/lengths.py` states on a load of the data at these sizes (as `seqtui train` prints)."""
    return load_dataset(DataConfig(dataset=dataset, **sizes)).text_stats


async def counted(pilot, screen: SetupScreen) -> None:
    """Until the data's tokens are counted (a moment after the last change, then a thread worker)."""
    await until(pilot, lambda: screen._counting is None)
    await settle(pilot)


async def choose(pilot, screen: SetupScreen, preset: str) -> None:
    screen.choose_preset(preset)
    await pilot.pause()
    await counted(pilot, screen)


async def test_the_coverage_lines_are_lengths_py_s_and_follow_the_sizes_typed(tmp_path, monkeypatch):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await choose(pilot, screen, "topics-en-lstm")
        preset = screen.config
        assert preset is not None and preset.data.dataset == "topics-en"
        expected = stats_of("topics-en", maxlen=preset.data.maxlen, vocab_size=preset.data.vocab_size)
        assert screen.coverage == expected
        assert plain(screen.query_one("#coverage", Static)) == coverage_text(expected)
        # other sizes: the shares are recomputed from the kept counts, the file is not read again
        monkeypatch.setattr("seqtui.datasets.registry.load_dataset", lambda data: 1 / 0)
        await type_into(pilot, screen, "maxlen", "6")
        await type_into(pilot, screen, "vocab_size", "300")
        assert not app.workers  # no second reading
        expected = stats_of("topics-en", maxlen=6, vocab_size=300)
        assert screen.coverage == expected and expected.whole < 1 and expected.vocab_coverage < 1
        shown = plain(screen.query_one("#coverage", Static))
        assert shown.startswith(f"maxlen 6 covers {expected.whole:.0%} of training texts whole")
        assert f"vocab 300 covers {expected.vocab_coverage:.0%} of training tokens" in shown


async def test_a_users_text_file_gets_its_lines_and_ctrl_t_takes_the_suggestion(tmp_path):
    rows = ["text,label"] + [f'"{" ".join(["좋은"] * (3 + i % 12))} 영화",{i % 2}' for i in range(80)]
    path = tmp_path / "reviews.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.select_dataset("file")
        await type_into(pilot, screen, "data_path", str(path))
        await type_into(pilot, screen, "maxlen", "200")
        await counted(pilot, screen)
        vocab = int(screen.query_one("#vocab_size", Input).value)
        expected = load_dataset(
            DataConfig("file", data_path=str(path), maxlen=200, vocab_size=vocab)
        ).text_stats
        assert expected is not None and screen.coverage == expected
        assert expected.suggested_maxlen == 16  # lengths 4..15: the 95th percentile rounded up to 8
        assert "(ctrl+t: maxlen 16 keeps 95% whole and trains faster)" in plain(screen.query_one("#coverage"))
        assert screen.query_one("#maxlen", Input).value == "200"  # only the key changes it
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.query_one("#maxlen", Input).value == "16"
        assert screen.config is not None and screen.config.data.maxlen == 16
        assert (
            screen.coverage.maxlen == 16 and screen.coverage.whole == expected.counts.stats(16, vocab).whole
        )


async def test_images_and_series_show_no_coverage(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        for preset in ("digits-mlp", "seattle-gru"):
            await choose(pilot, screen, preset)
            assert screen.coverage is None and not screen.query_one("#coverage").display


async def test_the_monitor_chosen_is_the_one_start_trains_with_and_is_remembered(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await choose(pilot, screen, "topics-en-lstm")
        select = screen.query_one("#monitor", Select)
        assert select.value == "val_loss" and not select.disabled
        select.value = "val_accuracy"
        await pilot.pause()
        assert message(screen, "monitor") == "highest kept"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen)
        kind, config = app.runner.calls[0]
        assert kind == "train" and config.train.monitor == "val_accuracy"
    assert memory.recall()["monitor"] == "val_accuracy"
    again = fake_app(tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.screen.query_one("#monitor", Select).value == "val_accuracy"


async def test_a_forecaster_keeps_val_loss_and_says_why(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await choose(pilot, screen, "topics-en-lstm")
        screen.query_one("#monitor", Select).value = "val_accuracy"
        await pilot.pause()
        await choose(pilot, screen, "seattle-gru")
        select = screen.query_one("#monitor", Select)
        assert select.disabled and select.value == "val_loss"
        assert message(screen, "monitor") == "no accuracy"
        assert screen.config is not None and screen.config.train.monitor == "val_loss"
