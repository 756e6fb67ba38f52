"""Explanations against models whose answer provably depends on one token or one region: weights set by
hand (exact numbers), a real recurrent model trained on a rule, and batching checked against one-by-one."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.core.inference.explain import class_probabilities, explain_image, explain_text
from seqtui.datasets.base import ImageEncoder, TextEncoder
from seqtui.datasets.tokenizer import Tokenizer, pad

CLASSES = ["other", "day"]


def day_word_model(keras, vocab: int, day_id: int, maxlen: int):
    """Binary: sigmoid(4 * [the day word is present] - 2); no other token can move the answer."""
    inputs = keras.Input((maxlen,), dtype="int32")
    x = keras.layers.Embedding(vocab, 1)(inputs)
    x = keras.layers.GlobalMaxPooling1D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    table = np.zeros((vocab, 1), dtype="float32")
    table[day_id] = 4.0
    model.layers[1].set_weights([table])
    model.layers[3].set_weights([np.ones((1, 1), "float32"), np.array([-2.0], "float32")])
    return model


def sigmoid(v: float) -> float:
    return 1 / (1 + np.exp(-v))


def test_only_the_deciding_token_matters_with_exact_numbers():
    import keras

    tok = Tokenizer.fit(["오늘 주가가 어때", "어제 날씨 좋다"], standardize="hangul")
    encoder = TextEncoder(tok, maxlen=8)
    model = day_word_model(keras, tok.vocab_size, tok.token_id("오늘"), 8)
    predict = lambda x: model.predict(x, verbose=0)  # noqa: E731

    expl = explain_text(predict, encoder, "어제 주가가 오늘 어때?", CLASSES)
    assert [t.text for t in expl.tokens] == ["어제", "주가가", "오늘", "어때"]
    assert expl.class_name == "day" and expl.probability == pytest.approx(sigmoid(2), abs=1e-5)
    assert expl.importance == pytest.approx([0, 0, 4.0, 0], abs=1e-4)  # log-odds 2 with the word, -2 without
    # the prefix curve jumps exactly when the day word has been read
    assert expl.prefix == pytest.approx([sigmoid(-2)] * 2 + [sigmoid(2)] * 2, abs=1e-5)
    assert expl.prefix_all[0] == pytest.approx([1 - sigmoid(-2), sigmoid(-2)], abs=1e-5)
    # without the day word the model says "other", and then no token matters
    other = explain_text(predict, encoder, "어제 주가가 어때", CLASSES)
    assert other.class_name == "other" and other.importance == pytest.approx([0, 0, 0], abs=1e-6)
    # explaining a chosen class flips the sign; removing the token instead of OOV agrees here
    against = explain_text(predict, encoder, "오늘 주가가", CLASSES, target="other", method="remove")
    assert against.importance == pytest.approx([-4.0, 0], abs=1e-4)
    with pytest.raises(ValueError, match="unknown class 'night'"):
        explain_text(predict, encoder, "오늘", CLASSES, target="night")


def test_a_trained_lstm_points_at_the_day_word():
    """'오늘 주가가 어때?' vs '어제 주가가 어때?': a real model that tells them apart shows the day matters."""
    import keras

    from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig
    from seqtui.core.model.architectures import InputSpec
    from seqtui.core.model.building import compiled_model

    rng = np.random.default_rng(0)
    fillers = ["주가가", "어때", "날씨", "좋다", "환율은", "뉴스", "정말", "그래서"]
    days = ["오늘", "어제", "none"]  # a third class without a day word: each day word is needed for its class
    texts, labels = [], []
    for _ in range(600):
        words = list(rng.choice(fillers, size=rng.integers(2, 5)))
        label = int(rng.integers(0, 3))
        if label < 2:
            words.insert(int(rng.integers(0, len(words) + 1)), days[label])
        texts.append(" ".join(words))
        labels.append(label)
    tok = Tokenizer.fit(texts, standardize="hangul")
    encoder = TextEncoder(tok, maxlen=8)
    keras.utils.set_random_seed(1)
    config = RunConfig(DataConfig("file", vocab_size=tok.vocab_size, maxlen=8),
                       ModelConfig("lstm", embedding_dim=8, units=8), TrainConfig(learning_rate=0.02))  # fmt: skip
    model = compiled_model(config, InputSpec("tokens", (8,), tok.vocab_size), "multiclass", 3)
    model.fit(encoder.encode(texts), np.array(labels), epochs=10, batch_size=32, verbose=0)
    predict = lambda x: model.predict(x, verbose=0)  # noqa: E731
    for sentence, day in (("오늘 주가가 어때?", "오늘"), ("어제 주가가 어때?", "어제")):
        expl = explain_text(predict, encoder, sentence, days)
        assert expl.class_name == day and expl.probability > 0.9
        ranked = sorted(zip(expl.importance, (t.text for t in expl.tokens), strict=True), reverse=True)
        assert ranked[0][1] == day and ranked[0][0] > 0.3
        assert all(abs(v) < ranked[0][0] / 3 for v, _ in ranked[1:])


@pytest.mark.parametrize("arch", ["mlp", "simple_rnn", "gru", "bilstm", "conv1d", "cnn_lstm"])
def test_batched_occlusion_equals_one_prediction_per_hidden_token(arch):
    from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig
    from seqtui.core.model.architectures import InputSpec
    from seqtui.core.model.building import compiled_model
    from tests.model_helpers import TINY

    words = [f"w{i}" for i in range(28)]
    tok = Tokenizer.fit([" ".join(words)])
    encoder = TextEncoder(tok, maxlen=12)
    config = RunConfig(DataConfig("file", vocab_size=30, maxlen=12), ModelConfig(arch, **TINY))
    model = compiled_model(config, InputSpec("tokens", (12,), 30), "multiclass", 3)
    text = "w3 w17 w5 unknown w9"
    expl = explain_text(lambda x: model.predict(x, verbose=0), encoder, text, ["a", "b", "c"])
    ids = tok.encode(text)
    one = lambda seq: class_probabilities(model.predict(pad([seq], 12), verbose=0))[0]  # noqa: E731
    k = ["a", "b", "c"].index(expl.class_name)
    assert expl.probability == pytest.approx(one(ids)[k], abs=1e-5)
    for i in range(len(ids)):
        hidden = ids[:i] + [tok.oov_id] + ids[i + 1 :]
        odds = lambda p: np.log(p / (1 - p))  # noqa: E731
        assert expl.importance[i] == pytest.approx(odds(one(ids)[k]) - odds(one(hidden)[k]), abs=1e-4)
        assert expl.prefix[i] == pytest.approx(one(ids[: i + 1])[k], abs=1e-5)
    assert expl.importance[3] == 0.0  # the unknown word already is the OOV id


def region_model(keras):
    """Class 1's logit is the ink in the top-left 8x8 square; nothing else reaches the answer."""
    inputs = keras.Input((28, 28, 1))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    weights = np.zeros((28, 28, 2), dtype="float32")
    weights[:8, :8, 1] = 0.01
    model.layers[-1].set_weights([weights.reshape(784, 2), np.zeros(2, "float32")])
    return model


