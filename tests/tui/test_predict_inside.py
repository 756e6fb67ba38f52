"""Predict's views of a text model's inside (issue 22): each key opens a view computed off the UI thread,
and what the screen shows is the engine's own numbers (a session replaying what the real Inspector
computed on a tiny real model, tests/tui/inspection_capture.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from textual.widgets import Input, Static

from seqtui.core.inference.inspect_gradients import reach_sentence
from seqtui.core.inference.inspect_states import summarise_gates
from seqtui.render.inspect import columns
from seqtui.tui.launch import make_app
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.widgets.inspection import TokenMap
from tests.tui.inspection_capture import LONG, SHORT, CapturedSession, inspection_of
from tests.tui_fakes import FakeRunner, fake_summary, plain, settle


def app_with(tmp_path, session: CapturedSession):
    return make_app(runs_dir=tmp_path, runner=FakeRunner(), engine_loader=lambda: "fake", summarizer=fake_summary,
                    session_loader=lambda run_dir: session)  # fmt: skip


async def typed(pilot, app, text: str) -> PredictScreen:
    await app.open_for_prediction(Path("runs/fake"))
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, PredictScreen)
    screen.query_one("#sentence", Input).value = text
    await pilot.pause(0.2)  # predictions wait for a pause in typing
    await settle(pilot)
    return screen


async def pressed(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()
    await settle(pilot)


def drawn(widget, width: int = 200) -> str:
    """What a widget draws, as plain text."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.render())
    return console.export_text()


async def test_hidden_states_show_the_units_that_move_most_with_their_values_paged_over_the_tokens(tmp_path):
    session = CapturedSession("lstm")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await typed(pilot, app, LONG)
        assert session.warmed == 1  # opened once, off the UI thread, before any view was asked for
        assert screen.views == ["states", "gates", "gradient", "neighbours", "mistakes"]
        await pressed(pilot, "ctrl+t")
        assert session.asked[-1] == (LONG, ("states",))
        found = inspection_of(LONG, session.data["sentences"][LONG]["inspection"])
        shown = screen.query_one("#inspect-map", TokenMap)
        assert shown.display and not screen.query_one("#text-results").display
        assert [m.title.split(" (")[0] for m in shown.maps] == ["lstm", "lstm_1"]  # one map per layer
        _, steps = columns(found)
        trace = found.traces[0]
        top = found.top_units(trace, 1)[0]
        per_page = shown.per_page
        assert 10 <= per_page < len(steps)  # 80 columns hold a page of the 20 tokens
        row = shown.shown_rows(shown.maps[0])[0]
        assert row.label == f"unit {top}"
        assert row.values == [float(trace.hidden[s, top]) for s in steps[:per_page]]
        text = drawn(shown)
        assert f"unit {top}" in text and row.scale.number(float(trace.hidden[steps[0], top])) in text
        assert f"columns 1-{per_page} of 20" in text

        await pressed(pilot, "pagedown")
        assert shown.first == per_page
        row = shown.shown_rows(shown.maps[0])[0]
        assert row.values == [float(trace.hidden[s, top]) for s in steps[per_page:]]
        assert f"columns {per_page + 1}-20 of 20" in drawn(shown) and "warm" in drawn(shown)
        await pressed(pilot, "pageup")
        assert shown.first == 0

        await pressed(pilot, "ctrl+t")  # the same key again: back to the answer
        assert screen.view is None and screen.query_one("#text-results").display
        assert app.focused is screen.query_one("#sentence", Input)


async def test_gates_show_the_mean_and_saturated_share_per_token_and_the_sentence_that_reads_them(tmp_path):
    session = CapturedSession("lstm")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await typed(pilot, app, SHORT)
        await pressed(pilot, "ctrl+g")
        found = inspection_of(SHORT, session.data["sentences"][SHORT]["inspection"])
        shown = screen.query_one("#inspect-map", TokenMap)
        _, steps = columns(found)
        assert len(steps) == 5  # the 16 padding steps fold into one column, then the 4 tokens
        forget = next(g for g in summarise_gates(found.traces[1]) if g.name == "forget")
        rows = {r.label: r for r in shown.shown_rows(shown.maps[1])}
        assert set(rows) == {f"{g} {s}" for g in ("input", "forget", "output") for s in ("avg", "sat")} | {
            "cell avg"
        }
        assert rows["forget avg"].values == [forget.mean[s] for s in steps]
        assert rows["forget sat"].values == [forget.saturated[s] for s in steps]
        assert shown.maps[1].note == found.reading(found.traces[1])
        assert found.reading(found.traces[1]) in drawn(shown)
        assert "pad" in drawn(shown) and "x16" in drawn(shown)


