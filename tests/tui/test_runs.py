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
