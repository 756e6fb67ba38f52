"""What the Predict screen asks of a trained run, and the engine's answer (a thin layer over Predictor).

The screen only sees `PredictSession`, so tests can hand it a fake without TensorFlow.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from seqtui.tui.widgets.token_strip import TokenInfo

if TYPE_CHECKING:
    from seqtui.core.inference.explain import ImageExplanation, TextExplanation
    from seqtui.core.inference.first_mistake import Missed
    from seqtui.core.inference.inspect import Inspector, TokenInspection
    from seqtui.core.inference.inspect_embeddings import Neighbours
    from seqtui.core.inference.inspect_images import FeatureMap
    from seqtui.core.inference.inspect_mistakes import TestAnswers
    from seqtui.core.inference.inspect_projection import Projection
    from seqtui.core.inference.inspect_units import UnitFragments, UnitRef
    from seqtui.core.inference.predict import Forecast, Predictor

Mode = Literal["text", "digits", "series", "generation"]
TOKEN_VIEWS = ("states", "gates", "gradient")
"""The inspect views that read one sentence token by token."""
Ranked = list[tuple[str, float]]


class PredictSession(Protocol):
    run_dir: Path
    mode: Mode
    class_names: list[str]
    joiner: str
    """Between a seed and its continuation: nothing for character-level models, a space otherwise."""

    def classify_text(self, text: str) -> Ranked: ...

    def tokens(self, text: str) -> TokenInfo: ...

    def classify_image(self, pixels: np.ndarray) -> tuple[Ranked, np.ndarray]:
        """Probabilities for a drawn digit, and the 28x28 image after MNIST's preprocessing."""
        ...

    def explain_text(self, text: str) -> TextExplanation:
        """Each token's importance for the predicted class, and the prefix curve."""
        ...

    def explain_image(self, prepared: np.ndarray) -> ImageExplanation:
        """A heat map over the prepared 28x28 digit of what pushed the predicted class."""
        ...

    def generate(self, seed: str, words: int, temperature: float) -> str: ...

    def forecast(self) -> Forecast: ...

    def inspect_views(self) -> list[str]:
        """The views of `seqtui inspect` this model has a layer for (states, gates, gradient, ...)."""
        ...

    def warm_up(self) -> None:
        """Open the model up once (the first inspection compiles: seconds), so later views answer at once."""
        ...

    def inspect(self, text: str, views: tuple[str, ...]) -> TokenInspection:
        """The token views (states, gates, gradient) of one sentence; InspectError for a view the model lacks."""
        ...

    def neighbours(self, word: str) -> list[Neighbours]:
        """The nearest words of `word` by embedding cosine; UnknownName with close matches for an unknown word."""
        ...

    def unit_fragments(self, ref: UnitRef) -> UnitFragments:
        """The validation fragments where a hidden unit peaks (the first call reads the validation set)."""
        ...

    def projection(self) -> Projection:
        """The most frequent words on the embedding's 2-D PCA, each marked by the class it pushes toward."""
        ...

    def feature_maps(self, prepared: np.ndarray) -> list[FeatureMap]:
        """The output of each Conv2D and pooling layer for a prepared 28x28 digit."""
        ...

    def test_answers(self) -> TestAnswers:
        """The model's answer on every example of the run's test split, rebuilt as it trained (seconds:
        call it in a worker); InspectError when the split can't be rebuilt."""
        ...

    def first_mistake(self) -> Missed:
        """The first validation example the model gets wrong (seconds: call it in a worker), to pin as a
        probe; InspectError when there is none or the split can't be rebuilt."""
        ...


def mode_of(task: str, encoder_kind: str) -> Mode:
    if task == "generation":
        return "generation"
    return {"image": "digits", "series": "series"}.get(encoder_kind, "text")  # type: ignore[return-value]


