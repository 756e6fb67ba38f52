"""Predict: play with a trained run. Text: class bars as you type and the tokens the model saw. Digits: a
28x28 canvas. Forecasting: the forecast against the real series. Generation: a seed and a temperature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from seqtui.tui.prediction import PredictSession, generation_unit, runs_with_models
from seqtui.tui.screens.predict_inside import INSIDE_GROUPS, TOKEN_VIEWS, InsideViews
from seqtui.tui.screens.predict_series import SeriesViews
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.digit_canvas import DigitCanvas, DigitPreview
from seqtui.tui.widgets.explanation import HeatMap, ImportanceStrip
from seqtui.tui.widgets.inspection import TokenMap
from seqtui.tui.widgets.inspection_pictures import FeatureMapsView, PlaneView
from seqtui.tui.widgets.prob_bars import ProbabilityBars
from seqtui.tui.widgets.status_line import StatusLine
from seqtui.tui.widgets.token_strip import TokenStrip

EMPTY = "No model loaded. Pick a run above, train one (F2 Setup, ctrl+s), or open one from Runs (F5, Enter)."
CANVAS_HELP = "draw with the mouse, or:\narrows move (shift: 4)\nspace pen down/up\nc clear\nh why (heat map)"


TOKENS_GROUP = Binding.Group("Tokens", compact=True)
UNITS_GROUP = Binding.Group("Unit", compact=True)


class PredictScreen(SeriesViews, InsideViews):
    DEFAULT_CSS = """
    PredictScreen #model-row { height: auto; padding: 0 1; }
    PredictScreen #model-row > Label { width: 7; }
    PredictScreen #run-select { width: 1fr; }
    PredictScreen #model-info { height: auto; padding: 0 1; }
    PredictScreen #modes { height: 1fr; }
    PredictScreen #text, PredictScreen #generation { padding: 0 1; }
    PredictScreen #canvas-side { width: 1fr; }
    PredictScreen #canvas-help { height: auto; padding: 0 1; }
    PredictScreen.-narrow #preview { display: none; }
    PredictScreen #generated { height: auto; padding: 1 0; }
    PredictScreen .row > Input { width: 12; }
    PredictScreen #seed { width: 1fr; }
    PredictScreen #text-results { height: 1fr; }
    PredictScreen #text-bars { width: 1fr; }
    PredictScreen #prefix-chart { width: 1fr; }
    PredictScreen #heat { display: none; }
    /* `h` swaps the preview for the heat map; under 96 columns the heat map takes the canvas's place instead,
       so the class bars keep their width (h again brings the canvas back) */
    PredictScreen.-heat #heat { display: block; }
    PredictScreen.-heat #preview { display: none; }
    PredictScreen.-narrow.-heat #canvas { display: none; }
    PredictScreen #curve-side { width: 1fr; }
    PredictScreen #gradient-strip { display: none; height: auto; }
    PredictScreen #inspect-panel { display: none; height: 1fr; }
    PredictScreen #neighbour-row { height: auto; padding: 0 1; }
    PredictScreen #neighbour-row > Label { width: 6; padding: 1 0; }
    PredictScreen #neighbour-word { width: 1fr; }
    PredictScreen #neighbour-list { height: auto; padding: 0 1; }
    PredictScreen #unit-fragments { height: auto; padding: 0 1; }
    PredictScreen #maps-panel { display: none; width: 1fr; }
    """

    BINDINGS = [
        Binding("left_square_bracket", "scroll_forecast(-1)", "Earlier"),
        Binding("right_square_bracket", "scroll_forecast(1)", "Later"),
        Binding("h", "toggle_heat", "Why", tooltip="a heat map of the pixels that decided it"),
        Binding("ctrl+t", "view('states')", "States"),
        Binding("ctrl+g", "view('gates')", "Gates"),
        Binding("ctrl+r", "view('gradient')", "Gradient"),
        Binding("ctrl+n", "view('neighbours')", "Neighbours"),
        # pairs share one footer entry ("PgUpPgDn Tokens"), so the footer fits 80 columns
        Binding("pageup", "page_tokens(-1)", "Earlier tokens", group=TOKENS_GROUP),
        Binding("pagedown", "page_tokens(1)", "Later tokens", group=TOKENS_GROUP),
        Binding("ctrl+down", "select_unit(1)", "Next unit", group=UNITS_GROUP),
        Binding("ctrl+up", "select_unit(-1)", "Previous unit", group=UNITS_GROUP),
        Binding("ctrl+o", "view('projection')", "Plane", show=False),
        Binding("m", "toggle_maps", "Feature maps"),
        Binding("ctrl+b", "pin", "Pin probe", show=False),
        Binding("ctrl+y", "pin_mistake", "Pin a mistake", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session: PredictSession | None = None
        self.loading: Path | None = None
        self._timer: Timer | None = None
        self.options: list[tuple[str, str]] = []
        self.forecast: Any = None
        self.forecast_start = 0
        self.show_heat = False
        self.view: str | None = None
        """The inside view shown for text (states, gates, gradient, neighbours), or None: the answer's."""
        self.views: list[str] | None = None
        """The views this model has, once the warm-up has opened it."""
        self.unit = "words"
        """What a generation model emits: words, or characters for a character-level model."""

    def compose(self) -> ComposeResult:
        yield StatusLine("Predict")
        with Horizontal(id="model-row", classes="row"):
            yield Label("model")
            yield Select([], prompt="choose a trained run", compact=True, id="run-select")
        yield Static("", markup=False, id="model-info")
        with ContentSwitcher(initial="empty", id="modes"):
            yield Static(EMPTY, markup=False, id="empty")
            with Vertical(id="text"):
                yield Input(placeholder="type a sentence (Korean works too)", id="sentence")
                yield TokenStrip(id="tokens")
                yield ImportanceStrip(id="why")
                with Horizontal(id="text-results"):
                    yield ProbabilityBars(id="text-bars")
                    with Vertical(id="curve-side"):
                        yield MetricChart(
                            "class probability after each token", xlabel="token", id="prefix-chart"
                        )
                        yield TokenMap(id="gradient-strip")
                with VerticalScroll(id="inspect-panel"):
                    yield TokenMap(id="inspect-map")
                    yield Static("", id="unit-fragments")
                    yield PlaneView(id="plane")
                    with Horizontal(id="neighbour-row"):
                        yield Label("word")
                        yield Input(placeholder="a word of the vocabulary, then Enter", id="neighbour-word")
                    yield Static("", id="neighbour-list")
            with Horizontal(id="digits"):
                yield DigitCanvas(id="canvas")
                yield DigitPreview(id="preview")
                yield HeatMap(id="heat")
                with VerticalScroll(id="maps-panel"):
                    yield FeatureMapsView(id="maps")
                with Vertical(id="canvas-side"):
                    yield Static(CANVAS_HELP, markup=False, id="canvas-help")
                    yield ProbabilityBars(id="digit-bars")
            with Vertical(id="series"):
                yield MetricChart(
                    "forecast against the real series", xlabel="test window", id="forecast-chart"
                )
                yield Static("", markup=False, id="forecast-info")
            with Vertical(id="generation"):
                with Horizontal(classes="row"):
                    yield Label("seed text")
                    yield Input(placeholder="the first words, then Enter", id="seed")
                with Horizontal(classes="row"):
                    yield Label("temperature")
                    yield Input("0.7", id="temperature", compact=True)
                    yield Label("  words", id="unit-label")
                    yield Input("10", id="words", compact=True)
                yield Static("temperature 0 always picks the likeliest next one; higher is more adventurous",
                             markup=False, id="generated")  # fmt: skip
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#canvas", DigitCanvas).border_title = "draw here"
        self.query_one("#preview", DigitPreview).border_title = "as the model sees it"

    def on_screen_resume(self) -> None:
        self.refresh_runs()

    def refresh_runs(self) -> None:
        """The runs that have a saved model, newest first, in the model picker."""
        select = self.query_one("#run-select", Select)
        current = select.value
        self.options = runs_with_models(self.app.runs_dir)  # type: ignore[attr-defined]
        select.set_options(self.options)
        if current is not Select.NULL and any(v == current for _, v in self.options):
            select.value = current

    # -- loading a run ------------------------------------------------------------------------------
    def open_run(self, run_dir: Path) -> None:
        run_dir = Path(run_dir)
        if self.loading == run_dir or (self.session is not None and Path(self.session.run_dir) == run_dir):
            return
        self.loading = run_dir
        self.query_one("#model-info", Static).update(f"loading {run_dir.name}...")
        self.load_session(run_dir)
        if not any(v == str(run_dir) for _, v in self.options):
            self.refresh_runs()
        if any(v == str(run_dir) for _, v in self.options):
            self.query_one("#run-select", Select).value = str(run_dir)

    def show_example(self, text: str | None = None, image: np.ndarray | None = None) -> None:
        """A test example (from a confusion matrix cell) in the sentence field or on the canvas; while the run
        loads it waits there, and `_loaded` reads it with the new model (never with the one before)."""
        if text is not None:
            field = self.query_one("#sentence", Input)
            if self.loading is not None:
                with field.prevent(Input.Changed):
                    field.value = text
            else:
                field.value = text
        if image is not None:
            canvas = self.query_one("#canvas", DigitCanvas)
            canvas.pixels[:] = image
            canvas.refresh()
            if self.loading is None:
                self._digit_changed()

    @on(Select.Changed, "#run-select")
    def _run_chosen(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.open_run(Path(str(event.value)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load", name="load model")
    def load_session(self, run_dir: Path) -> PredictSession:
        return self.app.session_loader(run_dir)  # type: ignore[attr-defined]

    def _loaded(self, session: PredictSession) -> None:
        self.session = session
        self.loading = None
        classes = f", {len(session.class_names)} classes" if session.class_names else ""
        self.query_one("#model-info", Static).update(
            f"{Path(session.run_dir).name}: {session.mode} model{classes}"
        )
        switcher = self.query_one("#modes", ContentSwitcher)
        switcher.current = session.mode
        self.views = None
        self.unit_ref = None
        self._set_view(self.view if session.mode == "text" else None)
        if session.mode == "text":
            self.query_one("#sentence", Input).focus()
            self.warm_up(session)
            self._text_changed(self.query_one("#sentence", Input).value)
        elif session.mode == "digits":
            self.query_one("#canvas", DigitCanvas).focus()
            self._digit_changed()
        elif session.mode == "series":
            self.forecast, self.forecast_start = None, 0
            self.query_one("#forecast-info", Static).update("forecasting the test windows...")
            self.run_forecast(session)
        else:
            self.unit = generation_unit(Path(session.run_dir))
            self.query_one("#unit-label", Label).update(f"  {self.unit}")
            self.query_one("#seed", Input).focus()

    # -- text ---------------------------------------------------------------------------------------
    @on(Input.Changed, "#sentence")
    def _sentence(self, event: Input.Changed) -> None:
        self._text_changed(event.value)

    def _text_changed(self, text: str) -> None:
        if self.session is None or self.session.mode != "text":
            return
        strip = self.query_one("#tokens", TokenStrip)
        strip.show(self.session.tokens(text) if text.strip() else None)
        if not text.strip():
            self._cancel_pending()  # an answer for the text just erased must not come back
            self.query_one("#text-bars", ProbabilityBars).show(None, "type a sentence to see its class")
            self.query_one("#why", ImportanceStrip).show(None)
            self.query_one("#prefix-chart", MetricChart).clear()
            if self.view in TOKEN_VIEWS:
                self._inspect_map().message(f"type a sentence to see its {self.view}")
            return
        session = self.session
        self._debounce(lambda: self._predict_text(session, text))

    def _predict_text(self, session: PredictSession, text: str) -> None:
        self.classify_text(session, text)
        if self.view in TOKEN_VIEWS:
            self.inspect_text(session, text, self.view)

    @work(thread=True, exclusive=True, exit_on_error=False, group="classify", name="classify")
    def classify_text(self, session: PredictSession, text: str) -> tuple[str, Any, Any]:
        return text, session.classify_text(text), session.explain_text(text)

    def _show_text_explanation(self, expl: Any) -> None:
        """Tokens coloured by importance, and every class's probability after each prefix."""
        self.query_one("#why", ImportanceStrip).show(expl)
        chart = self.query_one("#prefix-chart", MetricChart)
        chart.clear(f"p({expl.class_name}) after each token")
        xs = list(range(1, len(expl.prefix) + 1))
        chart.set_series(expl.class_name, xs, expl.prefix, "braille")
        chart.flush()

    # -- digits -------------------------------------------------------------------------------------
    @on(DigitCanvas.Changed)
    def _canvas(self, event: DigitCanvas.Changed) -> None:
        self._digit_changed()

    def _digit_changed(self) -> None:
        if self.session is None or self.session.mode != "digits":
            return
        pixels = self.query_one("#canvas", DigitCanvas).pixels.copy()
        if not pixels.any():
            self._cancel_pending()  # a prediction of what was just cleared must not come back
            self.query_one("#digit-bars", ProbabilityBars).show(None, "draw a digit")
            self.query_one("#preview", DigitPreview).show(np.zeros_like(pixels))
            self.query_one("#heat", HeatMap).show(None, np.zeros_like(pixels))
            return
        heat = self.show_heat
        self._debounce(lambda: self.classify_digit(self.session, pixels, heat))

    @work(thread=True, exclusive=True, exit_on_error=False, group="classify", name="classify digit")
    def classify_digit(
        self, session: PredictSession, pixels: np.ndarray, heat: bool = False
    ) -> tuple[Any, ...]:
        ranked, prepared = session.classify_image(pixels)
        return pixels, prepared, ranked, session.explain_image(prepared) if heat else None

    def action_pin(self) -> None:
        from seqtui.tui.probe_pins import pin_current

        pin_current(self)

    def action_pin_mistake(self) -> None:
        from seqtui.tui.probe_pins import pin_first_mistake

        pin_first_mistake(self)

    def action_toggle_heat(self) -> None:
        """Show which pixels pushed the answer (a heat map over the digit as the model sees it), or not."""
        self.show_heat = not self.show_heat
        self.set_class(self.show_heat, "-heat")
        if not self.show_heat and self.session is not None and self.session.mode == "digits":
            self.query_one("#canvas", DigitCanvas).focus()  # back from the heat map's place (narrow screens)
        self._digit_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scroll_forecast":
            return self.session is not None and self.session.mode == "series" and self.forecast is not None
        if action == "toggle_heat":
            return self.session is not None and self.session.mode == "digits"
        if action == "view":
            return self.session is not None and self.session.mode == "text"
        if action == "select_unit":
            return self.view in ("states", "gates") and bool(self._inspect_map().units_shown())
        if action == "toggle_maps":
            return self.session is not None and self.session.mode == "digits"
        if action == "page_tokens":
            return self.view in TOKEN_VIEWS and self._inspect_map().pages > 1
        return True

    # -- plumbing -----------------------------------------------------------------------------------
    def _cancel_pending(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _debounce(self, action: Any, delay: float = 0.12) -> None:
        """Run `action` once the user pauses, so a fast typist doesn't queue a prediction per key."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, action)

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        worker, state = event.worker, event.state
        if state == WorkerState.ERROR and worker.group == "load":
            self.loading = None
            self.query_one("#model-info", Static).update("✗ the run could not be opened")
        if state == WorkerState.ERROR and worker.group == "classify":
            for bars in self.query(ProbabilityBars):
                bars.show(None, f"✗ prediction failed: {worker.error}")
            return True  # in place: a dialog per keystroke would bury the screen
        if worker.group in INSIDE_GROUPS:
            return self.inside_worker_changed(worker, state)
        if state != WorkerState.SUCCESS:
            return False
        result = worker.result
        if worker.group == "load":
            self._loaded(result)
        elif worker.name == "classify" and result[0] == self.query_one("#sentence", Input).value:
            self.query_one("#text-bars", ProbabilityBars).show(result[1])
            self._show_text_explanation(result[2])
        elif worker.name == "classify digit" and np.array_equal(
            result[0], self.query_one("#canvas", DigitCanvas).pixels
        ):
            _, prepared, ranked, explanation = (
                result  # a result for a drawing since changed or cleared is dropped
            )
            self.query_one("#preview", DigitPreview).show(prepared)
            self.query_one("#digit-bars", ProbabilityBars).show(ranked)
            self.maps_for(result[0], prepared)
            if explanation is not None:
                self.query_one("#heat", HeatMap).show(explanation, prepared)
        elif worker.group == "generate":
            self._show_generated(*result)
        elif worker.group == "forecast":
            self._show_forecast(result)
        return False
