"""Real inspection data for the Predict screen's tests, and a prediction session that replays it.

`capture()` builds two tiny real models with seqtui's own builder (a stacked LSTM and a Conv1D, random
weights from a seeded NumPy generator, as tests/core/inference/test_inspect.py does) and asks the real
`Predictor` and `Inspector` about a few sentences: the class probabilities, the occlusion explanation, every
token view, the neighbours of a few words and the message for each view a model has no layer for.
`python -m tests.tui.inspection_capture` writes it to `tests/tui/data/inspection.json`;
`test_inspection_capture.py` checks that the file still equals what the engine computes, so the app's tests
and pictures show the engine's numbers, never made-up ones, and stay free of TensorFlow themselves.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.explain import TextExplanation
from seqtui.core.inference.inspect import TokenInspection
from seqtui.core.inference.inspect_embeddings import Neighbours
from seqtui.core.inference.inspect_gradients import GradientReach
from seqtui.core.inference.inspect_images import FeatureMap
from seqtui.core.inference.inspect_projection import Projection
from seqtui.core.inference.inspect_states import RecurrentTrace
from seqtui.core.inference.inspect_units import Fragment, UnitFragments, UnitRef
from seqtui.datasets.base import TextEncoder
from seqtui.datasets.tokenizer import Tokenizer, TokenView
from tests.tui_fakes import FakeSession

DATA = Path(__file__).parent / "data" / "inspection.json"
CORPUS = [
    "the weather is nice today and the sky is clear",
    "stocks are up today after a long week of losses",
    "hello there how are you my friend",
    "the market fell but the weather stayed warm all week",
    "안녕 오늘 날씨 정말 좋다",
    "주가가 오늘 크게 올랐다",
]
MAXLEN = 20
CLASSES = ["greeting", "weather", "stocks"]
LONG = "the weather is nice today but stocks fell after a long week of losses and the market is not warm"
SHORT = "hello there my friend"
KOREAN = "안녕 오늘 날씨 정말 좋다"
ASKED = {"lstm": [LONG, SHORT, KOREAN], "conv1d": [SHORT]}
WORDS = ["weather", "날씨", "wether"]
MODELS = {
    "lstm": {"arch": "stacked_lstm", "layers": 2, "embedding_dim": 4, "units": 6},
    "conv1d": {"arch": "conv1d", "embedding_dim": 4, "conv_filters": 4, "conv_kernel": 3},
}


def encoder() -> TextEncoder:
    return TextEncoder(Tokenizer.fit(CORPUS), MAXLEN)


# -- capturing (imports Keras) ----------------------------------------------------------------------
def _model(settings: dict[str, Any], vocab: int) -> Any:
    from seqtui.core.config.run_config import ModelConfig
    from seqtui.core.model.architectures import InputSpec, build_model

    model = build_model(ModelConfig(**settings), InputSpec("tokens", (MAXLEN,), vocab), "multiclass", 3)
    rng = np.random.default_rng(0)
    for w in model.weights:  # every weight random, biases included
        w.assign(rng.normal(0, 0.6, tuple(w.shape)).astype("float32"))
    return model


def _sentence(predictor: Any, inspector: Any, text: str) -> dict[str, Any]:
    expl = predictor.explain_text(text)
    views = [v for v in inspector.views if v in ("states", "gates", "gradient")]
    return {
        "ranked": predictor.classify_texts([text])[0],
        "explanation": {
            "class": expl.class_name,
            "probability": expl.probability,
            "importance": list(expl.importance),
            "prefix": list(expl.prefix),
            "prefix_all": [list(p) for p in expl.prefix_all],
        },
        "inspection": inspector.inspect(text, views).to_dict(top=1000),
    }


def _neighbours(inspector: Any, word: str) -> Any:
    from seqtui.common.errors import SeqtuiError

    try:
        return [n.to_dict() for n in inspector.neighbours(word, count=8)]
    except SeqtuiError as e:
        return {"error": e.message}


def _refusals(inspector: Any) -> dict[str, str]:
    out = {}
    for view in ("states", "gates", "gradient", "neighbours", "units", "projection"):
        try:
            inspector.require(view)
        except InspectError as e:
            out[view] = e.message
    return out


def capture() -> dict[str, Any]:
    """What the real engine answers for each model and sentence."""
    from seqtui.core.inference.inspect import Inspector
    from seqtui.core.inference.predict import Predictor
    from seqtui.core.runs.folder import RunFolder

    enc = encoder()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, settings in MODELS.items():
            model = _model(settings, enc.tokenizer.vocab_size)
            predictor = Predictor(RunFolder(Path(tmp)), model, enc, "multiclass", CLASSES)
            inspector = Inspector(predictor)
            out[name] = {
                "views": inspector.views,
                "refusals": _refusals(inspector),
                "sentences": {text: _sentence(predictor, inspector, text) for text in ASKED[name]},
                "neighbours": {word: _neighbours(inspector, word) for word in WORDS}
                if "neighbours" in inspector.views
                else {},
                **_units_and_plane(inspector, enc),
            }
        out["digits"] = _digit_maps(Path(tmp))
    return json.loads(json.dumps(out))  # as the file holds it: tuples become lists


def _units_and_plane(inspector: Any, enc: TextEncoder) -> dict[str, Any]:
    """Every unit's fragments, the corpus standing in for a validation set, and the plane of 20 words."""
    out: dict[str, Any] = {"projection": inspector.projection(count=20).to_dict()}
    if "states" in inspector.views:
        sequences = enc.encode(CORPUS)
        refs = [inspector.unit(f"{n}:{u}") for n, _, units in inspector.unit_layers() for u in range(units)]
        out["units"] = {r.label: inspector.unit_fragments(r, sequences=sequences).to_dict() for r in refs}
    return out


