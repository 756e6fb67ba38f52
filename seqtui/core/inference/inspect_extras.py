"""The views an `Inspector` adds to its token views: one hidden unit and the validation fragments where it
peaks, the embedding's most frequent words on a plane, and a Conv2D model's feature maps for an image.
`Inspector` inherits them; they use what it keeps (its layers, its compiled taps, its encoder)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.inspect_embeddings import vocabulary
from seqtui.core.inference.inspect_images import FeatureMap, map_layers
from seqtui.core.inference.inspect_mistakes import rebuilt_data
from seqtui.core.inference.inspect_projection import COUNT, Projection, alone_ids, class_push, pca_2d
from seqtui.core.inference.inspect_states import directions, kind_of
from seqtui.core.inference.inspect_units import (
    REACH,
    TOP,
    Peaks,
    UnitFragments,
    UnitRef,
    fragments,
    parse_unit,
    peaks,
)

if TYPE_CHECKING:
    from seqtui.core.inference.predict import Predictor
    from seqtui.datasets.base import TextEncoder

PEAK_BATCH = 256
Found = tuple[np.ndarray, np.ndarray, dict[tuple[str, str], Peaks]]


class ExtraViews:
    """A unit's fragments, the projection and the feature maps, on top of `Inspector`."""

    predictor: Predictor
    layers: list[Any]
    keras: Any
    model: Any
    _peaks: Found | None
    _map_taps: Any
    _state_model: Any = None
    _projections: dict[int, Projection]

    encoder: TextEncoder

    def require(self, view: str) -> None: ...  # pragma: no cover - Inspector's

    def _tapped(self, ids: np.ndarray) -> list[tuple[Any, np.ndarray, np.ndarray]]: ...  # pragma: no cover

    # -- one unit ---------------------------------------------------------------------------------
    def unit_layers(self) -> list[tuple[str, str, int]]:
        """Every recurrent layer (each direction) as (name, direction, units)."""
        return [(layer.name, d, int(inner.units)) for layer in self.layers for inner, d in directions(layer)]

    def unit(self, spec: str) -> UnitRef:
        """The unit `LAYER[/backward]:UNIT` names (see `parse_unit`)."""
        self.require("units")
        return parse_unit(spec, self.unit_layers())

    def unit_fragments(
        self, ref: UnitRef, top: int = TOP, reach: int = REACH, limit: int = 1000,
        sequences: np.ndarray | None = None,
    ) -> UnitFragments:  # fmt: skip
        """The fragments where the unit peaks: of the run's validation set (its first `limit` sequences, every
        unit's peaks computed on the first call and kept), or of the padded `sequences` given."""
        self.require("units")
        if sequences is not None:
            found = self.peaks_of(np.asarray(sequences))
        else:
            if self._peaks is None:
                self._peaks = self.peaks_of(np.asarray(rebuilt_data(self.predictor).x_val[:limit]))
            found = self._peaks
        ids, pads, by_layer = found
        tok = self.encoder.tokenizer

        def word(i: int) -> str:
            return (tok.decode([i]) or ["<pad>"])[0]

        if (ref.layer, ref.direction) not in by_layer:
            raise InspectError(
                f"{ref.label} reads steps made by the layers before it (pooled windows), not tokens, so "
                "its peaks name no sentence fragment; its values per step are in the states view"
            )
        best = fragments(by_layer[(ref.layer, ref.direction)], ref.unit, ids, pads, word, top, reach)
        return UnitFragments(ref, best, len(ids))

    def peaks_of(self, ids: np.ndarray) -> Found:
        """Every unit's peak in every sequence of `ids` (n, steps); padding is id 0. The states come from
        `_every_state`, PEAK_BATCH sequences at a time."""
        pads = ids == 0
        model, keys = self._every_state()
        parts: dict[tuple[str, str], list[Peaks]] = {key: [] for key in keys}
        for start in range(0, len(ids), PEAK_BATCH):
            batch = ids[start : start + PEAK_BATCH]
            values = model.predict_on_batch(batch)
            values = values if isinstance(values, list) else [values]
            for key, hidden in zip(keys, values, strict=True):
                if hidden.shape[1] == ids.shape[1]:  # steps that are tokens (not pooled windows)
                    states = np.swapaxes(np.asarray(hidden), 0, 1)
                    parts[key].append(peaks(states, pads[start : start + PEAK_BATCH]))
        joined = {
            key: Peaks(np.concatenate([p.value for p in found]), np.concatenate([p.step for p in found]))
            for key, found in parts.items()
            if found
        }
        return ids, pads, joined

    def _every_state(self) -> tuple[Any, list[tuple[str, str]]]:
        """A model of every recurrent layer's states at every step: each layer (each direction) has a twin with
        the same config and weights but `return_sequences=True`, reading the layer's own input; a backward
        twin's states are flipped so row t is the state after reading token t (as `run_cell` indexes them).
        Keras computes them in float32, far faster than the NumPy recurrence over a whole validation set."""
        if self._state_model is None:
            keras = self.keras
            outputs, keys = [], []
            for layer in self.layers:
                for inner, direction in directions(layer):
                    config = {**inner.get_config(), "return_sequences": True, "return_state": False}
                    config.pop("name", None)
                    twin = type(inner).from_config(config)
                    states = twin(layer.input)
                    twin.set_weights(inner.get_weights())
                    outputs.append(keras.ops.flip(states, axis=1) if inner.go_backwards else states)
                    keys.append((layer.name, direction))
            self._state_model = (keras.Model(self.model.inputs, outputs), keys)
        return self._state_model

    # -- the embedding's plane ----------------------------------------------------------------------
    def projection(self, count: int = COUNT) -> Projection:
        """The `count` most frequent words on the embedding's first two principal components, each with the
        class it pushes toward (see `inspect_projection`)."""
        self.require("projection")
        if count not in self._projections:
            self._projections[count] = self._project(count)
        return self._projections[count]

    def _project(self, count: int) -> Projection:
        embedding = next(layer for layer in self.layers if kind_of(layer) == "Embedding")
        matrix = np.asarray(embedding.embeddings.numpy())
        encoder = self.encoder
        chosen = sorted(vocabulary(encoder.tokenizer, len(matrix)).items(), key=lambda item: item[1])[:count]
        ids = [i for _, i in chosen]
        coords, explained = pca_2d(matrix[ids])
        words = [w for w, _ in chosen]
        if self.predictor.task not in ("binary", "multiclass"):
            return Projection(words, ids, coords, explained)
        probs = np.asarray(self.model.predict_on_batch(alone_ids(ids, encoder.maxlen, encoder.padding)))
        classes, push = class_push(probs[:-1], probs[-1])
        return Projection(words, ids, coords, explained, [int(c) for c in classes], [float(p) for p in push],
                          list(self.predictor.class_names))  # fmt: skip

    # -- Conv2D feature maps --------------------------------------------------------------------------
    def feature_maps(self, pixels: np.ndarray) -> list[FeatureMap]:
        """The output of every Conv2D and pooling layer for one prepared image (28, 28) uint8."""
        self.require("maps")
        found = map_layers(self.layers)
        if self._map_taps is None:
            self._map_taps = self.keras.Model(self.model.inputs, [layer.output for layer in found])
        values = self._map_taps.predict_on_batch(self.predictor.encoder.encode(np.asarray(pixels)[None]))
        values = values if isinstance(values, list) else [values]
        return [
            FeatureMap(layer.name, kind_of(layer), np.asarray(v)[0])
            for layer, v in zip(found, values, strict=True)
        ]
