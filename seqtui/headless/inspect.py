"""`seqtui inspect` headless: a run's model loaded once, then the views of one sentence (hidden states,
gates, the gradient's reach, filter windows), its mistakes on the test split or an embedding's neighbours,
as heat maps and tables or as one JSON object. Nothing here imports Keras at module level."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from seqtui.render import inspect as views

TOKEN_VIEWS = ("states", "gates", "gradient", "filters")


@dataclass(frozen=True)
class InspectRequest:
    """What the command line asked for."""

    run: Path
    text: str | None = None
    views: list[str] = field(default_factory=list)
    """Token views asked for by name; empty: every one the model has (with a sentence)."""
    mistakes: bool = False
    neighbours: str | None = None
    top: int = 8
    as_json: bool = False
    unit: str | None = None
    """A unit as LAYER[/backward]:UNIT: its value per token and the validation fragments where it peaks."""
    projection: bool = False
    words: int = 60
    """How many of the most frequent words the projection shows."""
    image: Path | None = None
    """An image file: the feature maps of every Conv2D and pooling layer for it."""

    @property
    def extras(self) -> list[str]:
        """The views asked for by their own options."""
        return (["mistakes"] * self.mistakes + ["neighbours"] * bool(self.neighbours) + ["units"] * bool(self.unit)
                + ["projection"] * self.projection + ["maps"] * bool(self.image))  # fmt: skip


def run_inspect(
    request: InspectRequest, runs_dir: Path | None, backend: str | None, out: Console, err: Console
) -> None:
    """Load the run once, check every asked-for view exists before computing any, then show them."""
    from seqtui.core.inference.errors import InspectError
    from seqtui.core.inference.inspect import Inspector
    from seqtui.core.inference.predict import Predictor

    predictor = Predictor.load(request.run, backend, runs_dir)
    for note in predictor.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    inspector = Inspector(predictor)
    for view in request.views + request.extras:
        inspector.require(view)
    if request.text is None and not (request.extras or request.views == ["filters"]):
        raise InspectError(
            'give a sentence (seqtui inspect RUN "a sentence"), --mistakes or --neighbours WORD; '
            f"{inspector.views_line()}"
        )
    if request.image is not None and request.text is not None:
        raise InspectError("give a sentence or --image FILE, not both")
    answer = _answers(inspector, request)
    if request.as_json:
        head = {"run": str(predictor.folder.path), "views": inspector.views}
        print(json.dumps({**head, **answer.pop("inspection", {}), **answer}, ensure_ascii=False))
    else:
        _show(inspector, request, answer, out)


def _answers(inspector: Any, request: InspectRequest) -> dict[str, Any]:
    """Every asked-for view as plain data (the dataclasses themselves; `_json` makes them JSON)."""
    answer: dict[str, Any] = {}
    if request.text is not None and (request.views or not request.unit):  # --unit alone: only the unit
        wanted = request.views or [v for v in inspector.views if v in TOKEN_VIEWS]
        found = inspector.inspect(request.text, wanted)
        answer["inspection"] = (found, wanted)
    elif request.views == ["filters"]:
        answer["filters"] = inspector.validation_filters()
    if request.mistakes:
        answer["mistakes"] = inspector.mistakes()
    if request.neighbours:
        answer["neighbours"] = inspector.neighbours(request.neighbours)
    answer.update(_more_answers(inspector, request))
    return (
        {key: _json(key, value, request.top) for key, value in answer.items()} if request.as_json else answer
    )


def _more_answers(inspector: Any, request: InspectRequest) -> dict[str, Any]:
    """A unit (with the sentence's states when one is given), the projection, an image's feature maps."""
    answer: dict[str, Any] = {}
    if request.unit:
        ref = inspector.unit(request.unit)
        found = inspector.inspect(request.text, ["states"]) if request.text is not None else None
        answer["unit"] = (ref, found, inspector.unit_fragments(ref))
    if request.projection:
        answer["projection"] = inspector.projection(request.words)
    if request.image is not None:
        from seqtui.datasets.images import read_image

        prepared = inspector.predictor.prepare_image(read_image(request.image))
        answer["maps"] = inspector.feature_maps(prepared.pixels)
    return answer


def _unit_json(ref: Any, found: Any, fragments: Any) -> dict[str, Any]:
    out = fragments.to_dict()
    if found is not None:
        from seqtui.render.inspect_units import trace_of

        trace = trace_of(found, ref)
        out["steps"] = [
            {"padding": pad, "hidden": round(float(trace.hidden[s, ref.unit]), 6),
             "gates": {g: round(float(v[s, ref.unit]), 6) for g, v in trace.gates.items()}}
            for s, pad in enumerate(found.padding)
        ]  # fmt: skip
    return out


def _json(key: str, value: Any, top: int) -> Any:
    if key == "inspection":
        return value[0].to_dict(top)
    if key == "unit":
        return _unit_json(*value)
    if isinstance(value, list):
        return [item.to_dict() for item in value]
    return value.to_dict()


def _show(inspector: Any, request: InspectRequest, answer: dict[str, Any], out: Console) -> None:
    width, glyphs = out.width, out.no_color or out.color_system is None
    if "inspection" in answer:
        found, wanted = answer.pop("inspection")
        if "states" in wanted:
            for part in views.state_maps(found, request.top, width, glyphs):
                out.print(part)
        if "gates" in wanted:
            for part in views.gate_maps(found, width, glyphs):
                out.print(part)
        if "gradient" in wanted and found.gradient is not None:
            out.print(views.gradient_strip(found, width, glyphs))
        if "filters" in wanted and found.filters:
            out.print(views.filters_table(found.filters, "this sentence"))
    if "filters" in answer:
        out.print(views.filters_table(answer["filters"], "the validation set"))
    if "mistakes" in answer:
        out.print(views.mistakes_view(answer["mistakes"]))
    for found in answer.get("neighbours", []):
        out.print(views.neighbours_table(found))
    _show_more(answer, width, glyphs, out)


def _show_more(answer: dict[str, Any], width: int, glyphs: bool, out: Console) -> None:
    from seqtui.render.feature_maps import feature_maps_view
    from seqtui.render.inspect_units import fragments_table, unit_view
    from seqtui.render.scatter import scatter

    if "unit" in answer:
        ref, found, fragments = answer["unit"]
        out.print(unit_view(found, ref, fragments, width, glyphs) if found else fragments_table(fragments))
    if "projection" in answer:
        out.print(scatter(answer["projection"], width, max(10, min(30, out.height - 4))))
    if "maps" in answer:
        out.print(feature_maps_view(answer["maps"], width, glyphs))
