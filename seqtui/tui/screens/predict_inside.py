"""The Predict screen's views of a model's inside (issue 22): the hidden state per recurrent layer (a unit
selected with ctrl+down/up, its gates and the validation fragments where it peaks), the gates, the gradient
strip under the prefix curve, the embedding neighbours of a word and the plane of the most frequent words
(ctrl+o), and a drawn digit's Conv2D feature maps (m).

Each view is computed by `PredictSession.inspect` (or `neighbours`) in a thread worker; an answer for a
sentence, view or word that has since changed is dropped, as the screen's own predictions are. The base of
`PredictScreen` (its base class), which composes the widgets it names (`#inspect-map`, `#gradient-strip`, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from seqtui.tui.screens.base import BaseScreen
from seqtui.tui.widgets.inspection import TokenMap
from seqtui.tui.widgets.inspection_pictures import FeatureMapsView, PlaneView

if TYPE_CHECKING:
    import numpy as np

    from seqtui.core.inference.inspect_units import UnitRef
    from seqtui.tui.prediction import PredictSession

TOKEN_VIEWS = ("states", "gates", "gradient")
"""The views drawn as heat maps over the sentence's tokens."""
INSIDE_GROUPS = ("inspect", "neighbours", "warm", "fragments", "projection", "maps")


