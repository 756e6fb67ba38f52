"""Pinning probes on Predict: the sentence typed or the digit drawn (`ctrl+b`) and the first validation
mistake (`ctrl+y`) become probes of the next run its model can read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.widgets import Input

from seqtui.core.config.presets import PRESETS
from seqtui.datasets.images import read_image
from seqtui.tui.launch import make_app
from seqtui.tui.probe_pins import PINS_DIR, Pins
from seqtui.tui.widgets.digit_canvas import DigitCanvas
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, settle


def test_pins_go_to_the_runs_that_can_read_them(tmp_path):
    pins = Pins()
    assert pins.pin_text("  ") == "Type a sentence first: an empty one can't be a probe."
    assert pins.pin_text("좋은 영화") == "Pinned as a probe for the next run (1 sentences pinned)."
    assert pins.pin_text("좋은 영화") == "That sentence is pinned already."
    digit = np.zeros((28, 28), dtype="uint8")
    assert pins.pin_image(digit, tmp_path).startswith("Draw a digit first")
    digit[5:20, 10:12] = 200
    pins.pin_image(digit, tmp_path)
    saved = Path(pins.images[0])
    assert saved.parent == (tmp_path / PINS_DIR).resolve() and np.array_equal(read_image(saved), digit)
    text = pins.apply(PRESETS["topics-en-lstm"].config)
    assert text.train.probes == ("좋은 영화",) and text.train.probe_images == ()
    image = pins.apply(PRESETS["digits-cnn"].config)
    assert image.train.probe_images == (str(saved),) and image.train.probes == ()
    assert pins.apply(PRESETS["seattle-gru"].config) == PRESETS["seattle-gru"].config  # a forecaster: none


async def test_ctrl_b_and_ctrl_y_pin_for_the_next_run(tmp_path):
    runner = FakeRunner(epochs=1, steps=1)
    session = FakeSession("text")
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary,
                   session_loader=lambda run_dir: session)  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await app.open_for_prediction(Path("runs/fake"))
        await settle(pilot)
        app.screen.query_one("#sentence", Input).value = "hello there"
        await pilot.press("ctrl+b")
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert app.pins.texts == ["hello there", "비 오는 날 주가가 내렸다"]
        assert await app.start_training(PRESETS["topics-en-lstm"].config)
        await settle(pilot)
        assert runner.calls[-1][1].train.probes == ("hello there", "비 오는 날 주가가 내렸다")
    session = FakeSession("digits")
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary,
                   session_loader=lambda run_dir: session)  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await app.open_for_prediction(Path("runs/fake"))
        await settle(pilot)
        canvas = app.screen.query_one("#canvas", DigitCanvas)
        canvas.pixels[10:18, 10:18] = 255
        await pilot.press("ctrl+b")
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert len(app.pins.images) == 2
        assert read_image(Path(app.pins.images[1]))[4:24, 13:15].min() == 255  # the mistake's own pixels
