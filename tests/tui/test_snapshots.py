"""Every screen as a picture at 80x24 (the size most SSH sessions open at) and 120x40.

pytest-textual-snapshot stores one SVG per screen and size under `tests/__snapshots__/`; a layout change
fails here with a side-by-side report. After an intended change: `pytest tests/tui/test_snapshots.py
--snapshot-update`, then look at the new pictures before committing them.

The pictures are deterministic: fake services (runner, engine, model summary, prediction session), run
folders with fixed names and times, a relative runs folder (no temporary paths in the picture), and no
clocks on screen once a run has ended.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import RunConfig
from seqtui.tui.launch import make_app
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, make_run_folder, settle, until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
HISTORY = [{"epoch": e, "loss": 1.2 / e, "accuracy": 0.4 + e / 12, "val_loss": 1.3 / e + e / 40,
            "val_accuracy": 0.38 + e / 14} for e in (1, 2, 3, 4, 5)]  # fmt: skip


def fixed_run(root: Path, name: str, history: list[dict[str, float]], **kw) -> Path:
    """A run folder with a fixed name (the engine stamps the current time into it)."""
    path = make_run_folder(root, name, history, **kw)
    fixed = root / f"20240101T000000Z-{name}"
    path.rename(fixed)
    return fixed


async def counted(pilot) -> None:
    """Setup's coverage lines: the chosen text data is counted a moment after the choice, in a worker."""
    await until(pilot, lambda: getattr(pilot.app.screen, "_counting", None) is None)
    await settle(pilot)


async def still(pilot) -> None:
    """No blinking cursor in the picture."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runs = Path("runs")
    runs.mkdir()
    return make_app(
        runs_dir=runs,
        runner=FakeRunner(epochs=5, steps=4),
        engine_loader=lambda: "fake engine",
        summarizer=fake_summary,
        session_loader=lambda run_dir: FakeSession("text", run_dir),
    )


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare, app, size):
    async def ready(pilot):
        await settle(pilot)
        await pilot.pause(0.4)  # the model summary is built 0.3 s after the last change
        await settle(pilot)
        await counted(pilot)
        app.screen.query_one("#units", Input).focus()
        await pilot.pause()
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_setup_with_problems(snap_compare, app, size):
    async def typed(pilot):
        await settle(pilot)
        screen = app.screen
        for name, text in (("units", "0"), ("dropout", "2"), ("epochs", "99999999999999999999")):
            screen.query_one(f"#{name}", Input).value = text
        screen.query_one("#epochs", Input).focus()
        await pilot.pause(0.4)
        await settle(pilot)
        await counted(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=typed)


SETUP_STATES = {"text": ("topics-en-lstm", "units"), "image": ("digits-cnn", "conv_filters"),
                "series": ("seattle-gru", "lookback")}  # fmt: skip
"""A preset of each kind of data and the field focused: the fields and arithmetic each kind shows."""


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", list(SETUP_STATES))
def test_setup_fields_for(snap_compare, tmp_path, monkeypatch, size, state):
    """The real summarizer (computed without Keras): the picture shows each layer's formula."""
    from seqtui.tui.services import build_summary

    monkeypatch.chdir(tmp_path)
    app = make_app(runs_dir=Path("runs"), runner=FakeRunner(), engine_loader=lambda: "fake engine",
                   summarizer=build_summary)  # fmt: skip
    preset, field = SETUP_STATES[state]

    async def shown(pilot):
        await settle(pilot)
        app.screen.choose_preset(preset)
        await pilot.pause(0.4)
        await settle(pilot)
        await counted(pilot)
        app.screen.query_one(f"#{field}", Input).focus()
        await pilot.pause()
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=shown)


@pytest.mark.parametrize("size", SIZES)
def test_train_after_a_run(snap_compare, app, size):
    async def trained(pilot):
        await settle(pilot)
        await app.start_training(PRESETS["topics-en-lstm"].config)
        await settle(pilot)
        await pilot.pause(0.6)  # charts redraw at most twice a second
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=trained)