def test_heat_map_lights_up_only_the_deciding_region():
    import keras

    model = region_model(keras)
    image = np.full((28, 28), 255, dtype="uint8")  # ink everywhere: only the region may matter
    expl = explain_image(lambda x: model.predict(x, verbose=0), ImageEncoder(), image, list("01"))
    assert expl.class_name == "1" and expl.heat.shape == (28, 28)
    assert np.all(expl.heat[:8, :8] > 0.001)
    # patches of 4 reach 3 pixels beyond the region; from there on nothing changes the answer
    assert np.abs(expl.heat[11:, :]).max() == 0 and np.abs(expl.heat[:, 11:]).max() == 0
    assert np.unravel_index(expl.heat.argmax(), expl.heat.shape) < (8, 8)


def test_a_pixels_heat_is_the_mean_drop_of_the_patches_that_hide_it():
    """Class 1's probability is the ink share of the 8x8 bottom-right corner: a 4x4 patch at (y, x) lowers
    it by its overlap with the corner / 64, and each pixel's heat averages the patches (stride 2) over it."""

    def corner_ink(x):
        share = x[:, 20:, 20:, 0].mean(axis=(1, 2))
        return np.stack([1 - share, share], axis=1)

    expl = explain_image(corner_ink, ImageEncoder(), np.full((28, 28), 255, "uint8"), list("01"))
    assert expl.class_name == "1" and expl.probability == pytest.approx(1.0)
    assert expl.heat[27, 27] == pytest.approx(16 / 64)  # the one patch in the last corner
    assert expl.heat[24, 24] == pytest.approx(16 / 64)  # four patches, all inside
    assert expl.heat[20, 20] == pytest.approx((4 + 8 + 8 + 16) / 4 / 64)  # patches at 18 and 20 each way
    assert expl.heat[18, 18] == pytest.approx(4 / 4 / 64)  # of 4 patches only (18, 18) reaches the corner
    assert expl.heat[5, 5] == 0.0


