"""Train: a scripted run feeds charts, progress and the log; stop; results; errors are dialogs."""

from __future__ import annotations

import pytest
from textual.widgets import ContentSwitcher, Static

from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.datasets.errors import DataError
from seqtui.tui.launch import make_app
from seqtui.tui.screens.dialogs import ErrorDialog
from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.confusion import ConfusionTable
from seqtui.tui.widgets.progress_line import ProgressLine
from tests.tui_fakes import FakeRunner, fake_summary, plain, settle, until

CONFIG = with_overrides(RunConfig(preset="topics-en-lstm"), dataset="topics-en", epochs=3)


def fake_app(runs_dir, runner):
    return make_app(runs_dir=runs_dir, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)


def log_text(screen) -> str:
    return "\n".join(screen.log_lines)


async def test_scripted_run_updates_charts_progress_log_and_results(tmp_path):
    app = fake_app(tmp_path, FakeRunner(epochs=3, steps=4))
    async with app.run_test(size=(100, 30)) as pilot:
        assert await app.start_training(CONFIG)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.train_screen
        loss = screen.query_one("#loss-chart", MetricChart)
        # live, one point per batch event; once an epoch ends, its epoch value (no jump where the
        # running mean restarts)
        assert loss.series["loss"].xs == [1.0, 2.0, 3.0]
        assert loss.series["loss"].ys == [1.0, 0.5, pytest.approx(1 / 3)]
        assert loss.series["val_loss"].xs == [1, 2, 3]
        assert loss.series["val_loss"].ys == pytest.approx([0.9, 0.45, 0.6])  # what the runner sent
        assert loss.marked == (2, "best epoch 2")  # epoch 3's val_loss rose: not the best
        assert loss.draws >= 1
        metric = screen.query_one("#metric-chart", MetricChart)
        assert set(metric.series) == {"accuracy", "val_accuracy"}
        assert metric.series["val_accuracy"].ys == pytest.approx([0.55, 0.65, 0.75])
        epochs = screen.query_one("#epoch-progress", ProgressLine)
        assert (epochs.done, epochs.total, epochs.note) == (3, 3, "completed")
        batches = screen.query_one("#batch-progress", ProgressLine)
        assert (batches.done, batches.total, batches.note) == (4, 4, "1,000 samples/s")
        assert "████" in str(batches.render())  # done and to-do differ by glyph, not only colour
        log = log_text(screen)
        assert "fake data loaded" in log and "epoch 2/3" in log and "*best" in log
        assert screen.query_one("#bottom", ContentSwitcher).current == "results"
        results = plain(screen.query_one("#results-text", Static))
        assert "run completed" in results and "test accuracy 0.9000" in results
        table = screen.query_one("#confusion", ConfusionTable)
        assert table.row_count == 3 and "greeting" in str(table.columns[table.ordered_columns[1].key].label)
        assert app.activity == "last run completed"
        await pilot.press("m", "y")  # smoothing and log scale, on both charts
        assert all(c.smooth and c.log_y for c in (loss, metric))
        loss.flush()
        assert "(smoothed, log)" in str(loss.render())


async def test_stop_ends_after_the_current_batch_and_keeps_the_model(tmp_path):
    runner = FakeRunner(epochs=5, hold=True)
    app = fake_app(tmp_path, runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.start_training(CONFIG)
        await until(pilot, runner.holding.is_set)
        await pilot.pause()
        screen = app.train_screen
        assert screen.is_training
        screen._sample_resources()  # what the 1 s timer does while a model trains
        resources = plain(screen.query_one("#resources", Static))
        assert resources.startswith("CPU ") and " RAM " in resources and "GiB" in resources
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.ended.status == "interrupted" and screen.ended.epochs_done == 1
        assert "stopping after the current batch" in log_text(screen)
        screen._sample_resources()
        assert plain(screen.query_one("#resources", Static)) == ""  # only while training
        assert not screen.is_training


async def test_errors_are_dialogs_and_the_app_keeps_running(tmp_path):
    runner = FakeRunner(epochs=1, error=DataError("topics-en: the file is damaged"))
    app = fake_app(tmp_path, runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.start_training(CONFIG)  # a dataset that can't load: the worker raises
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "The data could not be loaded"
        assert "damaged" in plain(app.screen.query_one("#error-message", Static))
        await pilot.press("enter")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert not app.train_screen.is_training

        runner.error, runner.fail = None, "ResourceExhaustedError: OOM when allocating tensor"
        await app.start_training(CONFIG)  # out of memory mid-run: the engine ends the run as failed
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Out of memory"
        assert "Lower the batch size" in plain(app.screen.query_one("#error-message", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert app.train_screen.ended.status == "failed"


async def test_one_chart_when_the_loss_is_the_metric_and_numbered_columns_for_many_classes(tmp_path):
    from seqtui.core.training.events import EpochEnded, RunStarted
    from seqtui.tui.messages import EpochDone, TrainingStarted

    app = fake_app(tmp_path, FakeRunner())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.train_screen
        screen.post_message(
            TrainingStarted(RunStarted(str(tmp_path), "seattle-gru", 3, 0, 4, 400, 9, "regression", "mae"))
        )
        screen.post_message(
            EpochDone(
                EpochEnded(
                    1, 3, {"loss": 0.4, "mae": 0.4, "val_loss": 0.5, "val_mae": 0.5}, 1.0, 400.0, best=True
                )
            )
        )
        await pilot.pause()
        metric = screen.query_one("#metric-chart", MetricChart)
        assert not metric.display  # loss = mae: the same curve twice would say nothing more
        assert screen.query_one("#loss-chart", MetricChart).display

        names = [f"topic-{i}" for i in range(19)]
        table = screen.query_one("#confusion", ConfusionTable)
        table.show([[5 if i == j else 0 for j in range(19)] for i in range(19)], names)
        labels = [str(table.columns[key].label) for key in table.columns]
        assert labels[1:4] == ["0", "1", "2"] and len(labels) == 20  # 19 numbered columns fit 80
        assert str(table.get_row_at(18)[0]) == "18 topic-18"
