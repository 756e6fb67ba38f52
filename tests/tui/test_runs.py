"""Runs: past run folders with status and metrics; predict with one, continue one, compare several."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from seqtui.core.runs.folder import RunFolder
from seqtui.tui.launch import make_app
from seqtui.tui.screens.dialogs import EpochsDialog
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.screens.runs import RunsScreen
from seqtui.tui.screens.train import TrainScreen
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.run_compare import RunCompare
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, make_run_folder, settle

HISTORY_A = [{"epoch": e, "loss": 1 / e, "accuracy": 0.5 + e / 10, "val_loss": 1.1 / e, "val_accuracy": 0.5}
             for e in (1, 2, 3)]  # fmt: skip
HISTORY_B = [
    {"epoch": e, "loss": 2 / e, "accuracy": 0.4, "val_loss": 2.1 / e, "val_accuracy": 0.4} for e in (1, 2)
]


async def test_runs_list_predict_continue_and_compare(tmp_path):
    old = make_run_folder(tmp_path, "topics-en-lstm", HISTORY_B, status="interrupted")
    new = make_run_folder(tmp_path, "digits-mlp", HISTORY_A, test={"loss": 0.3, "accuracy": 0.91})
    make_run_folder(tmp_path, "broken", [], status="failed", model=False)
    runner = FakeRunner()
    opened = []
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary,
                   session_loader=lambda run_dir: opened.append(run_dir) or FakeSession("digits", run_dir))  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        table = screen.query_one("#runs", DataTable)
        assert table.row_count == 3
        rows = {str(table.get_row_at(i)[1]): [str(c) for c in table.get_row_at(i)] for i in range(3)}
        digits = rows["digits-mlp"]
        assert digits[2] == "01-01 00:00" and digits[3] == "✓ completed" and digits[4] == "3/5"
        assert digits[6] == "acc 0.9100" and digits[7] == "1.5 min"
        assert rows["topics-en-lstm"][3] == "interrupted" and rows["broken"][3] == "✗ failed"

        # compare: mark runs with space, their curves share one chart, named in its legend
        table.move_cursor(row=table.get_row_index(str(new)))
        await pilot.press("space")
        await pilot.pause()
        assert not screen.query_one("#compare", RunCompare).display  # one run: nothing to compare yet
        table.move_cursor(row=table.get_row_index(str(old)))
        await pilot.press("space")
        await pilot.pause()
        chart = screen.query_one("#compare-chart", MetricChart)
        assert chart.display and set(chart.series) == {
            "1 digits-mlp 01-01 00:00",
            "2 topics-en-lstm 01-01 00:00",
        }
        assert chart.series["2 topics-en-lstm 01-01 00:00"].xs == [1, 2]
        assert chart.series["2 topics-en-lstm 01-01 00:00"].ys == [row["val_loss"] for row in HISTORY_B]
        assert str(table.get_cell(str(old), "cmp")) == "2"
        await pilot.press("t")  # training loss instead of validation loss
        assert chart.series["1 digits-mlp 01-01 00:00"].ys == [
            pytest.approx(row["loss"], rel=1e-5) for row in HISTORY_A
        ]
        await pilot.press("v")  # their settings side by side, the differences first and marked
        settings = screen.query_one("#compare-settings", DataTable)
        first = [str(c) for c in settings.get_row_at(0)]
        assert first[0].startswith("≠") and len(first) == 3
        same = [str(c) for c in settings.get_row_at(settings.row_count - 1)]
        assert same[0].startswith("  ") and same[1] == same[2]
        await pilot.press("v")

        # continue the interrupted run: ask for the epochs, then train on the Train screen
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, EpochsDialog)
        app.screen.query_one(Input).value = "4"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TrainScreen)
        assert runner.calls[-1] == ("resume", (old, 4))
        assert app.screen.live.history[0]["epoch"] == 1  # earlier epochs came from history.csv

        # predict with the newest run
        await pilot.press("f5")
        await pilot.pause()
        table.move_cursor(row=table.get_row_index(str(new)))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PredictScreen) and opened == [new]


async def test_compare_by_training_time_reads_history_seconds_and_names_old_runs(tmp_path):
    timed = [{**row, "seconds": 4.5 * row["epoch"] + 0.25} for row in HISTORY_A]
    a = make_run_folder(tmp_path, "digits-mlp", timed)
    b = make_run_folder(tmp_path, "topics-en-lstm", HISTORY_B)  # from before history.csv had seconds
    app = make_app(
        runs_dir=tmp_path, runner=FakeRunner(), engine_loader=lambda: "fake", summarizer=fake_summary
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        for path in (a, b):
            table.move_cursor(row=table.get_row_index(str(path)))
            await pilot.press("space")
        await pilot.pause()
        chart = screen.query_one("#compare-chart", MetricChart)
        label_a, label_b = "1 digits-mlp 01-01 00:00", "2 topics-en-lstm 01-01 00:00"
        assert chart.series[label_a].xs == [1, 2, 3] and "by epoch" in chart.title
        await pilot.press("w")
        written = [row["seconds"] for row in RunFolder(a).read_history()]
        assert written == [4.75, 9.25, 13.75]
        assert chart.series[label_a].xs == written and chart.xlabel == "training seconds"
        assert chart.series[label_a].ys == [pytest.approx(row["val_loss"], rel=1e-5) for row in HISTORY_A]
        assert chart.series[label_b].xs == [] and chart.title.endswith("no times: 2")
        await pilot.press("t")  # the other curve keeps the time axis
        assert chart.series[label_a].xs == written and chart.title.startswith("loss by time")
        await pilot.press("w")
        assert chart.series[label_b].xs == [1, 2] and "no times" not in chart.title


async def test_a_resize_lays_out_the_runs_already_read_and_a_visit_or_r_reads_them_again(
    tmp_path, monkeypatch
):
    from seqtui.core.runs import listing as run_list

    make_run_folder(tmp_path, "digits-mlp", HISTORY_A, test={"loss": 0.3, "accuracy": 0.91})
    listings = []
    original = run_list.list_runs
    monkeypatch.setattr(run_list, "list_runs", lambda root: listings.append(root) or original(root))
    app = make_app(
        runs_dir=tmp_path, runner=FakeRunner(), engine_loader=lambda: "fake", summarizer=fake_summary
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        assert len(listings) == 1 and "started" in table.columns
        for width in (80, 120, 90):  # across 96 columns and back: the start time goes and comes
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            assert ("started" in table.columns) == (width >= 96)
            assert table.row_count == 1 and str(table.get_row_at(0)[1]) == "digits-mlp"
        assert len(listings) == 1
        await pilot.press("r")
        await pilot.pause()
        assert len(listings) == 2
        await pilot.press("f2")
        await pilot.press("f5")
        await pilot.pause()
        assert len(listings) == 3


def _names(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_runs_show_the_architecture_and_can_be_renamed_noted_filtered_sorted_and_deleted(tmp_path):
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.tui.screens.dialogs import ConfirmDialog, TextDialog

    lstm = make_run_folder(tmp_path, "topics-ko-lstm", HISTORY_A, test={"loss": 0.3, "accuracy": 0.91})
    digits = make_run_folder(tmp_path, "digits-mlp", HISTORY_B, status="interrupted")
    gru = make_run_folder(tmp_path, "topics-ko-lstm", HISTORY_B, test={"loss": 0.5, "accuracy": 0.62})
    RunFolder(gru).write_config(with_overrides(PRESETS["topics-ko-lstm"].config, arch="gru", units=128), {})
    app = make_app(
        runs_dir=tmp_path, runner=FakeRunner(), engine_loader=lambda: "fake", summarizer=fake_summary
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        arch = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[-1]) for i in range(table.row_count)}
        assert arch == {
            "topics-ko-lstm arch=gru units=128": "gru",
            "digits-mlp": "mlp",
            "topics-ko-lstm": "lstm",
        }

        # n: rename in a small dialog (Korean kept); the folder keeps its name
        table.move_cursor(row=table.get_row_index(str(gru)))
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = "GRU 실험"
        await pilot.press("enter")
        await pilot.pause()
        assert (
            str(table.get_cell(str(gru), "run")) == "GRU 실험"
            and RunFolder(gru).read_json("run.json")["name"] == "GRU 실험"
        )
        # e: a note, found by the filter
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "베이스라인보다 낮음"
        await pilot.press("enter")
        await pilot.pause()
        assert RunFolder(gru).read_json("run.json")["note"] == "베이스라인보다 낮음"

        # /: filter by name, arch, status or note, any case; esc clears it
        await pilot.press("slash")
        await pilot.press(*"MLP")
        await pilot.pause()
        assert _names(table) == ["digits-mlp"]
        screen.query_one("#filter", Input).value = "베이스"
        await pilot.pause()
        assert _names(table) == ["GRU 실험"]
        screen.query_one("#filter", Input).value = "interrupted"
        await pilot.press("enter")  # back to the list, the filter kept
        await pilot.pause()
        assert _names(table) == ["digits-mlp"] and table.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert len(_names(table)) == 3 and not screen.query_one("#filter", Input).display

        # s cycles the sort column (the header shows it); a click on a header sorts by that column
        await pilot.press("s")
        await pilot.pause()
        assert screen.sort_by == "run" and _names(table) == ["digits-mlp", "GRU 실험", "topics-ko-lstm"]
        assert "run ▲" in [str(c.label) for c in table.columns.values()]
        await pilot.click("#runs", offset=(_header_x(table, "test"), 0))
        await pilot.pause()
        assert screen.sort_by == "test" and _names(table) == ["topics-ko-lstm", "GRU 실험", "digits-mlp"]
        await pilot.click("#runs", offset=(_header_x(table, "test"), 0))
        await pilot.pause()
        assert _names(table) == ["GRU 실험", "topics-ko-lstm", "digits-mlp"]  # no test metric: still last

        # d: delete after a yes; n keeps it
        table.move_cursor(row=_names(table).index("digits-mlp"))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert digits.is_dir() and len(_names(table)) == 3
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not digits.exists() and "digits-mlp" not in _names(table) and lstm.is_dir()


def _header_x(table: DataTable, key: str) -> int:
    """The x offset of a column's header (its label starts one cell in)."""
    x = 0
    for column_key, column in table.columns.items():
        if column_key.value == key:
            return x + 2
        x += column.get_render_width(table)
    raise AssertionError(key)