async def test_the_gradient_strip_sits_under_the_prefix_curve(tmp_path):
    session = CapturedSession("lstm")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await typed(pilot, app, LONG)
        await pressed(pilot, "ctrl+r")
        strip = screen.query_one("#gradient-strip", TokenMap)
        assert strip.display and screen.query_one("#prefix-chart").display
        assert not screen.query_one("#text-bars").display  # the curve and its strip take the width
        found = inspection_of(LONG, session.data["sentences"][LONG]["inspection"])
        _, steps = columns(found)
        norms = found.gradient.norms
        assert strip.maps[0].rows[0].values == [float(norms[s]) for s in steps]
        assert np.argmax(strip.maps[0].rows[0].values) == np.argmax(norms)
        assert strip.maps[0].note == reach_sentence(norms, found.real)
        assert f"p(stocks) = {found.gradient.probability:.3f}" in drawn(strip)


async def test_neighbours_of_a_typed_word_and_close_matches_for_an_unknown_one(tmp_path):
    session = CapturedSession("lstm")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await typed(pilot, app, SHORT)
        await pressed(pilot, "ctrl+n")
        word = screen.query_one("#neighbour-word", Input)
        assert app.focused is word
        await pressed(pilot, *"날씨", "enter")
        listing = plain(screen.query_one("#neighbour-list", Static))
        nearest = session.data["neighbours"]["날씨"][0]["nearest"]
        assert f"{nearest[0]['word']}" in listing and f"{nearest[0]['cosine']:+.3f}" in listing
        assert listing.index(nearest[0]["word"]) < listing.index(nearest[1]["word"])  # most similar first
        word.value = ""
        await pressed(pilot, *"wether", "enter")
        assert "Did you mean 'weather'" in plain(screen.query_one("#neighbour-list", Static))


async def test_a_view_the_model_has_no_layer_for_says_which_views_it_has(tmp_path):
    session = CapturedSession("conv1d")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await typed(pilot, app, SHORT)
        await pressed(pilot, "ctrl+g")
        shown = screen.query_one("#inspect-map", TokenMap)
        assert not shown.maps
        assert "no gates view; this model's views are gradient, filters, neighbours, mistakes" in shown.note
        await pressed(pilot, "ctrl+r")  # the gradient it has
        assert screen.query_one("#gradient-strip", TokenMap).maps


