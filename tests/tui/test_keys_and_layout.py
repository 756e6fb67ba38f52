"""Keys and small screens: digits match F2-F7 everywhere but Setup, the footer fits 80 columns and shows
`s Stop` only while something trains, `q` in a field is a letter (and a stray one is never remembered),
help is a key table made from the screens' bindings, `z` zooms a chart pane, and at 80x24 Train shows one
chart at a time, full width. Drawing on the digit canvas never starts a text selection."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from seqtui.tui import memory
from seqtui.tui.app import SCREENS_BY_KEY, SeqtuiApp
from seqtui.tui.launch import make_app
from seqtui.tui.screens.help import help_text, key_name, screen_bindings
from seqtui.tui.widgets.digit_canvas import DigitCanvas
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, settle, until


def app_with(tmp_path, runner=None, session=None):
    return make_app(runs_dir=tmp_path, runner=runner or FakeRunner(), engine_loader=lambda: "fake",
                    summarizer=fake_summary, session_loader=lambda run_dir: session or FakeSession("text"))  # fmt: skip


async def test_digits_and_f_keys_reach_the_same_screens_also_from_runs(tmp_path):
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for number, mode in enumerate(SCREENS_BY_KEY, 1):
            await pilot.press(f"f{number + 1}")
            await settle(pilot)
            by_f_key = type(app.screen)
            await pilot.press("f5")  # from Runs, whose table has the focus
            await settle(pilot)
            await pilot.press(str(number))
            await settle(pilot)
            assert type(app.screen) is by_f_key and app.current_mode == mode
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("3")  # on Setup a digit is the fields'
        await settle(pilot)
        assert app.current_mode == "setup"


def footer_keys(app) -> list[FooterKey]:
    return list(app.screen.query_one(Footer).query(FooterKey))


@pytest.mark.parametrize("mode", SCREENS_BY_KEY)
async def test_the_footer_fits_80_columns_on_every_screen_and_names_quit_and_help(tmp_path, mode):
    app = app_with(tmp_path, session=FakeSession("digits"))
    async with app.run_test(size=(80, 24)) as pilot:
        if mode == "predict":
            await app.open_for_prediction(Path("runs/fake"))
        else:
            await app.switch_mode(mode)
        await settle(pilot)

        def laid_out() -> bool:  # a footer recomposed as bindings change has width-0 keys for one refresh
            keys = footer_keys(app)
            return bool(keys) and all(k.region.width > 0 for k in keys)

        with contextlib.suppress(AssertionError):
            await until(pilot, laid_out, timeout=5)
        keys = footer_keys(app)
        assert keys and max(k.region.right for k in keys) <= 80
        assert all(k.region.width > 0 for k in keys)  # none pushed out of sight
        shown = {k.key for k in keys}
        assert {"ctrl+q", "f1"} <= shown and "q" not in shown


async def test_stop_is_in_the_footer_only_while_a_run_trains(tmp_path):
    runner = FakeRunner(epochs=3, steps=2, hold=True)
    app = app_with(tmp_path, runner=runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.switch_mode("train")
        await settle(pilot)
        assert "s" not in {k.key for k in footer_keys(app)}
        from seqtui.core.config.presets import PRESETS

        await app.start_training(PRESETS["digits-mlp"].config)
        await until(pilot, runner.holding.is_set)
        await pilot.pause()
        assert app.train_screen.is_training and "s" in {k.key for k in footer_keys(app)}
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert not app.train_screen.is_training and "s" not in {k.key for k in footer_keys(app)}


async def test_q_in_a_field_is_a_letter_and_a_bad_value_is_never_remembered(tmp_path):
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#dropout", Input)
        field.focus()
        await pilot.press("end", "q")
        await settle(pilot)
        assert app.is_running and field.value.endswith("q")  # a letter, not quit
        units = app.screen.query_one("#units", Input)
        units.value = "48"
        await settle(pilot)
        app.remember_setup()
        fields = memory.recall()["fields"]
        assert "dropout" not in fields and fields["units"] == "48"


def test_help_is_a_key_table_with_every_binding_of_every_screen():
    text = help_text(SeqtuiApp.BINDINGS)
    sections = dict(zip(("app", *screen_bindings()), text.split("\n## "), strict=True))
    for name, bindings in [("app", SeqtuiApp.BINDINGS), *screen_bindings().items()]:
        for binding in bindings:
            for key in binding.key.split(","):
                rows = [line for line in sections[name].splitlines() if line.startswith("| ")]
                row = next((line for line in rows if f"`{key_name(key)}`" in line.split(" | ")[0]), "")
                assert (binding.description or binding.action) in row, (name, key)
    assert "{keys:" not in text
    assert key_name("ctrl+s") == "Ctrl+S" and key_name("slash") == "/" and key_name("f7") == "F7"


async def test_the_palette_names_each_screen_key(tmp_path):
    from seqtui.tui.commands import SeqtuiCommands

    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)):
        provider = SeqtuiCommands(app.screen)
        helps = {name: help_text for name, _, help_text in provider.commands()}
    assert helps["Screen: Train"].startswith("F3 or 2 · ") and helps["Screen: Setup"].startswith("F2 · ")
    assert helps["Quit"].startswith("Ctrl+Q")


async def test_z_zooms_the_chart_pane_and_back_and_narrow_train_shows_one_chart(tmp_path):
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.switch_mode("train")
        await settle(pilot)
        screen = app.train_screen
        loss, metric = screen._charts()
        assert loss.display and not metric.display and loss.region.width >= 78  # one chart, full width
        await pilot.press("a")
        await settle(pilot)
        assert metric.display and not loss.display
        await pilot.press("z")
        await settle(pilot)
        charts = screen.query_one("#charts")
        assert screen.maximized is charts and charts.region.height >= 20
        await pilot.press("z")
        await settle(pilot)
        assert screen.maximized is None and charts.region.height < 20
    async with app_with(tmp_path).run_test(size=(120, 40)) as pilot:
        await pilot.app.switch_mode("train")
        await settle(pilot)
        assert all(chart.display for chart in pilot.app.train_screen._charts())  # wide: side by side


async def test_drawing_on_the_canvas_never_selects_text(tmp_path):
    app = app_with(tmp_path, session=FakeSession("digits"))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.open_for_prediction(Path("runs/fake"))
        await settle(pilot)
        canvas = app.screen.query_one("#canvas", DigitCanvas)
        assert canvas.allow_select is False
        await pilot.mouse_down(canvas, offset=(5, 3))
        await pilot.hover(canvas, offset=(20, 10))
        await pilot.mouse_up(canvas, offset=(20, 10))
        await settle(pilot)
        assert canvas.pixels.any() and not app.screen.selections


async def test_sweep_shows_the_space_it_will_search_and_labels_its_trials(tmp_path):
    from textual.widgets import DataTable, Static

    from tests.tui_fakes import plain

    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.switch_mode("sweep")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#sweep-preset", Input).value = "topics-en-lstm"
        screen.query_one("#sweep-search", Input).value = "units=32..64 epochs=2"
        await settle(pilot)
        space = plain(screen.query_one("#sweep-space", Static))
        named, _, added = space.partition("; not named, so searched by default: ")
        assert named == "searches units 32..64 log"
        assert "dropout 0..0.5" in added and "layers 1..3" in added and "units" not in added
        assert "trials" in str(screen.query_one("#trials", DataTable).border_title)
        screen.query_one("#sweep-search", Input).value = "unit=3"
        await settle(pilot)
        assert "not a setting a sweep can search" in plain(screen.query_one("#sweep-space", Static))


def test_the_learned_nothing_hint_comes_when_every_trial_sits_at_the_majority_class(tmp_path):
    from seqtui.core.experiments.sweep_view import learned_nothing_hint, majority_accuracy
    from seqtui.core.runs.folder import RunFolder
    from seqtui.tui.screens.sweep import nothing_learned
    from tests.tui_fakes import make_run_folder

    run = make_run_folder(tmp_path, "topics-en-lstm", [{"epoch": 1, "loss": 1.0, "val_loss": 1.0}])
    baseline = {"name": "majority class (a)", "metric": "accuracy", "test": 0.31,
                "metrics": {"test_accuracy": 0.31, "majority_test_accuracy": 0.31}}  # fmt: skip
    RunFolder.open(run).update_status(baseline=baseline)
    assert majority_accuracy(["", str(tmp_path / "missing"), str(run)]) == 0.31
    rows = [("0", "complete", "0.3150", "units=8", str(run)), ("1", "complete", "0.3050", "units=9", "")]
    hint = nothing_learned(rows, "accuracy")
    assert hint.startswith("all 2 trials scored about the majority-class accuracy (0.3100")
    assert "learned nothing" in hint
    assert (
        nothing_learned([("0", "complete", "0.3300", "units=8", str(run))], "accuracy") == ""
    )  # 2 points up
    assert nothing_learned(rows, "mae") == ""  # a forecaster has no majority class
    assert learned_nothing_hint([0.31], None) == "" and learned_nothing_hint([0.3], 0.31).startswith(
        "the trial"
    )


async def test_the_train_footer_fits_80_columns_while_a_run_trains(tmp_path):
    from seqtui.core.config.presets import PRESETS

    runner = FakeRunner(epochs=3, steps=2, hold=True)
    app = app_with(tmp_path, runner=runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.start_training(PRESETS["digits-mlp"].config)
        await until(pilot, runner.holding.is_set)
        await pilot.pause()
        keys = footer_keys(app)
        assert "s" in {k.key for k in keys} and max(k.region.right for k in keys) <= 80
        await pilot.press("s")
        await app.workers.wait_for_complete()


async def test_the_heat_map_never_squeezes_the_class_bars_at_80_columns(tmp_path):
    from seqtui.tui.widgets.prob_bars import ProbabilityBars

    app = app_with(tmp_path, session=FakeSession("digits"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.open_for_prediction(Path("runs/fake"))
        await settle(pilot)
        screen = app.screen
        bars, canvas = (
            screen.query_one("#digit-bars", ProbabilityBars),
            screen.query_one("#canvas", DigitCanvas),
        )
        width = bars.region.width
        assert canvas.display and not screen.query_one("#preview").display and width >= 40
        await pilot.press("h")  # the heat map takes the canvas's place
        await settle(pilot)
        assert screen.query_one("#heat").display and not canvas.display and bars.region.width == width
        await pilot.press("h")
        await settle(pilot)
        assert canvas.display and app.focused is canvas and not screen.query_one("#preview").display
        assert bars.region.width == width
