"""Prediction and evaluation give the right answer: tiny real Keras models whose outputs are known, so a
swapped class, the wrong checkpoint or a wrong error sign shows up as a wrong number."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.common.keras_door import import_keras
from seqtui.core.config.run_config import DataConfig, RunConfig
from seqtui.core.inference.predict import Predictor, _sample
from seqtui.core.runs.folder import BEST, LAST, RunFolder
from seqtui.core.training.evaluation import _evaluate
from seqtui.core.training.session import Session
from seqtui.datasets.base import Dataset, TextEncoder
from seqtui.datasets.errors import DataError
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.tokenizer import Tokenizer

MAXLEN = 4


@pytest.fixture(scope="module")
def keras():
    return import_keras()


def constant_model(keras, inputs: tuple[int, ...], output: float, activation: str | None = None):
    """A real model whose answer is `output` (before the activation) for every input: zero kernel, a bias."""
    layers = [keras.Input(inputs, dtype="int32" if len(inputs) == 1 else "float32")]
    if len(inputs) == 1:
        layers += [keras.layers.Embedding(20, 2), keras.layers.GlobalAveragePooling1D()]
    else:
        layers += [keras.layers.Flatten()]
    bias = keras.initializers.Constant(output)
    layers += [
        keras.layers.Dense(1, activation=activation, kernel_initializer="zeros", bias_initializer=bias)
    ]
    model = keras.Sequential(layers)
    loss = "binary_crossentropy" if activation == "sigmoid" else "mae"
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy" if activation else "mae"])
    return model


def text_encoder() -> TextEncoder:
    return TextEncoder(Tokenizer.fit(["a good film", "a bad film"]), maxlen=MAXLEN)


@pytest.mark.parametrize(("logit", "first"), [(3.0, "positive"), (-3.0, "negative")])
def test_a_binary_model_names_the_class_its_probability_is_for(keras, tmp_path, logit, first):
    """The sigmoid gives P(class 1): class_names[1] gets it, class_names[0] the rest."""
    model = constant_model(keras, (MAXLEN,), logit, "sigmoid")
    predictor = Predictor(RunFolder(tmp_path), model, text_encoder(), "binary", ["negative", "positive"])
    ranked = predictor.classify_texts(["a good film"])[0]
    p_positive = 1 / (1 + np.exp(-logit))
    assert [name for name, _ in ranked][0] == first
    assert dict(ranked) == pytest.approx({"positive": p_positive, "negative": 1 - p_positive}, rel=1e-4)


def test_a_run_without_class_names_calls_its_classes_by_number(keras, tmp_path):
    """A config.json without `class_names` (written by hand, or by an older seqtui): "1" gets P(class 1)."""
    binary = Predictor(RunFolder(tmp_path), constant_model(keras, (MAXLEN,), 3.0, "sigmoid"), text_encoder(),
                       "binary", [])  # fmt: skip
    p = 1 / (1 + np.exp(-3.0))
    assert binary.classify_texts(["a good film"])[0] == [("1", pytest.approx(p)), ("0", pytest.approx(1 - p))]


def test_the_test_metrics_are_the_best_checkpoints_not_the_last(keras, tmp_path):
    """model.keras (best epoch) says class 1, the model in memory (last epoch) says class 0; the test set is
    all class 1: the best checkpoint scores 1.0, the last one 0.0."""
    folder = RunFolder.create(tmp_path, "eval")
    best, last = (
        constant_model(keras, (MAXLEN,), 3.0, "sigmoid"),
        constant_model(keras, (MAXLEN,), -3.0, "sigmoid"),
    )
    folder.save_model(best, BEST)
    folder.save_model(last, LAST)
    x = np.ones((6, MAXLEN), dtype="int32")
    y = np.ones(6, dtype="int32")
    data = Dataset("t", "binary", "tokens", x, y, x, y, x, y, text_encoder(), ["negative", "positive"])
    session = Session(RunConfig(), folder, data, last, [], 1, hardware=None)  # evaluation needs none
    metrics, confusion = _evaluate(keras, session, 8, current_is_best=False)
    assert metrics["accuracy"] == 1.0 and confusion == [[0, 0], [0, 6]]
    metrics, confusion = _evaluate(keras, session, 8, current_is_best=True)  # the last epoch was the best
    assert metrics["accuracy"] == 0.0 and confusion == [[0, 0], [6, 0]]


def test_the_forecast_error_is_the_mean_absolute_distance_in_the_series_units(keras, tmp_path):
    """A model that always forecasts 5.0 (above every value of the sine): its MAE is 5 - mean(real)."""
    config = RunConfig(DataConfig("sequence", lookback=3, step=1, delay=1))
    folder = RunFolder.create(tmp_path, "forecast")
    folder.write_config(config, {"task": "regression"})
    encoder = load_dataset(config.data).encoder
    i = encoder.target_index
    model = constant_model(keras, (3, 1), (5.0 - encoder.mean[i]) / encoder.std[i])
    forecast = Predictor(folder, model, encoder, "regression", []).forecast_test()
    real = np.asarray(forecast.real)
    assert forecast.predicted == pytest.approx([5.0] * len(real), abs=1e-4)
    assert len(real) > 100 and real.max() < 5.0
    assert forecast.mae == pytest.approx(5.0 - real.mean(), abs=1e-4)
    assert forecast.baseline_mae is not None and 0 < forecast.baseline_mae < forecast.mae
    assert forecast.target == encoder.target and forecast.target in encoder.columns
    first = Predictor(folder, model, encoder, "regression", []).forecast_test(limit=37)
    assert first.real == forecast.real[:37] and first.predicted == forecast.predicted[:37]


def test_a_forecast_covers_the_first_2000_test_windows_and_its_baseline_the_same_ones(keras, tmp_path):
    """A series of 10,500 rows has 2,099 test windows (lookback 3, delay 1): the forecast screen shows the
    first 2,000, and 'the model beats the baseline' compares both on those 2,000."""
    rng = np.random.default_rng(0)
    values = np.round(np.cumsum(rng.normal(size=10_500)) + 10 * np.sin(np.arange(10_500) / 50), 3)
    (tmp_path / "walk.csv").write_text("level\n" + "\n".join(map(str, values)))
    config = RunConfig(DataConfig("file", data_path=str(tmp_path / "walk.csv"), lookback=3, step=1, delay=1))
    folder = RunFolder.create(tmp_path, "forecast")
    folder.write_config(config, {"task": "regression"})
    data = load_dataset(config.data)
    encoder = data.encoder
    model = constant_model(keras, (3, 1), (5.0 - encoder.mean[0]) / encoder.std[0])
    forecast = Predictor(folder, model, encoder, "regression", []).forecast_test()
    start = 8400  # 2,100 test rows after 6,720 training and 1,680 validation rows; targets one row later
    assert len(data.x_test) == 2099
    assert forecast.real == pytest.approx(values[start + 1 : start + 2001], abs=1e-4)
    assert forecast.mae == pytest.approx(np.mean(np.abs(values[start + 1 : start + 2001] - 5.0)), abs=1e-4)
    last_seen = values[start : start + 2000]
    assert forecast.baseline_mae == pytest.approx(np.mean(np.abs(forecast.real - last_seen)), abs=1e-4)


def test_generation_continues_with_known_words_only(keras, tmp_path, capsys):
    """The model prefers padding, <oov> and an id past the vocabulary (Dense is wider than the words); the
    text continues with the likeliest real word at temperature 0, and with real words at any temperature."""
    tok = Tokenizer.fit(["the cat sat"])  # the, cat, sat: ids 2, 3, 4
    probs = np.array([0.4, 0.3, 0.02, 0.03, 0.1, 0.0, 0.0, 0.15])
    model = keras.Sequential(
        [keras.Input((MAXLEN,), dtype="int32"), keras.layers.Embedding(20, 2), keras.layers.GlobalAveragePooling1D(),
         keras.layers.Dense(8, activation="softmax", kernel_initializer="zeros",
                            bias_initializer=keras.initializers.Constant(np.log(probs + 1e-9)))]
    )  # fmt: skip
    predictor = Predictor(RunFolder(tmp_path), model, TextEncoder(tok, MAXLEN), "generation", [])
    assert predictor.generate("the", words=3, temperature=0) == "sat sat sat"
    sampled = predictor.generate("the", words=30, temperature=1.0, rng_seed=0).split()
    assert len(sampled) == 30 and set(sampled) <= {"the", "cat", "sat"}
    assert capsys.readouterr().out == ""  # no Keras progress bar per word in the user's output


def chain_model(keras, tok, follows: dict[str, str]):
    """Reads only the last token (pre-padding puts it at the end) and answers the word that follows it."""
    width = tok.vocab_size + 2  # wider than the words, as Dense(vocab_size) can be
    table = np.full((width, width), -20.0, dtype="float32")
    for word, after in follows.items():
        table[tok.word_index[word], tok.word_index[after]] = 5.0
    inputs = keras.Input((MAXLEN,), dtype="int32")
    embedded = keras.layers.Embedding(width, width, embeddings_initializer=keras.initializers.Constant(table))
    last = keras.layers.Lambda(lambda x: x[:, -1, :])(embedded(inputs))
    return keras.Model(inputs, keras.layers.Activation("softmax")(last))


@pytest.mark.parametrize(("split", "seed", "expected"), [("whitespace", "the", "cat sat the cat sat"),
                                                         ("character", "ab", "cabca")])  # fmt: skip
def test_each_generated_token_is_fed_back_and_joined_as_the_model_reads(
    keras, tmp_path, split, seed, expected
):
    """Words join with spaces, characters with nothing; every step reads the text so far, seed included."""
    if split == "whitespace":
        tok, follows = Tokenizer.fit(["the cat sat"]), {"the": "cat", "cat": "sat", "sat": "the"}
    else:
        tok, follows = Tokenizer.fit(["abc"], split="character"), {"a": "b", "b": "c", "c": "a"}
    encoder = TextEncoder(tok, MAXLEN)
    predictor = Predictor(RunFolder(tmp_path), chain_model(keras, tok, follows), encoder, "generation", [])
    assert predictor.generate(seed, words=5, temperature=0) == expected
    assert predictor.joiner == ("" if split == "character" else " ")


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0, float("inf")])
def test_sampling_follows_the_probabilities_sharpened_or_flattened_by_the_temperature(temperature):
    """p_i^(1/T), renormalised over the allowed ids; never a masked id; uniform at T = infinity. An allowed
    id of probability exactly 0 (float32 softmax underflow) is never drawn below infinity."""
    from seqtui.core.inference.predict import _sample

    probs = np.array([0.5, 0.0, 0.1, 0.2, 0.2, 0.0])
    allowed = np.array([False, False, True, True, True, True])  # id 0 is likeliest but masked (padding)
    rng = np.random.default_rng(0)
    counts = np.bincount([_sample(probs, allowed, temperature, rng) for _ in range(20_000)], minlength=6)
    powered = np.where(allowed, probs ** (1 / temperature) if temperature != float("inf") else 1.0, 0.0)
    assert counts[~allowed].sum() == 0
    assert counts / counts.sum() == pytest.approx(powered / powered.sum(), abs=0.015)


def test_a_negative_or_nan_temperature_is_refused():
    from seqtui.core.inference.predict import _sample
    from seqtui.datasets.errors import DataError

    for temperature in (-0.1, float("nan")):
        with pytest.raises(DataError, match="temperature must be 0 or more"):
            _sample(np.ones(3) / 3, np.ones(3, bool), temperature, np.random.default_rng(0))


@pytest.mark.parametrize("temperature", [1000.0, float("inf"), 1.0])
def test_generation_never_samples_padding_or_oov(temperature):
    probs = np.array([0.0, 0.0, 0.5, 0.3, 0.2, 0.0])
    allowed = np.array([False, False, True, True, True, False])
    rng = np.random.default_rng(0)
    picks = {_sample(probs, allowed, temperature, rng) for _ in range(300)}
    assert picks == {2, 3, 4}


def test_nan_temperature_is_refused():
    with pytest.raises(DataError, match="temperature"):
        _sample(np.array([0.5, 0.5]), np.array([True, True]), float("nan"), np.random.default_rng(0))


def test_a_probability_of_exactly_one_half_counts_as_class_0_as_in_keras_accuracy(keras, tmp_path):
    folder = RunFolder.create(tmp_path, "half")
    model = constant_model(keras, (MAXLEN,), 0.0, "sigmoid")  # sigmoid(0) = 0.5 for every input
    x = np.ones((4, MAXLEN), dtype="int32")
    y = np.array([0, 1, 1, 1], dtype="int32")
    data = Dataset("t", "binary", "tokens", x, y, x, y, x, y, text_encoder(), ["negative", "positive"])
    session = Session(RunConfig(), folder, data, model, [], 1, hardware=None)
    metrics, confusion = _evaluate(keras, session, 8, current_is_best=True)
    assert metrics["accuracy"] == 0.25 and confusion == [[1, 0], [3, 0]]  # the matrix agrees with accuracy


def test_only_a_forecasters_run_forecasts(tmp_path):
    predictor = Predictor(
        RunFolder(tmp_path), None, TextEncoder(Tokenizer.fit(["a b"]), MAXLEN), "binary", []
    )
    with pytest.raises(DataError) as info:
        predictor.forecast_test()
    assert str(info.value) == "this run's model is not a forecaster"


def test_only_a_text_generators_run_generates():
    """A text classifier reads text too, but its outputs are classes, not next words."""
    from seqtui.datasets.base import ImageEncoder

    classifier = Predictor(
        RunFolder("."), None, TextEncoder(Tokenizer.fit(["a b"]), MAXLEN), "multiclass", []
    )
    odd = Predictor(RunFolder("."), None, ImageEncoder(), "generation", [])  # an edited config.json
    for predictor in (classifier, odd):
        with pytest.raises(DataError, match="this run's model is not a text generator"):
            predictor.generate("a", words=3, temperature=0)


def test_an_image_is_prepared_as_the_runs_training_images_were():
    """The same bright 28x28 picture: a Fashion-MNIST run takes it as it is, a digits run as a dark digit on
    paper (inverted to MNIST's white on black); a text run refuses it."""
    from seqtui.datasets.base import ImageEncoder

    picture = np.full((28, 28), 230, dtype="uint8")
    picture[6:22, 12:16] = 20
    plain, digit = (
        Predictor(RunFolder("."), None, ImageEncoder(preparation=p), "multiclass", [])
        for p in ("plain", "digit")
    )
    assert np.array_equal(plain.prepare_image(picture).pixels, picture)
    inverted = digit.prepare_image(picture).pixels
    assert inverted[0, 0] == 0 and inverted[14, 14] > 150
    text = Predictor(RunFolder("."), None, text_encoder(), "multiclass", [])
    with pytest.raises(DataError, match="does not read images"):
        text.prepare_image(picture)