def test_a_loaded_image_model_explains_under_its_own_class_names(tmp_path):
    """Fashion-MNIST's classes are names, not digits: the heat map is for the class the run calls it."""
    import keras

    from seqtui.core.inference.predict import Predictor
    from seqtui.core.runs.folder import RunFolder

    predictor = Predictor(
        RunFolder(tmp_path), region_model(keras), ImageEncoder(), "multiclass", ["Coat", "Bag"]
    )
    image = np.full((28, 28), 255, dtype="uint8")
    assert predictor.classify_image(image)[0][0] == "Bag"
    assert predictor.explain_image(image).class_name == "Bag"
    assert predictor.explain_image(image, target="Coat").class_name == "Coat"


def test_a_200_token_sentence_is_explained_in_one_batched_prediction():
    """What keeps an explanation fast (well under a second for 200 tokens on a CPU: docs/performance.md) is
    that every occlusion and every prefix goes through the model in one batch, not a call per token."""
    from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig
    from seqtui.core.model.architectures import InputSpec
    from seqtui.core.model.building import compiled_model

    words = [f"w{i}" for i in range(500)]
    encoder = TextEncoder(Tokenizer.fit([" ".join(words)]), maxlen=200)
    config = RunConfig(DataConfig("file", vocab_size=502, maxlen=200),
                       ModelConfig("lstm", embedding_dim=32, units=32))  # fmt: skip
    model = compiled_model(config, InputSpec("tokens", (200,), 502), "binary", 1)
    batches = []

    def predict(x):
        batches.append(len(x))
        return model.predict(x, batch_size=len(x), verbose=0)

    expl = explain_text(predict, encoder, " ".join(words[:200]), CLASSES)
    assert batches == [1 + 200 + 200]  # the sentence, each token occluded, each prefix
    assert len(expl.importance) == 200 and len(expl.prefix) == 200


