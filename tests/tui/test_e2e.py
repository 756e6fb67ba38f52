"""End to end: the real engine trains a tiny real model through the app, then the app predicts with it."""

from __future__ import annotations

from textual.widgets import Input, Select

from seqtui.tui.launch import make_app
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.screens.train import TrainScreen
from seqtui.tui.widgets.confusion import ConfusionTable
from seqtui.tui.widgets.digit_canvas import DigitCanvas
from seqtui.tui.widgets.layer_summary import LayerSummary
from seqtui.tui.widgets.prob_bars import ProbabilityBars
from tests.tui_fakes import plain, settle, until


async def test_train_a_tiny_simple_rnn_on_real_digits_then_draw_one(tmp_path):
    app = make_app(runs_dir=tmp_path)  # the real runner, Keras, summary and predictor
    async with app.run_test(size=(100, 30)) as pilot:
        setup = app.screen
        setup.query_one("#preset", Select).value = "digits-mlp"
        await pilot.pause()
        setup.query_one("#arch", Select).value = "simple_rnn"  # image rows become 28 time steps
        for name, value in (("units", "16"), ("epochs", "1"), ("sample_limit", "300"), ("batch_size", "32")):
            setup.query_one(f"#{name}", Input).value = value
        await until(pilot, lambda: app.engine_ready, timeout=120)
        summary = setup.query_one("#summary", LayerSummary)
        await until(pilot, lambda: "SimpleRNN" in plain(summary), timeout=60)
        assert "(28 + 16) x 16 + 16 = 720" in plain(summary)
        assert app.engine_status.startswith("ready: Keras")
        from seqtui.core.hardware.backend import import_keras
        from seqtui.core.hardware.devices import describe_devices

        assert app.engine_status.endswith(
            str(describe_devices(import_keras()))
        )  # e.g. tensorflow on CPU (2 threads)

        await pilot.press("ctrl+s")
        await pilot.pause()
        train = app.screen
        assert isinstance(train, TrainScreen)
        await until(pilot, lambda: train.ended is not None, timeout=180)
        await settle(pilot)
        end = train.ended
        assert end.status == "completed" and end.epochs_done == 1, end.message
        assert 0.0 <= end.test_metrics["accuracy"] <= 1.0
        assert train.query_one("#confusion", ConfusionTable).row_count == 10
        assert train.live.history and "val_loss" in train.live.history[0]

        await pilot.press("p")
        await until(
            pilot, lambda: isinstance(app.screen, PredictScreen) and app.screen.session is not None, 60
        )
        predict = app.screen
        canvas = predict.query_one("#canvas", DigitCanvas)
        await pilot.press("up", "up", "shift+up", "shift+up", "space", *["shift+down"] * 5, "space")
        await pilot.pause(0.2)
        await settle(pilot, timeout=60)
        bars = predict.query_one("#digit-bars", ProbabilityBars)
        assert canvas.pixels.any() and len(bars.ranked) == 10
        assert abs(sum(p for _, p in bars.ranked) - 1.0) < 1e-3
