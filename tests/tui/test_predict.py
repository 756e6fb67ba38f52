"""Predict: text bars as you type with the tokens the model saw, digits by mouse and by keyboard,
generation and forecasting, all with a fake session (no TensorFlow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.widgets import ContentSwitcher, Input, Static

from seqtui.tui.launch import make_app
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.digit_canvas import DigitCanvas
from seqtui.tui.widgets.explanation import HeatMap, ImportanceStrip
from seqtui.tui.widgets.prob_bars import ProbabilityBars
from seqtui.tui.widgets.token_strip import TokenStrip
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, plain, settle


def app_with(tmp_path, session: FakeSession):
    return make_app(runs_dir=tmp_path, runner=FakeRunner(), engine_loader=lambda: "fake", summarizer=fake_summary,
                    session_loader=lambda run_dir: session)  # fmt: skip


async def open_session(pilot, app, run_dir: Path = Path("runs/fake")) -> PredictScreen:
    await app.open_for_prediction(run_dir)
    await settle(pilot)
    assert isinstance(app.screen, PredictScreen)
    return app.screen


async def test_text_probabilities_update_as_you_type_with_tokens_marked(tmp_path):
    session = FakeSession("text")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(pilot, app)
        assert screen.query_one("#modes", ContentSwitcher).current == "text"
        assert app.focused is screen.query_one("#sentence", Input)
        await pilot.press(*"hello zebra")
        await pilot.pause(0.2)  # predictions wait for a pause in typing
        await settle(pilot)
        bars = screen.query_one("#text-bars", ProbabilityBars)
        assert bars.top == "greeting"
        tokens = plain_tokens(screen)
        assert "?zebra" in tokens and "(oov)" in tokens  # unknown word, marked with text not colour
        assert "[pad 0 x4]" in tokens  # maxlen 6, 'pre' padding
        why = screen.query_one("#why", ImportanceStrip)
        assert why.explanation.class_name == "greeting"  # the real occlusion code, over the fake's rules
        assert why.explanation.importance[0] > 0.3 and why.explanation.importance[1] == 0.0
        assert "hello^" in plain(why) and "zebra^" not in plain(why)
        prefix = screen.query_one("#prefix-chart", MetricChart)
        assert prefix.series["greeting"].ys == why.explanation.prefix  # one point per token read
        screen.query_one("#sentence", Input).value = "오늘 날씨 어때 정말 좋은 날씨 네요 진짜"
        await pilot.pause(0.2)
        await settle(pilot)
        assert bars.top == "weather"
        assert "[cut 2 at the front]" in plain_tokens(screen)  # truncating 'pre' drops the first words
        assert session.texts[-1].startswith("오늘")


def plain_tokens(screen) -> str:
    return plain(screen.query_one("#tokens", TokenStrip))


async def test_digit_drawn_with_the_keyboard_then_with_the_mouse(tmp_path):
    session = FakeSession("digits")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(pilot, app)
        canvas = screen.query_one("#canvas", DigitCanvas)
        bars = screen.query_one("#digit-bars", ProbabilityBars)
        assert app.focused is canvas
        # a vertical stroke, a "1": arrows move 1 pixel, shift+arrows 4, space lifts and lowers the pen
        await pilot.press("up", "up", "shift+up", "shift+up", "space", *["shift+down"] * 5, "space")
        await pilot.pause(0.2)
        await settle(pilot)
        assert canvas.pixels[4:25, 14].all() and not canvas.pixels[:, :10].any()
        assert bars.top == "1"
        assert session.images and session.images[-1].sum() == canvas.pixels.sum()
        heat = screen.query_one("#heat", HeatMap)
        assert not heat.display and heat.explanation is None
        await pilot.press("h")  # the heat map replaces the preview, and follows the drawing
        await pilot.pause(0.2)
        await settle(pilot)
        assert heat.display and not screen.query_one("#preview").display
        expl = heat.explanation
        assert expl.class_name == "1" and expl.heat[:, 12:16].max() > 0.01
        assert np.abs(expl.heat[:, :8]).max() == 0  # ink outside the middle never mattered to this rule
        await pilot.press("space", "left", "left", "left", "left", "space")  # more ink, off the middle
        await pilot.pause(0.2)
        await settle(pilot)
        assert heat.explanation is not expl  # recomputed as the user draws
        await pilot.press("h")
        await pilot.pause()
        assert not heat.display and screen.query_one("#preview").display
        await pilot.press("c")
        await pilot.pause()
        assert not canvas.pixels.any() and bars.note == "draw a digit"

        # a ring with the mouse: down at the top, drag around, release (offsets include the border)
        path = [(8, 2), (20, 2), (22, 7), (20, 12), (8, 12), (6, 7), (8, 2)]
        await pilot.mouse_down(canvas, offset=(path[0][0] + 1, path[0][1] + 1))
        for x, y in path[1:]:
            await pilot.hover(canvas, offset=(x + 1, y + 1))
        await pilot.mouse_up(canvas, offset=(path[-1][0] + 1, path[-1][1] + 1))
        await pilot.pause(0.2)
        await settle(pilot)
        assert canvas.pixels[4, 8:21].all()  # the top edge, drawn between two mouse events
        assert canvas.pixels[14, 6] and not canvas.pixels[14, 14]  # the left side, and the hole
        assert bars.top == "0"


async def test_generation_and_forecast(tmp_path):
    session = FakeSession("generation")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(pilot, app, Path("runs/gen"))
        await pilot.press(*"가는 말이", "enter")
        await settle(pilot)
        assert plain(screen.query_one("#generated", Static)) == "가는 말이 " + " ".join(["말이"] * 10)
        screen.query_one("#temperature", Input).value = "hot"
        await screen.query_one("#temperature", Input).action_submit()
        await pilot.pause()
        assert "temperature must be a number" in plain(screen.query_one("#generated", Static))

        session.mode = "series"
        await app.open_for_prediction(Path("runs/series"))
        await settle(pilot)
        chart = screen.query_one("#forecast-chart", MetricChart)
        assert set(chart.series) == {"real temp", "forecast"} and len(chart.series["forecast"].ys) == 120
        assert "beats" in plain(screen.query_one("#forecast-info", Static))


async def test_a_late_answer_for_a_cleared_drawing_is_dropped(tmp_path):
    """The canvas is cleared while the model still works on the stroke: its answer must not come back."""
    import threading

    class SlowSession(FakeSession):
        def __init__(self) -> None:
            super().__init__("digits")
            self.entered, self.release = threading.Event(), threading.Event()

        def classify_image(self, pixels):
            self.entered.set()
            self.release.wait(10)
            return super().classify_image(pixels)

    session = SlowSession()
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_session(pilot, app)
        canvas = screen.query_one("#canvas", DigitCanvas)
        bars = screen.query_one("#digit-bars", ProbabilityBars)
        await pilot.press("space", *["shift+down"] * 4, "space")
        for _ in range(100):
            if session.entered.is_set():
                break
            await pilot.pause(0.05)
        assert session.entered.is_set()
        await pilot.press("c")
        await pilot.pause()
        session.release.set()
        await pilot.pause(0.3)
        await settle(pilot)
        assert not canvas.pixels.any() and bars.note == "draw a digit" and bars.top is None