async def test_an_inspection_of_a_sentence_since_erased_is_dropped(tmp_path):
    class SlowSession(CapturedSession):
        def __init__(self) -> None:
            super().__init__("lstm")
            self.entered, self.release = threading.Event(), threading.Event()

        def inspect(self, text, views):
            self.entered.set()
            self.release.wait(10)
            return super().inspect(text, views)

    session = SlowSession()
    app = app_with(tmp_path, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await typed(pilot, app, "")
        await pilot.press("ctrl+t")
        screen.query_one("#sentence", Input).value = SHORT
        for _ in range(100):
            if session.entered.is_set():
                break
            await pilot.pause(0.05)
        assert session.entered.is_set()
        screen.query_one("#sentence", Input).value = ""
        await pilot.pause()
        session.release.set()
        await pilot.pause(0.3)
        await settle(pilot)
        shown = screen.query_one("#inspect-map", TokenMap)
        assert shown.found is None and shown.note == "type a sentence to see its states"


async def test_a_selected_unit_shows_its_values_gates_and_where_it_peaks(tmp_path):
    from seqtui.tui.widgets.inspection import gate_data

    session = CapturedSession("lstm")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await typed(pilot, app, LONG)
        await pressed(pilot, "ctrl+t")
        shown = screen.query_one("#inspect-map", TokenMap)
        found = inspection_of(LONG, session.data["sentences"][LONG]["inspection"])
        _, steps = columns(found)
        trace = found.traces[0]
        first, second = found.top_units(trace, 2)
        await pressed(pilot, "ctrl+down")
        assert (screen.unit_ref.layer, screen.unit_ref.unit) == (trace.name, first)
        unit_map = shown.maps[0]
        assert unit_map.whole and unit_map.title.startswith(f"▶ lstm:{first} (LSTM)")
        rows = {r.label: r.values for r in unit_map.rows}
        assert rows[f"h_t u{first}"] == [float(trace.hidden[s, first]) for s in steps]
        assert rows[f"forget u{first}"] == [float(trace.gates["forget"][s, first]) for s in steps]
        assert rows[f"cell u{first}"] == [float(trace.gates["cell"][s, first]) for s in steps]
        assert shown.maps[1].rows[0].label == f"▶unit {first}"
        listing = plain(screen.query_one("#unit-fragments", Static))
        captured = session.data["units"][f"lstm:{first}"]["fragments"][0]
        peak = captured["tokens"][captured["peak"]]
        assert f"[{peak}]" in listing and f"{captured['value']:+.3f}" in listing
        await pressed(pilot, "ctrl+down")
        assert screen.unit_ref.unit == second and shown.maps[1].rows[1].label == f"▶unit {second}"
        await pressed(pilot, "ctrl+up", "ctrl+up")  # stops at the first unit shown
        assert screen.unit_ref.unit == first
        await pressed(pilot, "ctrl+g")  # the gates view keeps the unit: its own gates under its layer's
        labels = [r.label for r in shown.maps[0].rows]
        assert labels[-4:] == [f"{g} u{first}" for g in ("input", "forget", "output", "cell")]
        assert shown.maps == gate_data(found, screen.unit_ref)


async def test_the_plane_shows_the_most_frequent_words_marked_by_class(tmp_path):
    from seqtui.tui.widgets.inspection_pictures import PlaneView

    session = CapturedSession("lstm")
    app = app_with(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await typed(pilot, app, SHORT)
        await pressed(pilot, "ctrl+o")
        plane = screen.query_one("#plane", PlaneView)
        assert plane.display and screen.view == "projection"
        words = session.data["projection"]["words"]
        assert plane.found.words == [w["word"] for w in words]
        text = drawn(plane)
        assert "20 most frequent words; across: PC1" in text and words[0]["word"] in text
        assert all(name in text for name in {w["class"] for w in words})  # the legend names each class
        await pressed(pilot, "ctrl+o")
        assert screen.view is None and not plane.display


async def test_feature_maps_follow_the_drawing(tmp_path):
    from seqtui.tui.widgets.digit_canvas import DigitCanvas
    from seqtui.tui.widgets.inspection_pictures import FeatureMapsView
    from tests.tui.inspection_capture import CapturedDigits, digit

    session = CapturedDigits()
    app = app_with(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.open_for_prediction(Path("runs/fake"))
        await settle(pilot)
        screen = app.screen
        await pressed(pilot, "m")
        maps = screen.query_one("#maps", FeatureMapsView)
        assert maps.display and not screen.query_one("#preview").display and maps.note.startswith("draw")
        canvas = screen.query_one("#canvas", DigitCanvas)
        canvas.pixels[:] = digit()
        canvas.post_message(DigitCanvas.Changed(canvas))
        await pilot.pause(0.3)
        await settle(pilot)
        assert maps.maps is session.maps and len(session.asked_maps) == 1
        assert session.asked_maps[0].shape == (28, 28)  # the digit as the model sees it
        text = drawn(maps, 120)
        assert "max_pooling2d (MaxPooling2D) 12x12x4" in text
        assert f"channels {', '.join(map(str, session.maps[0].channels(4)))}" in text
        await pressed(pilot, "m")
        assert not screen.query_one("#maps-panel").display and screen.query_one("#preview").display
