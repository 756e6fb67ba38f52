"""At 80x24, the size the README promises, panes give way instead of squeezing what teaches: chart legends
sit above the plot (never over a curve), Setup's model summary fills the screen on ctrl+o, and the charts of
Runs and Compare keep at least 11 rows. A label looks focused only while its row holds the focus."""

from __future__ import annotations

from rich.style import Style
from textual.widgets import DataTable, Input, Label

from seqtui.core.config.presets import PRESETS
from seqtui.tui.launch import make_app
from seqtui.tui.widgets.chart import MetricChart, legend_lines
from tests.tui.test_compare import fill
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, make_run_folder, plain, settle

HISTORY = [{"epoch": e, "loss": 1.2 / e, "accuracy": 0.4 + e / 12, "val_loss": 1.3 / e + e / 40,
            "val_accuracy": 0.38 + e / 14} for e in (1, 2, 3, 4, 5)]  # fmt: skip
BRAILLE = {chr(c) for c in range(0x2801, 0x2900)}
QUADRANTS = set("▖▗▘▙▚▛▜▝▞▟▀▄▌▐")


def app_with(tmp_path, runner=None, summarizer=fake_summary):
    return make_app(runs_dir=tmp_path, runner=runner or FakeRunner(epochs=5), engine_loader=lambda: "fake",
                    summarizer=summarizer, session_loader=lambda run_dir: FakeSession("text", run_dir))  # fmt: skip


def test_the_legend_shortens_names_only_as_far_as_the_lines_need():
    entries = [("⢕⢕", "1 topics-ko-lstm 01-01 00:00", Style()), ("▞▞", "2 digits-mlp 01-01 00:00", Style())]
    assert [line.plain for line in legend_lines(entries, 80, 1)] == [
        "⢕⢕ 1 topics-ko-lstm 01-01 00:00  ▞▞ 2 digits-mlp 01-01 00:00"
    ]
    assert [line.plain for line in legend_lines(entries, 40, 2)] == [
        "⢕⢕ 1 topics-ko-lstm 01-01 00:00",
        "▞▞ 2 digits-mlp 01-01 00:00",
    ]
    one = legend_lines(entries, 40, 1)
    assert len(one) == 1 and one[0].cell_len <= 40 and one[0].plain.count("…") == 2
    assert one[0].plain.startswith("⢕⢕ 1 topics-ko") and "▞▞ 2 digits" in one[0].plain
    korean = legend_lines([("xx", "내 첫 실험", Style()), ("++", "\x1b[2J", Style())], 30, 1)
    assert korean[0].plain == "xx 내 첫 실험  ++ \x1b[2J"  # as given: the chart makes names inert first


async def test_train_at_80x24_draws_both_curves_with_the_legend_above_the_plot(tmp_path):
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.start_training(PRESETS["topics-en-lstm"].config)
        await settle(pilot)
        chart = app.train_screen.query_one("#loss-chart", MetricChart)
        chart.flush()
        lines = chart.render().plain.splitlines()
        assert chart.region.height >= 8 and len(lines) == chart.region.height
        header = [i for i, line in enumerate(lines) if "val_loss" in line]
        assert header == [0] and "⢕⢕ loss" in lines[0] and "▞▞ val_loss" in lines[0]  # on the title's line
        plot = "".join(lines[1:])
        assert "loss" not in plot  # no legend text inside the plot
        assert set(plot) & BRAILLE and set(plot) & QUADRANTS  # loss in braille dots, val_loss in blocks
        styles = {str(span.style) for span in chart.render().spans if span.start < len(lines[0])}
        assert {"rgb(0,130,200)", "rgb(60,180,75)"} <= {s.replace(" ", "") for s in styles}


async def test_setup_at_80x24_zooms_the_model_summary_and_gives_the_focus_back(tmp_path):
    from seqtui.tui.services import build_summary

    app = app_with(tmp_path, summarizer=build_summary)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.choose_preset("digits-cnn")
        await pilot.pause(0.4)
        await settle(pilot)
        epochs = screen.query_one("#epochs", Input)
        epochs.focus()
        await pilot.pause()
        assert screen.focused is epochs
        pane = screen.query_one("#model-pane")
        assert pane.region.bottom > 23  # in the form it runs past the screen
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.maximized is pane and screen.focused is pane and pane.region.height >= 20
        await pilot.press("end")
        await settle(pilot)
        assert pane.max_scroll_y == 0 or pane.scroll_y == pane.max_scroll_y
        text = plain(screen.query_one("#summary"))
        assert "Conv2D: kernel x in_channels x filters + filters" in text and "total" in text
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.maximized is None and screen.focused is epochs


async def test_a_label_looks_focused_only_while_its_row_has_the_focus(tmp_path):
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        label = next(w for w in screen.query(Label) if str(w.render()) == "preset")
        assert screen.focused is screen.query_one("#datasets")
        assert not label.rich_style.reverse  # the preset select had the focus for a moment at mount
        screen.query_one("#preset").focus()
        await pilot.pause()
        assert label.rich_style.reverse and label.rich_style.bold
        screen.query_one("#units", Input).focus()
        await pilot.pause()
        assert not label.rich_style.reverse


async def test_runs_at_80x24_keep_the_table_and_a_tall_chart_with_the_filter_open(tmp_path):
    for name in ("topics-en-lstm", "digits-mlp", "topics-ko-lstm") * 4:
        make_run_folder(tmp_path, name, HISTORY)
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        for row in range(3):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.press("slash", "t")
        await pilot.pause(0.6)
        chart = screen.query_one("#compare-chart", MetricChart)
        assert screen.query_one("#filter").region.height == 1
        assert table.region.height >= 7 and chart.region.height >= 12
        assert chart.region.bottom <= 23  # above the footer: nothing pushed off the screen
        chart.flush()
        header = chart.render().plain.splitlines()[:3]
        assert all(any(label in line for line in header) for label in chart.series)  # every name whole
        await pilot.press("escape")
        await pilot.press("z")
        await pilot.pause()
        assert screen.maximized is screen.query_one("#compare") and chart.region.height >= 20


async def test_compare_at_80x24_shows_every_row_and_a_chart_of_eleven_rows(tmp_path):
    app = app_with(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await fill(pilot, "topics-en-lstm", "arch=lstm,gru maxlen=10,20 epochs=5")
        screen = app.screen
        board = screen.query_one("#leaderboard", DataTable)
        chart = screen.query_one("#compare-curves", MetricChart)
        assert board.row_count == 4 and board.region.height >= 5  # the header and all four runs
        assert chart.region.height >= 11 and chart.region.bottom <= 23
        assert screen.query_one("#compare-presets", Input).region.height == 1
