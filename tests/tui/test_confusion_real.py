"""The navigable confusion matrix on real runs (tiny real Keras models, the app's real services): a cell
lists exactly the test rows of its (true, predicted) pair, most confident first, as recomputed here from the
saved model; enter on one opens it on Predict with that model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import DataTable, Input

from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig
from seqtui.core.runs.folder import BEST, RunFolder
from seqtui.core.training.events import RunEnded
from seqtui.core.training.runner import train
from seqtui.datasets.registry import load_dataset
from seqtui.tui.launch import make_app
from seqtui.tui.screens.mistakes import CellExamples, RunConfusion
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.widgets.confusion import ConfusionTable
from seqtui.tui.widgets.digit_canvas import DigitCanvas
from tests.data_files import write_reviews_csv
from tests.tui_fakes import fake_summary, settle


def trained(root: Path, config: RunConfig) -> tuple[Path, RunEnded]:
    ended: list[RunEnded] = []
    end = train(config, lambda e: ended.append(e) if isinstance(e, RunEnded) else None, runs_dir=root)
    assert end.status == "completed", end.message
    return Path(end.run_dir), end


@pytest.fixture(scope="module")
def text_run(tmp_path_factory) -> tuple[Path, RunEnded]:
    root = tmp_path_factory.mktemp("text")
    data = DataConfig("file", data_path=str(write_reviews_csv(root / "reviews.csv", rows=80)),
                      text_column="review", label_column="verdict", maxlen=6, test_split=0.3)  # fmt: skip
    model = ModelConfig("gru", embedding_dim=4, units=4)
    return trained(root / "runs", RunConfig(data, model, TrainConfig(epochs=1, batch_size=16, seed=3)))


@pytest.fixture(scope="module")
def digit_run(tmp_path_factory) -> tuple[Path, RunEnded]:
    config = RunConfig(DataConfig("digits"), ModelConfig("mlp", units=8), TrainConfig(epochs=1, seed=1))
    return trained(tmp_path_factory.mktemp("digits") / "runs", config)


def expected(run_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    """The test split's (true, predicted, probabilities), recomputed here from the saved model file."""
    import keras

    data = load_dataset(RunFolder(run_dir).read_config().data)
    raw = np.asarray(keras.models.load_model(run_dir / BEST).predict(data.x_test, verbose=0), dtype="float64")
    probs = np.concatenate([1 - raw, raw], axis=1) if raw.shape[1] == 1 else raw
    return np.asarray(data.y_test).reshape(-1).astype(int), probs.argmax(axis=1), probs, data


def cell_rows(true, predicted, probs, t: int, p: int) -> list[int]:
    rows = [r for r in range(len(true)) if true[r] == t and predicted[r] == p]
    return sorted(rows, key=lambda r: (-probs[r, p], r))


def busiest_cell(true, predicted, n: int) -> tuple[int, int]:
    """The off-diagonal pair with the most rows (a wrong answer), else the fullest diagonal one."""
    counts = {(t, p): int(((true == t) & (predicted == p)).sum()) for t in range(n) for p in range(n)}
    wrong = {k: v for k, v in counts.items() if k[0] != k[1] and v}
    return max(wrong or counts, key=lambda k: ((wrong or counts)[k], k))


async def walk_to(pilot, table: ConfusionTable, cell: tuple[int, int]) -> None:
    """Arrow keys only: to the first count, then down and right."""
    n = len(table.matrix)
    await pilot.press(*["up"] * n, *["left"] * n, *["down"] * cell[0], *["right"] * cell[1])
    assert table.cell == cell


def listed(dialog: CellExamples) -> tuple[list[int], list[str]]:
    table = dialog.query_one("#examples", DataTable)
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return [int(r[1]) for r in rows], [str(r[2]) for r in rows]


async def test_a_runs_cell_lists_its_test_rows_by_confidence_and_opens_one_in_predict(text_run):
    run_dir, end = text_run
    true, predicted, probs, data = expected(run_dir)
    app = make_app(runs_dir=run_dir.parent, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("m")
        await settle(pilot, timeout=120)
        assert isinstance(app.screen, RunConfusion)
        table = app.screen.query_one("#run-confusion", ConfusionTable)
        assert table.matrix == end.confusion  # what training reported is what the saved model answers
        cell = busiest_cell(true, predicted, 2)
        await walk_to(pilot, table, cell)
        await pilot.press("enter")
        await settle(pilot, timeout=60)
        rows = cell_rows(true, predicted, probs, *cell)
        assert rows and listed(app.screen) == (rows, [f"{probs[r, cell[1]]:.3f}" for r in rows])
        await pilot.press("enter")  # the most confident one
        await settle(pilot, timeout=120)
        assert isinstance(app.screen, PredictScreen)
        words = data.encoder.tokenizer.decode(data.x_test[rows[0]])
        assert app.screen.query_one("#sentence", Input).value == " ".join(words)
        assert app.screen.session is not None and app.screen.session.run_dir == run_dir


@pytest.mark.slow  # 5,000 digits and a model loaded twice: ~20 s on 2 shared cores
async def test_a_train_cell_of_an_image_model_puts_the_digit_on_the_canvas(digit_run):
    run_dir, end = digit_run
    true, predicted, probs, data = expected(run_dir)
    app = make_app(runs_dir=run_dir.parent, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.switch_mode("train")
        app.train_screen.show_end(end)
        await pilot.press("x")
        table = app.screen.query_one("#confusion", ConfusionTable)
        cell = busiest_cell(true, predicted, 10)
        assert table.cell == cell  # the cursor starts on the commonest confusion
        right = int(np.bincount(true[true == predicted], minlength=10).argmax())
        await walk_to(pilot, table, (right, right))  # the diagonal: right answers are listed too
        await pilot.press("enter")
        await settle(pilot, timeout=120)
        rows = cell_rows(true, predicted, probs, right, right)
        assert len(rows) > 1 and listed(app.screen) == (rows, [f"{probs[r, right]:.3f}" for r in rows])
        await pilot.press("down", "enter")
        await settle(pilot, timeout=120)
        assert isinstance(app.screen, PredictScreen)
        pixels = np.round(data.x_test[rows[1]].reshape(28, 28) * 255).astype("uint8")
        assert np.array_equal(app.screen.query_one("#canvas", DigitCanvas).pixels, pixels)
