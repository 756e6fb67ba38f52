"""Load a run folder and predict with it: text classes, digits, forecasts and generated text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqtui.core.hardware.backend import import_keras
from seqtui.core.inference.explain import (
    ImageExplanation,
    Occlusion,
    TextExplanation,
    explain_image,
    explain_text,
)
from seqtui.core.model.saved_checks import TASKS, model_mismatch
from seqtui.core.runs.folder import CONFIG, ENCODER, RunFolder, RunFolderError
from seqtui.datasets.base import Encoder, ImageEncoder, SeriesEncoder, TextEncoder, encoder_from_dict
from seqtui.datasets.errors import DataError
from seqtui.datasets.images import Prepared, preparation_for, prepare
from seqtui.datasets.tokenizer import pad


def _sample(probs: np.ndarray, allowed: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """The next id: the likeliest at temperature 0, uniform over the allowed ids at infinity; sampling
    only ever picks an allowed id (a high temperature flattens the others' zeros, so they are masked after)."""
    if math.isnan(temperature) or temperature < 0:
        raise DataError(f"temperature must be 0 or more (got {temperature})")
    if temperature == 0:
        return int(probs.argmax())
    logits = np.where(allowed, np.log(probs + 1e-12) / temperature, -np.inf)  # all 0 at infinity: uniform
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return int(rng.choice(len(p), p=p))


def _analyser_notes(encoder: Encoder) -> list[str]:
    """A morpheme run needs its analyser: refuse to load without it (before Keras loads), note a version
    change."""
    if not isinstance(encoder, TextEncoder) or encoder.tokenizer.split != "morpheme":
        return []
    from seqtui.datasets.morphemes import check_saved

    note = check_saved(encoder.tokenizer.analyser)
    return [note] if note else []


def _recorded_preparation(encoder: Encoder, config: dict[str, Any]) -> None:
    """A run saved before its image encoder recorded how its images were prepared: inferred from its dataset
    (mnist and digits were MNIST's digits, anything else plain pictures), so old runs keep predicting."""
    if isinstance(encoder, ImageEncoder) and encoder.preparation is None:
        data = config.get("data") if isinstance(config.get("data"), dict) else {}
        encoder.preparation = preparation_for(str(data.get("dataset", "")), data.get("data_path"))


def _check_reads(encoder: Encoder, task: str, reads: str | None) -> None:
    """Refuse input the run's model cannot read, from its saved files alone (before Keras loads): `reads` is
    "text" (sentences or seeds), "image", or None (no check)."""
    if reads == "text" and not isinstance(encoder, TextEncoder):
        if task == "regression":
            raise DataError(
                "this run's model is a regression model, not a text classifier: a forecaster reads windows of "
                "its own series, not sentences (nor lines of --input). See its forecasts against the real "
                "series with: seqtui predict RUN --forecast (or in the app: Runs, then p)"
            )
        raise DataError("this run's model reads images, not text; give --image FILE (or a folder of images)")
    if reads == "image" and not isinstance(encoder, ImageEncoder):
        raise DataError("this run's model does not read images; train an image model (digits, mnist...)")


@dataclass
class Forecast:
    """Real values against the model's forecasts over the test windows, in the series' own units."""

    real: list[float]
    predicted: list[float]
    mae: float
    """Mean absolute error of the forecasts, in the series' units."""
    baseline_mae: float | None = None
    """The same for the naive forecast 'the target equals the last value seen', when the data has one."""
    target: str = "value"
    unit: str = ""
    """The series' unit when the data names it ("°F"); "" when unknown."""


def classes_json(ranked: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """Ranked classes as `predict --json` prints them, for text and images alike."""
    return [{"name": name, "p": round(p, 6)} for name, p in ranked]


@dataclass
class Predictor:
    """A trained model with the encoder and class names it was trained with."""

    folder: RunFolder
    model: Any
    encoder: Encoder
    task: str
    class_names: list[str]
    notes: list[str] = field(default_factory=list)
    """Warnings about loading, e.g. another version of the morpheme analyser than the run's."""

    @classmethod
    def load(
        cls,
        run: str | Path,
        backend: str | None = None,
        runs_dir: str | Path | None = None,
        reads: str | None = None,
    ) -> Predictor:
        """The run's best model (else its last) with its encoder; `run` is a path or a name under runs_dir.
        With `reads` ("text" or "image"), a model that reads something else is refused before Keras loads."""
        folder = RunFolder.open(run, runs_dir)
        config = folder.read_json(CONFIG)
        task, class_names = config.get("task"), config.get("class_names", [])
        if task not in TASKS:
            held = "no task" if task is None else f"task={str(task)[:40]!r}"
            raise RunFolderError(
                f"{folder.file(CONFIG)} holds {held}, not one of {', '.join(TASKS)}; the run folder is damaged"
            )
        if not isinstance(class_names, list) or not all(isinstance(c, str) for c in class_names):
            raise RunFolderError(
                f"{folder.file(CONFIG)} holds class_names={str(class_names)[:60]!r}, not a list of names; "
                "the run folder is damaged"
            )
        checkpoint, raw = folder.model_and_encoder()
        try:
            encoder = encoder_from_dict(raw)
        except DataError as exc:
            raise RunFolderError(f"{folder.file(ENCODER)} holds {exc}; the run folder is damaged") from None
        _check_reads(encoder, task, reads)
        notes = _analyser_notes(encoder)
        _recorded_preparation(encoder, config)
        keras = import_keras(backend)
        model = folder.load_model(checkpoint.name, keras)
        problem = model_mismatch(model, encoder, task, class_names)
        if problem:
            raise RunFolderError(
                f"{checkpoint} does not fit its run folder: {problem}. config.json or encoder.json was edited, "
                "or the model comes from another run; train a new run"
            )
        return cls(folder, model, encoder, task, class_names, notes)

    def _ranked(self, probs: np.ndarray) -> list[tuple[str, float]]:
        if self.task == "binary":
            p = float(probs[0])
            names = self.class_names or ["0", "1"]
            pairs = [(names[1], p), (names[0], 1.0 - p)]
        else:
            names = self.class_names or [str(i) for i in range(len(probs))]
            pairs = [(names[i] if i < len(names) else str(i), float(v)) for i, v in enumerate(probs)]
        return sorted(pairs, key=lambda kv: -kv[1])

    def classify_texts(self, texts: list[str]) -> list[list[tuple[str, float]]]:
        """Class names with probabilities, most likely first, for each raw text."""
        if not isinstance(self.encoder, TextEncoder) or self.task not in ("binary", "multiclass"):
            raise DataError(f"this run's model is a {self.task} model, not a text classifier")
        probs = self.model.predict(self.encoder.encode(texts), verbose=0)
        return [self._ranked(row) for row in probs]

    def explain_texts(self, texts: list[str]) -> list[dict[str, Any]]:
        """Per text: the tokens the model saw (morphemes for a morpheme run; unknown ones `known: false`),
        how many maxlen cut off, and the classes with probabilities: what `predict --json` prints."""
        assert isinstance(self.encoder, TextEncoder)
        empty = "no tokens left after standardising: the model sees padding only"
        out = []
        for text, ranked in zip(texts, self.classify_texts(texts), strict=True):
            tokens, cut = self.encoder.view(text)
            out.append(
                {
                    "text": text,
                    "tokens": [{"text": t.text, "id": t.id, "known": t.known} for t in tokens],
                    "unknown": sum(not t.known for t in tokens),
                    "cut": cut,
                    "note": None if tokens else empty,
                    "classes": classes_json(ranked),
                }
            )
        return out

    def classify_image(self, digit: np.ndarray) -> list[tuple[str, float]]:
        """Class probabilities for a 28x28 image prepared as the training images were (`prepare_image`)."""
        return self.classify_images(digit[None])[0]

    def classify_images(self, images: np.ndarray) -> list[list[tuple[str, float]]]:
        """Class probabilities for each of a batch of prepared 28x28 images, in one forward pass."""
        self._reads_images()
        assert isinstance(self.encoder, ImageEncoder)
        probs = self.model.predict(self.encoder.encode(images), batch_size=256, verbose=0)
        return [self._ranked(row) for row in probs]

    def prepare_image(self, image: np.ndarray) -> Prepared:
        """A greyscale image of any size made into what this run's model trained on: MNIST's preparation for
        a digit model (unless it is already in MNIST's form), a resize only for any other image model."""
        self._reads_images()
        assert isinstance(self.encoder, ImageEncoder)
        return prepare(image, self.encoder.preparation or "plain")

    def _reads_images(self) -> None:
        if not isinstance(self.encoder, ImageEncoder):
            raise DataError("this run's model does not read images; train an image model (digits, mnist...)")

    def predict_batch(self, x: np.ndarray) -> np.ndarray:
        """Raw model outputs for a batch, in one forward pass (what occlusion explanations call)."""
        return np.asarray(self.model.predict(x, batch_size=max(1, len(x)), verbose=0))

    def _explainable(self, kind: type) -> None:
        if self.task not in ("binary", "multiclass"):
            what = {"generation": "text generator", "regression": "forecaster"}[self.task]
            raise DataError(
                f"this run's model is a {what}; --explain explains classifiers (text or digits) only"
            )
        if not isinstance(self.encoder, kind):
            wanted = "text" if kind is TextEncoder else "an image (--image FILE)"
            raise DataError(f"this run's model does not read {wanted}; explain what it was trained on")

    def explain_text(
        self, text: str, target: str | None = None, method: Occlusion = "oov"
    ) -> TextExplanation:
        """Each token's importance for the predicted (or `target`) class, and the prefix curve."""
        self._explainable(TextEncoder)
        assert isinstance(self.encoder, TextEncoder)
        return explain_text(self.predict_batch, self.encoder, text, self.class_names, target, method)

    def explain_image(self, digit: np.ndarray, target: str | None = None) -> ImageExplanation:
        """A 28x28 heat map of the pixels that pushed the predicted (or `target`) class, for a digit prepared as
        `classify_image` takes it."""
        self._explainable(ImageEncoder)
        assert isinstance(self.encoder, ImageEncoder)
        return explain_image(self.predict_batch, self.encoder, digit, self.class_names, target)

    def generate(self, seed: str, words: int, temperature: float, rng_seed: int | None = None) -> str:
        """Continue a seed text word by word, sampling with a temperature (0 = always the likeliest)."""
        if self.task != "generation" or not isinstance(self.encoder, TextEncoder):
            raise DataError("this run's model is not a text generator")
        tok = self.encoder.tokenizer
        ids = tok.encode(seed)
        rng = np.random.default_rng(rng_seed)
        out: list[str] = []
        for _ in range(words):
            x = pad([ids], self.encoder.maxlen, self.encoder.padding, self.encoder.truncating)
            probs = np.asarray(self.model.predict(x, verbose=0)[0], dtype="float64")
            allowed = np.zeros(len(probs), dtype=bool)
            allowed[tok.first_word_id : tok.vocab_size] = True  # never padding, <oov>, or ids the text never
            probs[~allowed] = 0.0  # had (Dense(vocab_size) is wider)
            if probs.sum() <= 0:
                break
            nxt = _sample(probs, allowed, temperature, rng)
            ids.append(nxt)
            out += tok.decode([nxt])
        return self.joiner.join(out)

    @property
    def joiner(self) -> str:
        """What goes between generated tokens, and between a seed and its continuation: nothing for a
        character-level model, a space for a word-level one."""
        if isinstance(self.encoder, TextEncoder) and self.encoder.tokenizer.split == "character":
            return ""
        return " "

    def forecast_test(self, limit: int = 2000) -> Forecast:
        """Forecasts over the first `limit` test windows of the run's own data (read again), with their MAE
        against the real values and the naive baseline's on the same windows."""
        from seqtui.datasets.registry import load_dataset

        if not isinstance(self.encoder, SeriesEncoder):
            raise DataError("this run's model is not a forecaster")
        data = load_dataset(self.folder.read_config().data)
        x, y = data.x_test[:limit], data.y_test[:limit]
        predicted = self.encoder.denormalize_target(self.model.predict(x, verbose=0)[:, 0])
        real = self.encoder.denormalize_target(y)
        # the baseline's forecast: a window's last row, the "now" of "tomorrow equals now"
        last_seen = self.encoder.denormalize_target(x[:, -1, self.encoder.target_index])
        mae, baseline = (
            (float(np.mean(np.abs(real - predicted))), float(np.mean(np.abs(real - last_seen))))
            if len(real)
            else (float("nan"), None)
        )
        if "test_mae" not in data.baseline:  # a series with no "now" to repeat (the adding problem)
            baseline = None
        return Forecast(
            [float(v) for v in real], [float(v) for v in predicted], mae, baseline, self.encoder.target,
            getattr(self.encoder, "unit", ""),
        )  # fmt: skip
