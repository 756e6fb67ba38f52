"""See inside a loaded run's model: the hidden state and gates token by token, how far back the gradient
reaches, what the Conv1D filters and the embeddings learned, and where it fails.

`Inspector` wraps a `Predictor` (the run folder loaded once, its encoder reused) and keeps what costs to
build (the layer taps, the compiled gradient), so the app can ask for one view per keystroke. Everything it
returns is plain data (NumPy arrays, lists, dataclasses) with `to_dict` for `--json`; Keras stays inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.inspect_embeddings import Neighbours, nearest_words
from seqtui.core.inference.inspect_extras import ExtraViews
from seqtui.core.inference.inspect_filters import FilterWindows, Geometry, filter_windows
from seqtui.core.inference.inspect_gradients import GradientProbe, GradientReach
from seqtui.core.inference.inspect_mistakes import Mistakes, find_mistakes, rebuilt_data
from seqtui.core.inference.inspect_states import (
    Cell,
    RecurrentTrace,
    directions,
    kind_of,
    reading,
    run_cell,
    summarise_gates,
    top_units,
)
from seqtui.datasets.base import TextEncoder
from seqtui.datasets.tokenizer import TokenView

if TYPE_CHECKING:
    from seqtui.core.inference.predict import Predictor

VIEWS = ("states", "gates", "gradient", "filters", "neighbours", "mistakes", "maps")
"""Every view, in the order they are shown; `Inspector.views` says which a model has."""
PART_OF = {"units": "states", "projection": "neighbours"}
"""Views that come with another: a unit's fragments with the states, the projection with the neighbours."""
DIGITS = 6
TAP_BATCH = 256


_kind, _directions = kind_of, directions


def _merged(layer: Any, outputs: list[np.ndarray]) -> np.ndarray:
    """What a recurrent layer returns from its directions' outputs (Bidirectional's merge mode)."""
    if len(outputs) == 1:
        return outputs[0]
    forward, backward = outputs
    mode = layer.merge_mode
    merged = {"concat": lambda: np.concatenate(outputs, axis=-1), "sum": lambda: forward + backward,
              "mul": lambda: forward * backward, "ave": lambda: (forward + backward) / 2}  # fmt: skip
    if mode not in merged:
        raise InspectError(f"a Bidirectional layer with merge_mode={mode!r} can't be checked against Keras")
    return merged[mode]()


def _layer_output(layer: Any, trace: RecurrentTrace) -> np.ndarray:
    """What one direction contributes to its layer's output: every state, or the last one read."""
    if layer.return_sequences:
        return trace.hidden
    last = 0 if layer.go_backwards else -1
    return trace.hidden[last]


@dataclass(frozen=True)
class TokenInspection:
    """One sentence as the model read it, with every recurrent layer's states and gates at every step."""

    text: str
    tokens: list[TokenView]
    """The sentence's own tokens (after maxlen cut any)."""
    ids: list[int]
    """The padded ids the model saw, one per step."""
    padding: list[bool]
    """Per step: a padding step (no token of the sentence)."""
    traces: list[RecurrentTrace] = field(default_factory=list)
    gradient: GradientReach | None = None
    filters: list[FilterWindows] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)

    @property
    def step_tokens(self) -> list[str | None]:
        """Per step the token read there, None at a padding step."""
        words = iter(t.text for t in self.tokens)
        return [None if pad else next(words) for pad in self.padding]

    @property
    def real(self) -> np.ndarray:
        return ~np.asarray(self.padding, dtype=bool)

    def top_units(self, trace: RecurrentTrace, count: int) -> list[int]:
        return top_units(trace.hidden, self.real, count)

    def reading(self, trace: RecurrentTrace) -> str:
        return reading(trace.kind, trace.gates, self.real)

    def to_dict(self, top: int = 8) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "tokens": [{"text": t.text, "id": t.id, "known": t.known} for t in self.tokens],
            "ids": self.ids,
            "padding": self.padding,
            "layers": [self._layer_dict(trace, top) for trace in self.traces],
        }
        if self.gradient is not None:
            out["gradient"] = _gradient_dict(self.gradient, self.padding, self.class_names)
        if self.filters:
            out["filters"] = [f.to_dict() for f in self.filters]
        return out

    def _layer_dict(self, trace: RecurrentTrace, top: int) -> dict[str, Any]:
        def steps(values: np.ndarray) -> list[dict[str, Any]]:
            return [{"padding": pad, "values": np.round(row, DIGITS).tolist()}
                    for pad, row in zip(self.padding, values, strict=True)]  # fmt: skip

        return {
            "name": trace.name,
            "kind": trace.kind,
            "direction": trace.direction,
            "units": trace.units,
            "keras_gap": trace.keras_gap,
            "top_units": self.top_units(trace, top),
            "hidden": steps(trace.hidden),
            "gates": {name: steps(values) for name, values in trace.gates.items()},
            "gate_summary": [
                {
                    "gate": g.name,
                    "mean": np.round(g.mean, DIGITS).tolist(),
                    "saturated": np.round(g.saturated, DIGITS).tolist(),
                }
                for g in summarise_gates(trace)
            ],  # fmt: skip
            "reading": self.reading(trace),
        }


