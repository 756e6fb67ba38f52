"""The Predict screen's generation and forecasting: a seed and a temperature continued by a generation
model, and a forecaster's test windows against the real series (`[` and `]` scroll them).

The base of `PredictScreen` (a BaseScreen, so Textual registers its `@on` handler), which composes the
widgets it names (`#seed`, `#generated`, `#forecast-chart`, ...) and hands its workers' results here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.widgets import Input, Static

from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.widgets.chart import MetricChart

if TYPE_CHECKING:
    from seqtui.tui.prediction import PredictSession

FORECAST_SPAN = 240


class SeriesViews(BaseScreen):
    """What PredictScreen does for generation and forecasting models."""

    session: PredictSession | None
    unit: str
    """What a generation model emits: words, or characters."""
    forecast: Any
    forecast_start: int

    @on(Input.Submitted, "#seed, #temperature, #words")
    def _generate(self, event: Input.Submitted) -> None:
        if self.session is None or self.session.mode != "generation":
            return
        out = self.query_one("#generated", Static)
        try:
            temperature = float(self.query_one("#temperature", Input).value)
            words = int(self.query_one("#words", Input).value)
        except ValueError:
            out.update(f"✗ temperature must be a number (e.g. 0.7) and {self.unit} a whole number")
            return
        if not (0 <= temperature <= 5 and 1 <= words <= 100):
            out.update(f"✗ temperature between 0 and 5, {self.unit} between 1 and 100")
            return
        seed = self.query_one("#seed", Input).value
        out.update("generating...")
        self.generate(self.session, seed, words, temperature)

    @work(thread=True, exclusive=True, exit_on_error=False, group="generate", name="generate")
    def generate(self, session: PredictSession, seed: str, words: int, temperature: float) -> tuple[str, str]:
        return seed, session.generate(seed, words, temperature)

    @work(thread=True, exclusive=True, exit_on_error=False, group="forecast", name="forecast")
    def run_forecast(self, session: PredictSession) -> Any:
        return session.forecast()

    def action_scroll_forecast(self, pages: int) -> None:
        self.forecast_start = max(
            0, min(len(self.forecast.real) - 1, self.forecast_start + pages * FORECAST_SPAN // 2)
        )
        self._show_forecast(self.forecast)

    def _show_generated(self, seed: str, continuation: str) -> None:
        """The seed, then what the model went on with (underlined)."""
        self.query_one("#generated", Static).update(
            Text.assemble(seed + self.session.joiner, (continuation, "bold underline"))
        )

    def _show_forecast(self, forecast: Any) -> None:
        """A stretch of the test windows (a whole test set squeezed into 80 columns is a blur)."""
        self.forecast = forecast
        start, end = self.forecast_start, min(len(forecast.real), self.forecast_start + FORECAST_SPAN)
        chart = self.query_one("#forecast-chart", MetricChart)
        chart.clear()
        xs = list(range(start, end))
        chart.set_series(f"real {forecast.target}", xs, forecast.real[start:end], "braille")
        chart.set_series("forecast", xs, forecast.predicted[start:end], "hd")
        chart.flush()
        self.refresh_bindings()
        info = f"windows {start}-{end - 1} of {len(forecast.real)} ([ and ] scroll). "
        unit = forecast.unit or "in the series' units"
        info += f"Test MAE {forecast.mae:.3f} {unit}"
        if forecast.baseline_mae is not None:
            verdict = "beats" if forecast.mae < forecast.baseline_mae else "does not beat"
            info += (
                f"; baseline 'tomorrow equals now' {forecast.baseline_mae:.3f} {unit}: the model {verdict} it"
            )
        self.query_one("#forecast-info", Static).update(info)