def digit() -> np.ndarray:
    """A drawn 1 (a vertical bar) and a crossbar, as the canvas holds it (28x28, 255 ink)."""
    pixels = np.zeros((28, 28), dtype="uint8")
    pixels[5:23, 12:16] = 255
    pixels[5:8, 8:20] = 255
    return pixels


def _digit_maps(tmp: Path) -> dict[str, Any]:
    """A tiny cnn2d's feature maps for `digit()` as the screen prepares it."""
    from seqtui.core.config.run_config import ModelConfig
    from seqtui.core.inference.inspect import Inspector
    from seqtui.core.inference.predict import Predictor
    from seqtui.core.model.architectures import InputSpec, build_model
    from seqtui.core.runs.folder import RunFolder
    from seqtui.datasets.base import ImageEncoder
    from seqtui.datasets.images import mnist_like

    model = build_model(ModelConfig("cnn2d", conv_filters=4, dense_units=8), InputSpec("image", (28, 28, 1)),
                        "multiclass", 10)  # fmt: skip
    rng = np.random.default_rng(1)
    for w in model.weights:
        w.assign(rng.normal(0, 0.3, tuple(w.shape)).astype("float32"))
    predictor = Predictor(RunFolder(tmp), model, ImageEncoder(), "multiclass", [str(d) for d in range(10)])
    prepared = mnist_like(digit(), invert=False)
    return {"maps": [m.to_dict() for m in Inspector(predictor).feature_maps(prepared)]}


# -- replaying (no Keras) ---------------------------------------------------------------------------
def load() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def inspection_of(text: str, data: dict[str, Any]) -> TokenInspection:
    """A TokenInspection rebuilt from its `to_dict` (every step's values are in it)."""
    tokens = [TokenView(t["text"], t["id"], t["known"]) for t in data["tokens"]]
    traces = [
        RecurrentTrace(
            layer["name"],
            layer["kind"],
            layer["direction"],
            np.array([s["values"] for s in layer["hidden"]]),
            {g: np.array([s["values"] for s in steps]) for g, steps in layer["gates"].items()},
            layer["keras_gap"],
        )
        for layer in data["layers"]
    ]
    gradient = None
    if "gradient" in data:
        g = data["gradient"]
        norms = np.array([s["norm"] for s in g["steps"]])
        gradient = GradientReach(CLASSES.index(g["class"]), g["probability"], norms, g["backend"])
    return TokenInspection(text, tokens, data["ids"], data["padding"], traces, gradient, [], CLASSES)