def _gradient_dict(reach: GradientReach, padding: list[bool], class_names: list[str]) -> dict[str, Any]:
    names = class_names or [str(i) for i in range(reach.class_index + 1)]
    name = names[reach.class_index] if reach.class_index < len(names) else str(reach.class_index)
    return {
        "class": name,
        "probability": reach.probability,
        "backend": reach.backend,
        "steps": [{"padding": pad, "norm": float(v)} for pad, v in zip(padding, reach.norms, strict=True)],
    }


class Inspector(ExtraViews):
    """A loaded run's model opened up: which views it has, and each view for a sentence."""

    def __init__(self, predictor: Predictor) -> None:
        from seqtui.core.hardware.backend import import_keras

        self.predictor = predictor
        self.model = predictor.model
        self.keras = import_keras()
        self.layers = list(self.model.layers)
        self._taps: Any = None
        self._probe: GradientProbe | None = None
        self._peaks = None
        self._map_taps = None
        self._projections = {}

    @property
    def encoder(self) -> TextEncoder:
        if not isinstance(self.predictor.encoder, TextEncoder):
            raise InspectError(
                f"this run's model reads {self.predictor.encoder.kind}s, not text; {self.views_line()}"
            )
        return self.predictor.encoder

    # -- which views ---------------------------------------------------------------------------------
    @property
    def views(self) -> list[str]:
        """The views this model has a layer for."""
        kinds = {_kind(r) for layer in self.layers for r, _ in _directions(layer)}
        text = isinstance(self.predictor.encoder, TextEncoder)
        has = {
            "states": bool(kinds) and text,
            "gates": bool(kinds & {"LSTM", "GRU"}) and text,
            "gradient": text and any(_kind(layer) == "Embedding" for layer in self.layers),
            "filters": text and any(_kind(layer) == "Conv1D" for layer in self.layers),
            "neighbours": text and any(_kind(layer) == "Embedding" for layer in self.layers),
            "mistakes": self.predictor.task in ("binary", "multiclass"),
            "maps": self.predictor.encoder.kind == "image" and any(_kind(x) == "Conv2D" for x in self.layers),
        }
        return [v for v in VIEWS if has[v]]

    def views_line(self) -> str:
        views = self.views
        return (
            f"this model's views are {', '.join(views)}"
            if views
            else "this model has none of inspect's views"
        )

    def require(self, view: str) -> None:
        """Raise one clear message when the model has no layer for `view`."""
        if view not in VIEWS and view not in PART_OF:
            from seqtui.common.names import suggest

            raise InspectError(f"unknown view {view!r}.{suggest(view, VIEWS)}")
        if PART_OF.get(view, view) not in self.views:
            why = {
                "states": "no recurrent layer (SimpleRNN, LSTM, GRU) reading text",
                "gates": "no LSTM or GRU layer reading text",
                "gradient": "no Embedding layer",
                "filters": "no Conv1D layer reading text",
                "neighbours": "no Embedding layer",
                "mistakes": f"no classes (it is a {self.predictor.task} model)",
                "maps": "no Conv2D layer reading images",
                "units": "no recurrent layer (SimpleRNN, LSTM, GRU) reading text",
                "projection": "no Embedding layer reading text",
            }[view]
            raise InspectError(f"this model has {why}, so it has no {view} view; {self.views_line()}")

    # -- one sentence ---------------------------------------------------------------------------------
    def encode(self, text: str) -> tuple[list[TokenView], np.ndarray, list[bool]]:
        """The sentence's tokens, its padded ids (1, maxlen) and which steps are padding."""
        encoder = self.encoder
        tokens, _ = encoder.view(text)
        ids = encoder.encode([text])
        n, maxlen = len(tokens), encoder.maxlen
        padding = (
            [i < maxlen - n for i in range(maxlen)]
            if encoder.padding == "pre"
            else [i >= n for i in range(maxlen)]
        )
        return tokens, ids, padding

    def inspect(self, text: str, views: tuple[str, ...] | list[str] | None = None) -> TokenInspection:
        """The requested token views (default: every one the model has) for one sentence."""
        wanted = [v for v in (views or self.views) if v in ("states", "gates", "gradient", "filters")]
        for view in wanted:
            self.require(view)
        tokens, ids, padding = self.encode(text)
        traces = self.traces(ids) if {"states", "gates"} & set(wanted) else []
        gradient = self.gradient(ids) if "gradient" in wanted else None
        filters = self.filters(ids, [padding]) if "filters" in wanted else []
        return TokenInspection(
            text, tokens, ids[0].tolist(), padding, traces, gradient, filters, self.predictor.class_names
        )

    def _tapped(self, ids: np.ndarray) -> list[tuple[Any, np.ndarray, np.ndarray]]:
        """(layer, its input, its output) for every recurrent and Conv1D layer, from one compiled forward pass."""
        keras = self.keras
        tapped = [layer for layer in self.layers if _directions(layer) or _kind(layer) == "Conv1D"]
        if self._taps is None:
            outputs = [t for layer in tapped for t in (layer.input, layer.output)]
            self._taps = keras.Model(self.model.inputs, outputs)
        few = len(ids) <= TAP_BATCH  # one sentence: no dataset pipeline, the compiled step only
        values = (
            self._taps.predict_on_batch(ids)
            if few
            else self._taps.predict(ids, batch_size=TAP_BATCH, verbose=0)
        )
        values = values if isinstance(values, list) else [values]
        return [
            (layer, np.asarray(values[2 * n]), np.asarray(values[2 * n + 1]))
            for n, layer in enumerate(tapped)
        ]

    def traces(self, ids: np.ndarray) -> list[RecurrentTrace]:
        """Every recurrent layer's states and gates for one padded sequence (1, steps), recomputed from its
        weights, each with its distance from the Keras layer's own output."""
        out = []
        for layer, x, y in self._tapped(ids):
            directions = _directions(layer)
            if not directions:
                continue
            found = []
            for inner, direction in directions:
                hidden, gates = run_cell(Cell.from_layer(inner), x[0])
                found.append(RecurrentTrace(layer.name, _kind(inner), direction, hidden, gates))
            merged = _merged(
                layer, [_layer_output(inner, t) for (inner, _), t in zip(directions, found, strict=True)]
            )
            gap = float(np.max(np.abs(merged - y[0])))
            out += [RecurrentTrace(t.name, t.kind, t.direction, t.hidden, t.gates, gap) for t in found]
        return out

    def gradient(self, ids: np.ndarray) -> GradientReach:
        """How strongly each step's embedding moves the predicted class's probability."""
        if self._probe is None:
            self._probe = GradientProbe(self.keras, self.model)
        return self._probe.reach(ids)

    def _token_convs(self) -> list[Any]:
        """The Conv1D layers that read the embedded tokens (through dropout only): their windows are n-grams."""
        convs, reading = [], False
        for layer in self.layers:
            kind = _kind(layer)
            if kind == "Embedding":
                reading = True
            elif kind == "Conv1D" and reading:
                convs.append(layer)
            elif kind not in ("Dropout", "SpatialDropout1D"):
                reading = False
        return convs

    def filters(
        self, ids: np.ndarray, padding: list[list[bool]] | None = None, top: int = 3
    ) -> list[FilterWindows]:
        """For each filter of each Conv1D that reads the embedded tokens, the `top` windows of `ids` (n, steps)
        that make it fire hardest (`padding` marks padding steps; default: the ids that are 0)."""
        tok = self.encoder.tokenizer
        pads = np.asarray(padding, dtype=bool) if padding is not None else ids == 0
        convs = self._token_convs()

        def word(i: int) -> str:
            return (tok.decode([i]) or ["<pad>"])[0]

        out: list[FilterWindows] = []
        for layer, _, y in self._tapped(ids):
            if any(layer is c for c in convs):
                out += filter_windows(layer.name, Geometry.of(layer), y, ids, pads, word, top)
        return out

    def validation_filters(self, limit: int = 2000, top: int = 3) -> list[FilterWindows]:
        """`filters` over the first `limit` sequences of the run's validation set (its data read again)."""
        self.require("filters")
        data = rebuilt_data(self.predictor)
        return self.filters(np.asarray(data.x_val[:limit]), top=top)

    def mistakes(self, per_pair: int = 5) -> Mistakes:
        """The test examples the model gets wrong, by (true, predicted), most confident first."""
        self.require("mistakes")
        return find_mistakes(self.predictor, rebuilt_data(self.predictor), per_pair)

    def neighbours(self, word: str, count: int = 10) -> list[Neighbours]:
        """The nearest words by cosine similarity to `word` (to each of its known morphemes in a morpheme run)."""
        self.require("neighbours")
        embedding = next(layer for layer in self.layers if _kind(layer) == "Embedding")
        return nearest_words(np.asarray(embedding.embeddings.numpy()), self.encoder.tokenizer, word, count)
