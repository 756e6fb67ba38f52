"""The navigable confusion matrix with fake services (no Keras): the cursor names its cell, enter lists the
cell's examples most confident first, enter on one opens it on Predict; forecasters say they have none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.widgets import DataTable, Input

from seqtui.tui.launch import make_app
from seqtui.tui.screens.mistakes import CellExamples
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.widgets.confusion import ConfusionTable
from seqtui.tui.widgets.digit_canvas import DigitCanvas
from tests.tui_fakes import FAKE_CONFUSION, FakeRunner, FakeSession, fake_summary, plain, settle

from .test_train import CONFIG


def fake_app(runs_dir: Path, mode: str = "text", runner: FakeRunner | None = None):
    return make_app(
        runs_dir=runs_dir,
        runner=runner or FakeRunner(epochs=2, steps=2),
        engine_loader=lambda: "fake",
        summarizer=fake_summary,
        session_loader=lambda run_dir: FakeSession(mode, run_dir),
    )


def caption(screen) -> str:
    return plain(screen.query_one(".confusion-cell"))


async def test_the_cursor_walks_the_counts_and_names_each_cell(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await app.start_training(CONFIG)
        await settle(pilot)
        await pilot.press("x")
        table = app.screen.query_one("#confusion", ConfusionTable)
        assert table.has_focus and table.matrix == FAKE_CONFUSION
        # it starts on the commonest confusion: ties go to the first (greeting -> weather, 1)
        assert table.cell == (0, 1)
        assert caption(app.screen).startswith("true greeting · predicted weather: 1 (17% of 6 test examples")
        await pilot.press("left", "left")  # never onto the class names' column
        assert table.cell == (0, 0) and "true greeting · right greeting: 5" in caption(app.screen)
        await pilot.press("down", "down", "right", "right")
        assert table.cell == (2, 2) and "right stocks: 7 (88% of 8" in caption(app.screen)


async def test_enter_lists_the_cell_most_confident_first_and_opens_one_in_predict(tmp_path):
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await app.start_training(CONFIG)
        await settle(pilot)
        await pilot.press("x", "down", "down", "right")  # true stocks, predicted greeting... then weather
        await pilot.press("left", "left")  # (2, 0): stocks taken for greeting, 1 example
        await pilot.press("up", "right")  # (1, 1): weather right, 6 examples
        table = app.screen.query_one("#confusion", ConfusionTable)
        assert table.cell == (1, 1)
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CellExamples)
        listed = dialog.query_one("#examples", DataTable)
        rows = [listed.get_row_at(i) for i in range(listed.row_count)]
        assert [r[2] for r in rows] == ["0.900", "0.820", "0.740", "0.660", "0.580", "0.500"]
        # rows 6-11 of the 21 are weather's right ones
        assert [int(r[1]) for r in rows] == [6, 7, 8, 9, 10, 11]
        assert "6 test examples, most confident first" in plain(dialog.query_one("#box-status"))
        await pilot.press("down", "enter")
        await settle(pilot)
        predict = app.screen
        assert isinstance(predict, PredictScreen)
        # row 7 holds the fake's sentence 7 % 4 = 3, as the model saw it (its tokens)
        assert predict.query_one("#sentence", Input).value == "안녕 오늘 날씨"
        assert predict.session is not None and predict.session.texts[-1] == "안녕 오늘 날씨"


async def test_an_image_example_shows_and_lands_on_the_canvas(tmp_path):
    app = fake_app(tmp_path, "digits")
    async with app.run_test(size=(100, 30)) as pilot:
        assert await app.start_training(CONFIG)
        await settle(pilot)
        await pilot.press("x", "enter")  # (0, 1): one example, row 5
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CellExamples)
        image = dialog.answers.image(5)
        assert image is not None and image.max() == 255 and image[4:24, 13:16].all()
        assert "test row 5" in plain(dialog.query_one("#example-text"))
        await pilot.press("enter")
        await settle(pilot)
        canvas = app.screen.query_one("#canvas", DigitCanvas)
        assert np.array_equal(canvas.pixels, image)


async def test_a_forecaster_says_it_has_no_matrix(tmp_path):
    app = fake_app(tmp_path, runner=FakeRunner(epochs=2, steps=2, task="regression"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await app.start_training(CONFIG)
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("forecaster has no classes, so no confusion matrix" in m for m in said)


async def test_runs_m_computes_the_matrix_from_the_run_and_opens_its_cells(tmp_path):
    from seqtui.core.runs.folder import CONFIG, RunFolder, atomic_write_json
    from seqtui.tui.screens.mistakes import RunConfusion
    from tests.tui_fakes import make_run_folder

    run = make_run_folder(tmp_path, "topics-en-lstm", [{"epoch": 1, "loss": 1.0}])
    app = fake_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RunConfusion)
        assert "18 of 21 test examples right" in plain(dialog.query_one("#box-status"))
        table = dialog.query_one("#run-confusion", ConfusionTable)
        assert table.matrix == FAKE_CONFUSION and table.has_focus
        await pilot.press("enter")  # the commonest confusion, greeting taken for weather
        await settle(pilot)
        assert isinstance(app.screen, CellExamples)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PredictScreen)
        assert app.screen.query_one("#sentence", Input).value == "the weather is nice today"  # row 5
        folder = RunFolder(run)
        atomic_write_json(folder.file(CONFIG), {**folder.read_json(CONFIG), "task": "regression"})
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, RunConfusion)
        assert any("is a forecaster: it has no classes" in n.message for n in app._notifications)