@pytest.mark.parametrize("size", SIZES)
def test_confusion_cell_examples(snap_compare, app, size):
    async def listed(pilot):
        await settle(pilot)
        await app.start_training(PRESETS["topics-en-lstm"].config)
        await settle(pilot)
        await pilot.press("x", "down", "enter")  # true weather, predicted weather: 6 examples
        await settle(pilot)
        await pilot.press("down")
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=listed)


@pytest.mark.parametrize("size", SIZES)
def test_train_with_probes(snap_compare, app, size):
    """Two probes (one flips) and the gradient flow pane, `g`, with its collapsed layer called out."""

    async def trained(pilot):
        await settle(pilot)
        probes = ("hello there, how are you", "비가 오겠습니다")
        config = dataclasses.replace(PRESETS["topics-en-lstm"].config, train=dataclasses.replace(
            PRESETS["topics-en-lstm"].config.train, probes=probes))  # fmt: skip
        await app.start_training(config)
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause(0.6)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=trained)


@pytest.mark.parametrize("size", SIZES)
def test_train_log(snap_compare, app, size):
    async def trained(pilot):
        await settle(pilot)
        await app.start_training(RunConfig(preset="digits-mlp"))
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause(0.6)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=trained)


@pytest.mark.parametrize("size", SIZES)
def test_runs_comparing_three(snap_compare, app, size):
    runs = Path("runs")
    for name, scale in (("topics-en-lstm", 1.0), ("topics-ko-lstm", 1.3), ("digits-mlp", 0.7)):
        fixed_run(runs, name, [{k: (v if k == "epoch" else v * scale) for k, v in r.items()} for r in HISTORY],
                  test={"loss": 0.4 * scale, "accuracy": 0.95 - 0.2 * scale})  # fmt: skip

    async def compared(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        table = app.screen.query_one("#runs", DataTable)
        for row in range(3):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.pause(0.6)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=compared)


@pytest.mark.parametrize("size", SIZES)
def test_runs_settings_side_by_side(snap_compare, app, size):
    runs = Path("runs")
    fixed_run(runs, "topics-en-lstm", HISTORY)
    fixed_run(runs, "digits-mlp", HISTORY[:3], status="interrupted")

    async def compared(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        table = app.screen.query_one("#runs", DataTable)
        for row in range(2):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.press("v")
        await pilot.pause()
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=compared)


@pytest.mark.parametrize("size", SIZES)
def test_runs_named_noted_and_filtered(snap_compare, app, size):
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.runs.folder import RunFolder
    from seqtui.core.runs.manage import note_run, rename_run

    runs = Path("runs")
    fixed_run(runs, "topics-ko-lstm", HISTORY, test={"loss": 0.4, "accuracy": 0.81})
    gru = fixed_run(runs, "digits-mlp", HISTORY[:3], status="interrupted")
    RunFolder(gru).write_config(with_overrides(PRESETS["topics-ko-lstm"].config, arch="gru", units=128), {})
    mine = fixed_run(runs, "topics-en-lstm", HISTORY, test={"loss": 0.5, "accuracy": 0.74})
    rename_run(RunFolder(mine), "내 첫 실험 (영어)")
    note_run(RunFolder(mine), "작은 어휘로 다시")

    async def filtered(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("slash", *"topics")
        await pilot.press("enter")
        await pilot.press("s")  # by name
        await pilot.pause()
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=filtered)


@pytest.mark.parametrize("size", SIZES)
def test_predict_text(snap_compare, app, size):
    run = fixed_run(Path("runs"), "topics-en-lstm", HISTORY)

    async def typed(pilot):
        await settle(pilot)
        await app.open_for_prediction(run)
        await settle(pilot)
        await pilot.press(*"the weather is nice")
        await pilot.pause(0.5)
        await settle(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=typed)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, app, size):
    async def opened(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", ["f6", "f7"], ids=["compare", "sweep"])
def test_experiment_screen_before_a_start(snap_compare, app, size, key):
    async def opened(pilot):
        await pilot.press(key)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)