def test_predict_explain_on_the_command_line(tmp_path):
    import json

    from typer.testing import CliRunner

    from seqtui.cli.main import app

    def invoke(*args: str):
        return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})

    runs = str(tmp_path / "runs")
    result = invoke("train", "--preset", "topics-en-lstm", "--limit", "200", "--epochs", "1", "--units", "4",
                    "--embedding-dim", "4", "--maxlen", "8", "--json", "--runs-dir", runs)  # fmt: skip
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    result = invoke("predict", run, "what is your favorite food", "hi", "--explain", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["what is your favorite food", "hi"]
    for row in rows:
        top, expl = row["classes"][0], row["explanation"]
        assert expl["class"] == top["name"] and expl["probability"] == pytest.approx(top["p"], abs=1e-5)
        assert expl["method"] == "oov"  # a token is hidden by the out-of-vocabulary id (README)
        tokens = expl["tokens"]
        assert tokens[-1]["prefix_probability"] == pytest.approx(top["p"], abs=1e-5)  # all of it read
        assert [(t["text"], t["id"], t["known"]) for t in tokens] == [
            (t["text"], t["id"], t["known"]) for t in row["tokens"]
        ]  # as listed
        assert all(isinstance(t["importance"], float) for t in tokens)
    assert [t["text"] for t in rows[0]["explanation"]["tokens"]] == [
        "what",
        "is",
        "your",
        "favorite",
        "food",
    ][-8:]

    long = "what is your favorite food and what is your zzqx favorite drink"  # 12 words, maxlen 8
    result = invoke("predict", run, long, "?!", "--json")
    cut, empty = [json.loads(line) for line in result.stdout.splitlines()]
    assert (cut["cut"], [t["text"] for t in cut["tokens"]]) == (4, long.split()[4:])  # pre-truncating
    assert cut["unknown"] == sum(not t["known"] for t in cut["tokens"]) >= 1 and cut["note"] is None
    assert empty["tokens"] == [] and empty["cut"] == 0 and "the model sees padding only" in empty["note"]
    assert all(len(row["classes"]) == len(cut["classes"]) > 2 for row in (cut, empty))

    result = invoke("predict", run, "what is your favorite food", "--explain")
    assert result.exit_code == 0 and "importance" in result.output and "after it" in result.output

    result = invoke("train", "--preset", "series-rnn", "--epochs", "1", "--json", "--runs-dir", runs)
    series_run = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    result = invoke("predict", series_run, "1 2 3", "--explain")
    assert result.exit_code == 2 and "explains classifiers" in result.output
    assert "Traceback" not in result.output


def test_predict_image_explain_json_is_the_heat_of_the_class_it_ranks_first(tmp_path):
    """`predict RUN --image F --explain --json`: every class (best first, like text), and the heat of the
    top class, nonzero only within a patch's reach of the ink (hiding blank paper changes nothing)."""
    import json

    from PIL import Image, ImageDraw
    from typer.testing import CliRunner

    from seqtui.cli.main import app
    from seqtui.datasets.images import mnist_like, read_image

    def invoke(*args: str):
        return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})

    result = invoke("train", "--preset", "digits-mlp", "--limit", "200", "--epochs", "1", "--units", "8",
                    "--json", "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    run = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    drawing = Image.new("L", (56, 56), 255)
    ImageDraw.Draw(drawing).line([(28, 8), (28, 48)], fill=0, width=5)  # a "1" in black ink on paper
    drawing.save(tmp_path / "one.png")
    result = invoke("predict", run, "--image", str(tmp_path / "one.png"), "--explain", "--json", "--top", "2")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    names = [c["name"] for c in row["classes"]]
    ps = [c["p"] for c in row["classes"]]
    assert row["image"] == str(tmp_path / "one.png")
    assert sorted(names) == [str(d) for d in range(10)] and ps == sorted(ps, reverse=True)
    assert sum(ps) == pytest.approx(1.0, abs=1e-4)
    why = row["explanation"]
    assert why["class"] == names[0] and why["probability"] == pytest.approx(ps[0], abs=1e-5)
    assert (why["patch"], why["stride"]) == (4, 2)
    heat = np.array(why["heat"])
    assert heat.shape == (28, 28) and np.array_equal(heat, np.round(heat, 5))
    ink = mnist_like(read_image(tmp_path / "one.png")) > 0  # the 28x28 digit the model saw
    reach = np.zeros_like(ink)  # pixels whose covering patches (4 wide, every 2) may hold ink
    for y, x in zip(*np.nonzero(ink), strict=True):
        reach[max(0, y - 3) : y + 4, max(0, x - 3) : x + 4] = True
    assert np.all(heat[~reach] == 0) and np.any(heat[reach] != 0)


def test_explain_refuses_other_models_and_says_what_they_are():
    from seqtui.core.inference.predict import Predictor
    from seqtui.datasets.base import SeriesEncoder
    from seqtui.datasets.errors import DataError

    series = SeriesEncoder(["t"], "t", [0.0], [1.0], 3, 1, 1)
    text, image = TextEncoder(Tokenizer(), 8), ImageEncoder()
    for task, encoder, explain, message in [
        ("regression", series, "text", "this run's model is a forecaster; --explain explains classifiers"),
        ("generation", text, "text", "this run's model is a text generator; --explain explains classifiers"),
        (
            "multiclass",
            text,
            "image",
            "does not read an image (--image FILE); explain what it was trained on",
        ),
        ("multiclass", image, "text", "this run's model does not read text; explain what it was trained on"),
    ]:  # the checks refuse before the model predicts: no model needed
        predictor = Predictor(None, None, encoder, task, CLASSES)  # type: ignore[arg-type]
        with pytest.raises(DataError) as info:
            if explain == "text":
                predictor.explain_text("a day")
            else:
                predictor.explain_image(np.zeros((28, 28, 1), "float32"))
        assert message in str(info.value)


def test_a_loaded_run_scores_all_occlusion_variants_in_one_forward_pass():
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.inference.predict import Predictor

    keras = import_keras()
    passes = []

    class CountPasses(keras.layers.Layer):
        def call(self, x):
            passes.append(x.shape[0])
            return x

    inputs = keras.Input((8,))
    model = keras.Model(inputs, CountPasses()(inputs))
    model.compile(run_eagerly=True)  # the layer's Python runs at every forward pass, not once when traced
    passes.clear()
    predictor = Predictor(None, model, TextEncoder(Tokenizer(), 8), "binary", CLASSES)  # type: ignore[arg-type]
    variants = np.arange(100 * 8, dtype="float32").reshape(100, 8)
    assert np.array_equal(predictor.predict_batch(variants), variants)
    assert passes == [100]  # one call for the sentence and each token hidden, not one per 32 rows


def test_a_runs_explanation_hides_each_token_with_the_unknown_word_by_default():
    """`predict --explain` and the app replace each token by <oov> (the sentence keeps its length);
    removing it instead shifts the tokens after it, which a position-weighted model scores differently."""
    from seqtui.core.hardware.backend import import_keras
    from seqtui.core.inference.predict import Predictor

    keras = import_keras()
    inputs = keras.Input((8,))
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Model(inputs, dense(inputs))
    dense.set_weights([np.linspace(-0.4, 0.4, 8, dtype="float32").reshape(8, 1), np.zeros(1, "float32")])
    encoder = TextEncoder(Tokenizer.fit(["오늘 날씨 정말 좋네 a b c"]), 8)
    predictor = Predictor(None, model, encoder, "binary", CLASSES)  # type: ignore[arg-type]
    text = "오늘 날씨 정말 좋네"
    default = predictor.explain_text(text).importance
    oov = explain_text(predictor.predict_batch, encoder, text, CLASSES, method="oov").importance
    removed = explain_text(predictor.predict_batch, encoder, text, CLASSES, method="remove").importance
    assert np.allclose(default, oov) and not np.allclose(default, removed)


def test_near_certainty_the_words_still_separate():
    """At p = 0.996 hiding a word that moves p to 0.99 and one that moves it to 0.9959 differ by 0.006 in
    probability (both look like nothing) but by 0.9 in log-odds: the explanation ranks them apart."""
    # the text, each word hidden, then each prefix: one batch, as explain_text asks for it
    probs = np.array([[0.004, 0.996], [0.01, 0.99], [0.0041, 0.9959], [0.3, 0.7], [0.004, 0.996]])
    tok = Tokenizer.fit(["gorgeous and"])
    encoder = TextEncoder(tok, maxlen=4)
    expl = explain_text(lambda x: probs, encoder, "gorgeous and", ["neg", "pos"])
    gorgeous, conjunction = expl.importance
    assert gorgeous == pytest.approx(np.log(0.996 / 0.004) - np.log(0.99 / 0.01), abs=1e-9)
    assert gorgeous > 0.9 and conjunction < 0.03
    assert expl.to_dict()["importance_unit"] == "log-odds"