class CapturedSession(FakeSession):
    """A text PredictSession that answers with what the real engine answered for `model` (one of MODELS)."""

    def __init__(self, model: str = "lstm", run_dir: Path = Path("runs/fake")) -> None:
        super().__init__("text", run_dir)
        self.encoder = encoder()
        self.data = load()[model]
        self.asked: list[tuple[str, tuple[str, ...]]] = []
        self.warmed = 0

    def _answer(self, text: str) -> dict[str, Any]:
        if text not in self.data["sentences"]:
            raise KeyError(f"no captured answer for {text!r}")
        return self.data["sentences"][text]

    def classify_text(self, text: str) -> list[tuple[str, float]]:
        self.texts.append(text)
        return [(name, p) for name, p in self._answer(text)["ranked"]]

    def explain_text(self, text: str) -> TextExplanation:
        e = self._answer(text)["explanation"]
        tokens, _ = self.encoder.view(text)
        return TextExplanation(
            tokens, e["class"], e["probability"], e["importance"], e["prefix"], e["prefix_all"]
        )

    def inspect_views(self) -> list[str]:
        return list(self.data["views"])

    def warm_up(self) -> None:
        self.warmed += 1

    def inspect(self, text: str, views: tuple[str, ...]) -> TokenInspection:
        self.asked.append((text, tuple(views)))
        for view in views:
            if view in self.data["refusals"]:
                raise InspectError(self.data["refusals"][view])
        return inspection_of(text, self._answer(text)["inspection"])

    def neighbours(self, word: str) -> list[Neighbours]:
        if "neighbours" in self.data["refusals"]:
            raise InspectError(self.data["refusals"]["neighbours"])
        found = self.data["neighbours"].get(word)
        if found is None:
            raise KeyError(f"no captured neighbours for {word!r}")
        if isinstance(found, dict):
            from seqtui.common.names import UnknownName

            raise UnknownName(found["error"])
        return [
            Neighbours(n["word"], n["id"], [(w["word"], w["cosine"]) for w in n["nearest"]]) for n in found
        ]

    def unit_fragments(self, ref: UnitRef) -> UnitFragments:
        found = self.data["units"][ref.label]
        fragments = [
            Fragment(f["tokens"], f["peak"], f["value"], f["row"], f["step"]) for f in found["fragments"]
        ]
        return UnitFragments(ref, fragments, found["rows_read"])

    def projection(self) -> Projection:
        found = self.data["projection"]
        words = found["words"]
        return Projection([w["word"] for w in words], [w["id"] for w in words],
                          np.array([[w["x"], w["y"]] for w in words]), np.array(found["explained"]),
                          [CLASSES.index(w["class"]) for w in words], [w["push"] for w in words], CLASSES)  # fmt: skip


def maps_of(data: list[dict[str, Any]]) -> list[FeatureMap]:
    return [FeatureMap(m["layer"], m["kind"], np.array(m["values"])) for m in data]


class CapturedDigits(FakeSession):
    """A digits PredictSession whose feature maps are what the real engine computed for `digit()`."""

    def __init__(self, run_dir: Path = Path("runs/fake")) -> None:
        super().__init__("digits", run_dir)
        self.maps = maps_of(load()["digits"]["maps"])
        self.asked_maps: list[np.ndarray] = []

    def feature_maps(self, prepared: np.ndarray) -> list[FeatureMap]:
        self.asked_maps.append(prepared)
        return self.maps


if __name__ == "__main__":
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(capture(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {DATA}")