@pytest.fixture
def captured(tmp_path, monkeypatch):
    """An app whose prediction session replays what the real Predictor and Inspector computed on a tiny
    stacked LSTM (or Conv1D): tests/tui/inspection_capture.py."""
    from tests.tui.inspection_capture import CapturedSession

    monkeypatch.chdir(tmp_path)
    runs = Path("runs")
    runs.mkdir()
    run = fixed_run(runs, "topics-en-lstm", HISTORY)

    def make(model: str = "lstm", no_color: bool = False):
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")  # the app reads it when it is made
        app = make_app(runs_dir=runs, runner=FakeRunner(epochs=5, steps=4), engine_loader=lambda: "fake engine",
                       summarizer=fake_summary, session_loader=lambda run_dir: CapturedSession(model, run_dir))  # fmt: skip
        return run, app

    return make


def inside_view(run: Path, app, text: str, key: str, word: str = ""):
    async def opened(pilot):
        await settle(pilot)
        await app.open_for_prediction(run)
        await settle(pilot)
        app.screen.query_one("#sentence", Input).value = text
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press(key)
        await pilot.pause()
        await settle(pilot)
        if word:
            await pilot.press(*word, "enter")
            await pilot.pause()
            await settle(pilot)
        await still(pilot)

    return opened


INSIDE = {
    "states": ("ctrl+t", "long", ""),  # 20 tokens: paged at 80 columns
    "gates": ("ctrl+g", "korean", ""),
    "gradient": ("ctrl+r", "long", ""),
    "neighbours": ("ctrl+n", "short", "날씨"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", list(INSIDE))
def test_predict_inside(snap_compare, captured, size, view):
    from tests.tui import inspection_capture as data

    key, sentence, word = INSIDE[view]
    text = {"long": data.LONG, "short": data.SHORT, "korean": data.KOREAN}[sentence]
    run, app = captured()
    assert snap_compare(app, terminal_size=size, run_before=inside_view(run, app, text, key, word))


@pytest.mark.parametrize("size", SIZES)
def test_predict_inside_without_colour(snap_compare, captured, size):
    from tests.tui.inspection_capture import LONG

    run, app = captured(no_color=True)
    assert app.no_color
    assert snap_compare(app, terminal_size=size, run_before=inside_view(run, app, LONG, "ctrl+t"))


@pytest.mark.parametrize("size", SIZES)
def test_predict_inside_a_view_the_model_lacks(snap_compare, captured, size):
    from tests.tui.inspection_capture import SHORT

    run, app = captured("conv1d")
    assert snap_compare(app, terminal_size=size, run_before=inside_view(run, app, SHORT, "ctrl+g"))


MORE_INSIDE = {
    "unit": (("ctrl+t", "ctrl+down"), "long"),  # the selected unit's map, fragments below (scroll)
    "plane": (("ctrl+o",), "short"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", list(MORE_INSIDE))
def test_predict_inside_unit_and_plane(snap_compare, captured, size, view):
    from tests.tui import inspection_capture as data

    keys, sentence = MORE_INSIDE[view]
    run, app = captured()

    async def opened(pilot):
        await inside_view(run, app, {"long": data.LONG, "short": data.SHORT}[sentence], keys[0])(pilot)
        for key in keys[1:]:
            await pilot.press(key)
            await pilot.pause()
            await settle(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)


@pytest.mark.parametrize("size", SIZES)
def test_predict_feature_maps(snap_compare, tmp_path, monkeypatch, size):
    from seqtui.tui.widgets.digit_canvas import DigitCanvas
    from tests.tui.inspection_capture import CapturedDigits, digit

    monkeypatch.chdir(tmp_path)
    runs = Path("runs")
    runs.mkdir()
    run = fixed_run(runs, "digits-mlp", HISTORY)
    app = make_app(runs_dir=runs, runner=FakeRunner(epochs=5, steps=4), engine_loader=lambda: "fake engine",
                   summarizer=fake_summary, session_loader=lambda run_dir: CapturedDigits(run_dir))  # fmt: skip

    async def opened(pilot):
        await settle(pilot)
        await app.open_for_prediction(run)
        await settle(pilot)
        await pilot.press("m")
        canvas = app.screen.query_one("#canvas", DigitCanvas)
        canvas.pixels[:] = digit()
        canvas.refresh()
        canvas.post_message(DigitCanvas.Changed(canvas))
        await pilot.pause(0.3)
        await settle(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)