class InsideViews(BaseScreen):
    """What PredictScreen does for the inside views."""

    session: PredictSession | None
    view: str | None
    views: list[str] | None
    unit_ref: UnitRef | None = None
    """The selected hidden unit (states and gates views), or None."""
    show_maps: bool = False
    """Whether a drawn digit's feature maps are shown (in place of its preview and bars)."""

    def _inspect_map(self) -> TokenMap:
        """Where the open token view is drawn: the strip under the prefix curve, or the panel's maps."""
        return self.query_one("#gradient-strip" if self.view == "gradient" else "#inspect-map", TokenMap)

    def _set_view(self, view: str | None) -> None:
        """Show `view` in place of the answer's bars and curve (the gradient: under the curve)."""
        self.view = view
        self.query_one("#tokens").display = self.query_one("#why").display = view is None
        self.query_one("#text-results").display = view in (None, "gradient")
        self.query_one("#text-bars").display = view != "gradient"
        self.query_one("#gradient-strip").display = view == "gradient"
        self.query_one("#inspect-panel").display = view in ("states", "gates", "neighbours", "projection")
        self.query_one("#inspect-map").display = view in ("states", "gates")
        self.query_one("#unit-fragments").display = view == "states" and self.unit_ref is not None
        self.query_one("#plane").display = view == "projection"
        self.query_one("#neighbour-row").display = view == "neighbours"
        self.query_one("#neighbour-list").display = view == "neighbours"
        self.refresh_bindings()

    def action_view(self, view: str) -> None:
        """Open a view of the model's inside for the sentence typed, or close it (the same key again)."""
        if self.session is None or self.session.mode != "text":
            return
        if self.view == view:
            self._set_view(None)
            self.query_one("#sentence", Input).focus()
            return
        self._set_view(view)
        if view == "projection":
            self.query_one("#plane", PlaneView).message("placing the most frequent words on the plane...")
            self.find_projection(self.session)
            return
        if view == "neighbours":
            self.query_one("#neighbour-word", Input).focus()
            if not self.query_one("#neighbour-word", Input).value.strip():
                self.query_one("#neighbour-list", Static).update(
                    Text(
                        "type a word, then Enter: its nearest words by embedding cosine "
                        "(ctrl+o: the most frequent words on a plane)",
                        style="italic",
                    )  # fmt: skip
                )
            return
        text = self.query_one("#sentence", Input).value
        if not text.strip():
            self._inspect_map().message(f"type a sentence to see its {view}")
            return
        self._inspect_map().message(f"computing the {view} view...")
        self.inspect_text(self.session, text, view)

    def action_page_tokens(self, pages: int) -> None:
        self._inspect_map().page(pages)

    @work(thread=True, exclusive=True, exit_on_error=False, group="inspect", name="inspect")
    def inspect_text(self, session: PredictSession, text: str, view: str) -> tuple[str, str, Any]:
        return text, view, session.inspect(text, (view,))

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm", name="warm up")
    def warm_up(self, session: PredictSession) -> tuple[PredictSession, list[str]]:
        """Open the model up before the first view is asked for: the first inspection compiles (seconds)."""
        views = session.inspect_views()
        session.warm_up()
        return session, views

    @on(Input.Submitted, "#neighbour-word")
    def _neighbour_word(self, event: Input.Submitted) -> None:
        word = event.value.strip()
        if self.session is None or not word:
            return
        self.query_one("#neighbour-list", Static).update(Text(f"looking up {word}...", style="italic"))
        self.find_neighbours(self.session, word)

    @work(thread=True, exclusive=True, exit_on_error=False, group="neighbours", name="neighbours")
    def find_neighbours(self, session: PredictSession, word: str) -> tuple[str, Any]:
        return word, session.neighbours(word)

    def _show_inspection(self, text: str, view: str, found: Any) -> None:
        target = self._inspect_map()
        if not text.strip():
            target.message(f"type a sentence to see its {view}")
        elif view == "gates" and not any(t.gates for t in found.traces):
            target.message("no LSTM or GRU layer: no gates to show")
        else:
            target.show(found, view, self.unit_ref)
        self.refresh_bindings()

    # -- one unit -----------------------------------------------------------------------------------
    def action_select_unit(self, step: int) -> None:
        """Select the next (or previous) unit among the rows shown; its map and fragments follow."""
        target = self._inspect_map()
        shown = target.units_shown()
        if self.session is None or target.found is None or not shown:
            return
        at = shown.index(self.unit_ref) + step if self.unit_ref in shown else 0
        self.unit_ref = shown[max(0, min(len(shown) - 1, at))]
        target.show(target.found, target.view, self.unit_ref)
        self._set_view(self.view)
        if self.view == "states":
            self.query_one("#unit-fragments", Static).update(
                Text(f"finding where {self.unit_ref.label} peaks in the validation set...", style="italic")
            )
            self.find_fragments(self.session, self.unit_ref)

    @work(thread=True, exclusive=True, exit_on_error=False, group="fragments", name="fragments")
    def find_fragments(self, session: PredictSession, ref: UnitRef) -> tuple[UnitRef, Any]:
        return ref, session.unit_fragments(ref)

    @work(thread=True, exclusive=True, exit_on_error=False, group="projection", name="projection")
    def find_projection(self, session: PredictSession) -> Any:
        return session.projection()

    # -- a digit's feature maps -----------------------------------------------------------------------
    def action_toggle_maps(self) -> None:
        """Show the drawn digit's feature maps after each Conv2D and pooling layer, or its preview again."""
        self.show_maps = not self.show_maps
        self.query_one("#maps-panel").display = self.show_maps
        for part in ("#preview", "#canvas-side"):
            self.query_one(part).display = not self.show_maps
        self.query_one("#heat").display = not self.show_maps and bool(getattr(self, "show_heat", False))
        self.query_one("#maps", FeatureMapsView).message("draw a digit to see its feature maps")
        self._digit_changed()  # type: ignore[attr-defined]

    def maps_for(self, pixels: np.ndarray, prepared: np.ndarray) -> None:
        """After a digit's answer: its feature maps, when they are shown."""
        if self.show_maps and self.session is not None:
            self.compute_maps(self.session, pixels, prepared)

    @work(thread=True, exclusive=True, exit_on_error=False, group="maps", name="maps")
    def compute_maps(
        self, session: PredictSession, pixels: np.ndarray, prepared: np.ndarray
    ) -> tuple[Any, Any]:
        return pixels, session.feature_maps(prepared)

    def _show_neighbours(self, found: list[Any]) -> None:
        from rich.console import Group

        from seqtui.render.inspect import neighbours_table

        self.query_one("#neighbour-list", Static).update(Group(*(neighbours_table(n) for n in found)))

    def _inspect_failed(self, worker: Worker) -> None:
        """A view the model lacks (its message names the views it has), an unknown word, or a failure."""
        error = worker.error
        message = f"✗ {getattr(error, 'message', None) or error}"
        if worker.group == "neighbours":
            self.query_one("#neighbour-list", Static).update(Text(message))
        elif worker.group == "fragments":
            self.query_one("#unit-fragments", Static).update(Text(message))
        elif worker.group == "projection":
            self.query_one("#plane", PlaneView).message(message)
        elif worker.group == "maps":
            self.query_one("#maps", FeatureMapsView).message(message)
        elif worker.group == "inspect" and self.view in TOKEN_VIEWS:
            self._inspect_map().message(message)

    def inside_worker_changed(self, worker: Worker, state: WorkerState) -> bool:
        """Show a finished inspection, neighbour list or warm-up; failures in place, never as a dialog."""
        if state == WorkerState.ERROR:
            self._inspect_failed(worker)  # a warm-up's failure shows again when a view is asked for
            return True
        if state != WorkerState.SUCCESS:
            return False
        result = worker.result
        if worker.name == "inspect":
            if result[0] == self.query_one("#sentence", Input).value and result[1] == self.view:
                self._show_inspection(*result)  # an answer for a text or view since changed is dropped
        elif worker.name == "neighbours":
            if result[0] == self.query_one("#neighbour-word", Input).value.strip():
                self._show_neighbours(result[1])
        elif worker.name == "warm up" and result[0] is self.session:
            self.views = result[1]
        else:
            self._show_picture(worker.name or "", result)
        return False

    def _show_picture(self, name: str, result: Any) -> None:
        """A unit's fragments, the plane or a digit's maps, unless the selection or drawing has since changed."""
        import numpy as np

        from seqtui.render.inspect_units import fragments_table

        if name == "fragments" and result[0] == self.unit_ref:
            self.query_one("#unit-fragments", Static).update(fragments_table(result[1]))
        elif name == "projection" and self.view == "projection":
            self.query_one("#plane", PlaneView).show(result)
        elif name == "maps" and np.array_equal(result[0], self.query_one("#canvas").pixels):  # type: ignore[attr-defined]
            self.query_one("#maps", FeatureMapsView).show(result[1])