class EngineSession:
    """A `PredictSession` over seqtui.core.inference.predict.Predictor (load it in a thread worker)."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self.run_dir = predictor.folder.path
        self.class_names = predictor.class_names
        self.mode = mode_of(predictor.task, predictor.encoder.kind)
        self.joiner = predictor.joiner
        self._inspector: Inspector | None = None
        self._inspector_lock = threading.Lock()
        self._inspect_lock = threading.Lock()

    @classmethod
    def load(cls, run_dir: Path) -> EngineSession:
        from seqtui.core.inference.predict import Predictor

        return cls(Predictor.load(run_dir))

    def classify_text(self, text: str) -> Ranked:
        return self.predictor.classify_texts([text])[0]

    def tokens(self, text: str) -> TokenInfo:
        enc = self.predictor.encoder
        tokens, cut = enc.view(text)  # type: ignore[union-attr]
        return TokenInfo(tokens, cut, enc.maxlen, enc.padding, enc.truncating)  # type: ignore[union-attr]

    def classify_image(self, pixels: np.ndarray) -> tuple[Ranked, np.ndarray]:
        from seqtui.datasets.images import mnist_like

        prepared = mnist_like(pixels, invert=False)
        return self.predictor.classify_image(prepared), prepared

    def explain_text(self, text: str) -> TextExplanation:
        return self.predictor.explain_text(text)

    def explain_image(self, prepared: np.ndarray) -> ImageExplanation:
        return self.predictor.explain_image(prepared)

    def generate(self, seed: str, words: int, temperature: float) -> str:
        return self.predictor.generate(seed, words, temperature)

    def forecast(self) -> Forecast:
        return self.predictor.forecast_test()

    @property
    def inspector(self) -> Inspector:
        """One Inspector per loaded run (it keeps the compiled taps and gradient), built on first use."""
        with self._inspector_lock:
            if self._inspector is None:
                from seqtui.core.inference.inspect import Inspector

                self._inspector = Inspector(self.predictor)
            return self._inspector

    def inspect_views(self) -> list[str]:
        return self.inspector.views if self.mode == "text" else []

    def warm_up(self) -> None:
        views = tuple(v for v in self.inspect_views() if v in TOKEN_VIEWS)
        if views:
            words = self.predictor.encoder.tokenizer.word_index  # type: ignore[union-attr]
            self.inspect(" ".join(list(words)[:3]), views)

    def inspect(self, text: str, views: tuple[str, ...]) -> TokenInspection:
        with self._inspect_lock:  # one Keras call at a time: the warm-up and a keystroke may overlap
            return self.inspector.inspect(text, views)

    def neighbours(self, word: str) -> list[Neighbours]:
        return self.inspector.neighbours(word, count=10)

    def unit_fragments(self, ref: UnitRef) -> UnitFragments:
        with self._inspect_lock:
            return self.inspector.unit_fragments(ref)

    def projection(self) -> Projection:
        with self._inspect_lock:
            return self.inspector.projection()

    def feature_maps(self, prepared: np.ndarray) -> list[FeatureMap]:
        with self._inspect_lock:
            return self.inspector.feature_maps(prepared)

    def test_answers(self) -> TestAnswers:
        from seqtui.core.inference.inspect_mistakes import answer_test, rebuilt_data

        with self._inspect_lock:
            return answer_test(self.predictor, rebuilt_data(self.predictor))

    def first_mistake(self) -> Missed:
        from seqtui.core.inference.first_mistake import first_validation_mistake

        with self._inspect_lock:
            return first_validation_mistake(self.predictor)


def generation_unit(run_dir: Path) -> str:
    """'characters' for a model that reads and writes characters, else 'words'."""
    from seqtui.core.runs.folder import RunFolder, RunFolderError

    try:
        split = RunFolder(run_dir).read_json("config.json").get("data", {}).get("split")
    except RunFolderError:
        return "words"
    return "characters" if split == "character" else "words"


def runs_with_models(root: Path) -> list[tuple[str, str]]:
    """The runs a model can be loaded from, as the run picker lists them: (label, folder)."""
    from seqtui.core.runs.folder import has_model
    from seqtui.core.runs.listing import list_runs

    rows = [r for r in list_runs(root) if has_model(r.path)]
    return [(f"{r.path.name} ({r.status})", str(r.path)) for r in rows]
