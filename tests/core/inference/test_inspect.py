"""`seqtui inspect`'s engine is exact: on tiny real Keras models (seqtui's own builders, random weights and
biases), the states recomputed in NumPy from each layer's weights equal what the Keras layer outputs, the
gates reproduce it, the gradient matches finite differences, and the filters, neighbours and mistakes are
the ones hand-set weights make. The tests named `exact` run again on JAX in `make test`."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.common.keras_door import import_keras
from seqtui.common.names import UnknownName
from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig
from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.inspect import Inspector
from seqtui.core.inference.inspect_embeddings import nearest_words
from seqtui.core.inference.inspect_filters import Geometry
from seqtui.core.inference.inspect_gradients import GradientProbe, class_score, run_layers
from seqtui.core.inference.inspect_mistakes import find_mistakes, rebuilt_data
from seqtui.core.inference.inspect_states import Cell, reading, run_cell, top_units
from seqtui.core.inference.predict import Predictor
from seqtui.core.model.architectures import InputSpec, build_model
from seqtui.core.runs.folder import RunFolder
from seqtui.datasets.base import TextEncoder
from seqtui.datasets.registry import load_dataset
from seqtui.datasets.tokenizer import Tokenizer
from tests.data_files import write_reviews_csv

MAXLEN, VOCAB = 9, 16
SENTENCES = ["the film was not good", "a great film", "not a bad story at all", "good good film"]


@pytest.fixture(scope="module")
def keras():
    return import_keras()


def randomise(keras, model, seed: int = 0) -> None:
    """Every weight random, biases included (zero biases would hide a bias read wrongly)."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        w.assign(rng.normal(0, 0.6, tuple(w.shape)).astype("float32"))


def text_model(keras, arch: str, **settings):
    """seqtui's own builder at a tiny size, random weights, and an encoder for its sentences."""
    config = ModelConfig(arch, **{"embedding_dim": 3, "units": 4, **settings})
    model = build_model(config, InputSpec("tokens", (MAXLEN,), VOCAB), "multiclass", 3)
    randomise(keras, model)
    return model, TextEncoder(Tokenizer.fit(SENTENCES), MAXLEN)


def inspector(model, encoder, tmp_path, task: str = "multiclass", names=("a", "b", "c")) -> Inspector:
    return Inspector(Predictor(RunFolder(tmp_path), model, encoder, task, list(names)))


def layer_outputs(model, ids: np.ndarray) -> dict[str, np.ndarray]:
    """Each layer's own output, calling the Keras layers one after another (no seqtui code)."""
    out, x = {}, ids
    for layer in model.layers:
        x = layer(x, training=False)
        out[layer.name] = np.asarray(x)
    return out


ARCHS = {
    "simple_rnn": dict(arch="simple_rnn"),
    "lstm": dict(arch="lstm"),
    "gru": dict(arch="gru"),
    "stacked": dict(arch="stacked_lstm", layers=2),
    "bidirectional": dict(arch="gru", bidirectional=True),
    "bidirectional_stacked_rnn": dict(arch="simple_rnn", bidirectional=True, layers=2),
}


@pytest.mark.parametrize("name", list(ARCHS))
def test_exact_last_hidden_state_is_the_keras_layers_output(keras, tmp_path, name):
    model, encoder = text_model(keras, **ARCHS[name])
    inspect = inspector(model, encoder, tmp_path)
    ids = encoder.encode(["not a bad story at all"])
    outputs = layer_outputs(model, ids)
    traces = inspect.traces(ids)
    recurrent = [
        layer
        for layer in model.layers
        if type(layer).__name__ in ("SimpleRNN", "LSTM", "GRU", "Bidirectional")
    ]
    assert len(traces) == len(recurrent) * (2 if ARCHS[name].get("bidirectional") else 1)
    for trace in traces:
        y = outputs[trace.name][0]
        units = trace.units
        if trace.direction == "backward":
            y, last = y[..., units:], trace.hidden[0]  # the backward layer ends at the first token
        else:
            y, last = y[..., :units], trace.hidden[-1]
        if y.ndim == 2:  # return_sequences: every step, the backward one aligned by token
            np.testing.assert_allclose(trace.hidden, y, atol=1e-5)
        else:
            np.testing.assert_allclose(last, y, atol=1e-5)
        assert trace.keras_gap < 1e-5
        assert trace.hidden.shape == (MAXLEN, 4)


@pytest.mark.parametrize("reset_after", [True, False])
def test_exact_gru_gates_follow_both_reset_orders(keras, tmp_path, reset_after):
    """GRU's z, r, h order and reset_after (Keras' default True, the classic form False)."""
    model = keras.Sequential([keras.Input((MAXLEN,), dtype="int32"), keras.layers.Embedding(VOCAB, 3),
                              keras.layers.GRU(4, reset_after=reset_after), keras.layers.Dense(3)])  # fmt: skip
    randomise(keras, model, seed=3)
    encoder = TextEncoder(Tokenizer.fit(SENTENCES), MAXLEN)
    ids = encoder.encode(["good good film"])
    [trace] = inspector(model, encoder, tmp_path).traces(ids)
    np.testing.assert_allclose(trace.hidden[-1], layer_outputs(model, ids)[trace.name][0], atol=1e-5)
    assert set(trace.gates) == {"update", "reset"}


def test_exact_lstm_gates_and_cell_reproduce_the_layers_output(keras, tmp_path):
    """h_t = o_t tanh(c_t) and c_t = f_t c_{t-1} + i_t c~_t: the output gate and cell state recomputed from
    the weights give the Keras output; the forget and input gates carry the cell from step to step."""
    model, encoder = text_model(keras, "lstm")
    ids = encoder.encode(["the film was not good"])
    [trace] = inspector(model, encoder, tmp_path).traces(ids)
    g = trace.gates
    keras_h = layer_outputs(model, ids)[trace.name][0]
    np.testing.assert_allclose(g["output"][-1] * np.tanh(g["cell"][-1]), keras_h, atol=1e-5)
    np.testing.assert_allclose(g["output"] * np.tanh(g["cell"]), trace.hidden, atol=1e-12)
    candidate = (g["cell"][1:] - g["forget"][1:] * g["cell"][:-1]) / g["input"][1:]
    assert np.all(np.abs(candidate) <= 1 + 1e-9)  # what the input gate lets in is a tanh
    for gate in ("input", "forget", "output"):
        assert np.all((g[gate] > 0) & (g[gate] < 1))


def test_a_backward_cell_reads_from_the_last_token(keras):
    """A go_backwards layer's row t is its state after reading tokens T-1 .. t: row T-1 has read one token."""
    layer = keras.layers.SimpleRNN(2, go_backwards=True)
    layer.build((1, 3, 1))
    layer.cell.kernel.assign(np.eye(1, 2, dtype="float32"))
    layer.cell.recurrent_kernel.assign(np.array([[1.0, 0.0], [0.0, 0.0]], dtype="float32"))  # h adds up
    hidden, gates = run_cell(Cell.from_layer(layer), np.array([[1.0], [2.0], [3.0]]))
    last = np.tanh(3.0)
    middle = np.tanh(2.0 + last)
    assert hidden[:, 0] == pytest.approx([np.tanh(1.0 + middle), middle, last]) and gates == {}
    keras_last = np.asarray(layer(np.array([[[1.0], [2.0], [3.0]]], dtype="float32")))[0, 0]
    assert hidden[0, 0] == pytest.approx(keras_last, abs=1e-6)  # Keras' backward layer ends at token 0


def test_padding_steps_are_flagged_and_the_tokens_line_up(keras, tmp_path):
    model, encoder = text_model(keras, "lstm")
    found = inspector(model, encoder, tmp_path).inspect("a great film", ["states"])
    assert found.padding == [True] * 6 + [False] * 3
    assert found.step_tokens == [None] * 6 + ["a", "great", "film"]
    assert found.ids[:6] == [0] * 6 and found.ids[6:] == [t.id for t in found.tokens]
    row = found.to_dict()["layers"][0]
    assert [s["padding"] for s in row["hidden"]] == found.padding
    assert row["hidden"][-1]["values"] == pytest.approx(found.traces[0].hidden[-1], abs=1e-6)
    assert len(row["gates"]["forget"]) == MAXLEN


def test_top_units_are_those_that_move_most_over_the_sentence():
    hidden = np.array([[0.0, 0.0, 0.0], [9.0, 9.0, 9.0], [0.1, 0.5, -0.2], [0.1, -0.5, 0.6]])
    real = np.array([False, False, True, True])
    # from the last padding step (9, 9, 9): unit 0 moves 8.9, unit 1 8.5 + 1.0, unit 2 9.2 + 0.8
    assert top_units(hidden, real, 2) == [2, 1]
    assert top_units(hidden, real, 3) == [2, 1, 0]


def test_the_reading_names_the_share_of_tokens_with_a_saturated_forget_gate():
    forget = np.full((8, 3), 0.5)
    forget[[1, 3, 5, 6, 7]] = 0.95  # 5 of the 7 tokens (step 0 is padding)
    real = np.array([False] + [True] * 7)
    assert reading("LSTM", {"forget": forget}, real) == (
        "the forget gate stays above 0.9 on 71% of tokens: the cell keeps most of what it read"
    )
    update = np.full((8, 3), 0.05)
    assert reading("GRU", {"update": update}, real).startswith(
        "the update gate stays below 0.1 on 100% of tokens"
    )
    assert reading("SimpleRNN", {}, real) == ""


@pytest.mark.parametrize("arch", ["simple_rnn", "lstm", "cnn_lstm"])
def test_exact_gradient_matches_finite_differences(keras, arch):
    """Central differences on every coordinate of every step's embedding; the norms agree to float32's
    precision."""
    settings = {"conv_filters": 2, "conv_kernel": 2, "pool_size": 2} if arch == "cnn_lstm" else {}
    model, encoder = text_model(keras, arch, **settings)
    probe = GradientProbe(keras, model)
    ids = encoder.encode(["not a bad story at all"])
    reach = probe.reach(ids)
    embedded = probe.embed(ids).astype("float64")
    probs = [class_score(keras, probe.rest, embedded, k) for k in range(3)]
    assert reach.class_index == int(np.argmax(probs)) and reach.probability == pytest.approx(
        max(probs), abs=1e-6
    )
    h, (_, steps, dims) = 1e-2, embedded.shape
    shifts = np.zeros((steps * dims, 1, steps, dims))
    shifts.reshape(steps * dims, steps * dims)[np.arange(steps * dims), np.arange(steps * dims)] = h
    batch = np.concatenate([embedded + shifts[:, 0], embedded - shifts[:, 0]]).astype("float32")
    out = np.asarray(keras.ops.convert_to_numpy(run_layers(probe.rest, keras.ops.convert_to_tensor(batch))))
    p = out[:, reach.class_index].astype("float64")  # one batched forward pass: every +h, then every -h
    numeric = ((p[: steps * dims] - p[steps * dims :]) / (2 * h)).reshape(steps, dims)
    np.testing.assert_allclose(reach.norms, np.linalg.norm(numeric, axis=1), rtol=2e-2, atol=2e-4)
    assert reach.norms.max() > 1e-3  # a real gradient, not zeros that would match anything


def test_binary_gradient_is_for_the_predicted_class(keras, tmp_path):
    """A sigmoid head: the predicted class's probability is p or 1 - p; their gradients are opposite, so
    the norms are the same, and the probability is the larger one."""
    config = ModelConfig("simple_rnn", embedding_dim=3, units=4)
    model = build_model(config, InputSpec("tokens", (MAXLEN,), VOCAB), "binary", 1)
    randomise(keras, model, seed=5)
    encoder = TextEncoder(Tokenizer.fit(SENTENCES), MAXLEN)
    reach = inspector(model, encoder, tmp_path, "binary", ("neg", "pos")).gradient(
        encoder.encode(["a great film"])
    )
    p = float(np.asarray(model(encoder.encode(["a great film"])))[0, 0])
    assert reach.class_index == int(p > 0.5) and reach.probability == pytest.approx(max(p, 1 - p), abs=1e-6)


def test_neighbours_follow_cosine_similarity_of_hand_set_vectors():
    tok = Tokenizer.fit(["good great bad awful film"])  # ids 2..6
    matrix = np.zeros((8, 2))
    matrix[2:7] = [[1, 0.1], [2, 0.3], [-1, 0], [-1, -0.2], [0, 1]]  # good great bad awful film
    [found] = nearest_words(matrix, tok, "good", count=3)
    cos = lambda a, b: float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    assert [w for w, _ in found.nearest] == ["great", "film", "bad"]
    assert found.nearest[0][1] == pytest.approx(cos([1, 0.1], [2, 0.3]))
    assert found.nearest[2][1] == pytest.approx(cos([1, 0.1], [-1, 0]))
    with pytest.raises(UnknownName, match="Did you mean 'good'"):
        nearest_words(matrix, tok, "goood")


def test_neighbours_of_a_korean_word_are_those_of_its_morphemes():
    pytest.importorskip("kiwipiepy")
    texts = ["주가가 올랐다", "주가가 내렸다", "날씨가 좋다", "주가 전망"]
    tok = Tokenizer.fit(texts, split="morpheme", standardize="hangul")
    matrix = np.random.default_rng(0).normal(size=(tok.vocab_size, 3))
    found = nearest_words(matrix, tok, "주가가")
    assert found[0].word == "주가" and found[0].id == tok.word_index["주가"]
    assert all(w != "주가" for w, _ in found[0].nearest)
    with pytest.raises(UnknownName):
        nearest_words(matrix, tok, "비행기")


def test_geometry_names_the_steps_each_output_reads():
    assert Geometry(3).steps(0, 10) == [0, 1, 2]
    assert Geometry(3, left=1).steps(0, 10) == [0, 1]  # 'same': the first output straddles the start
    assert Geometry(2, stride=2, dilation=2).steps(1, 10) == [2, 4]
    assert Geometry(3, left=2).steps(9, 10) == [7, 8, 9]  # 'causal'


def test_a_filter_fires_hardest_on_the_bigram_its_weights_spell(keras, tmp_path):
    tok = Tokenizer.fit(SENTENCES)
    model = keras.Sequential([keras.Input((MAXLEN,), dtype="int32"), keras.layers.Embedding(VOCAB, VOCAB),
                              keras.layers.Conv1D(2, 2, activation="relu"), keras.layers.GlobalMaxPooling1D(),
                              keras.layers.Dense(1, activation="sigmoid")])  # fmt: skip
    model.layers[0].embeddings.assign(np.eye(VOCAB, dtype="float32"))
    kernel = np.zeros((2, VOCAB, 2), dtype="float32")
    kernel[0, tok.word_index["not"], 0], kernel[1, tok.word_index["good"], 0] = 1.0, 2.0  # "not good": 3
    kernel[0, tok.word_index["a"], 1] = 0.5
    model.layers[1].kernel.assign(kernel)
    inspect = inspector(model, TextEncoder(tok, MAXLEN), tmp_path, "binary")
    first, second = inspect.inspect("the film was not good", ["filters"]).filters
    assert first.windows[0].tokens == ["not", "good"] and first.windows[0].value == pytest.approx(3.0)
    assert first.windows[0].start == MAXLEN - 2 and second.windows[0].value == pytest.approx(0.0)
    first, second = inspect.filters(
        inspect.encoder.encode(SENTENCES), top=4
    )  # every sentence: a validation set
    windows = [(w.tokens, w.row, round(w.value, 5)) for w in first.windows]
    assert windows == [(["not", "good"], 0, 3.0), (["<pad>", "good"], 3, 2.0), (["good", "good"], 3, 2.0),
                       (["not", "a"], 2, 1.0)]  # fmt: skip
    windows = [(w.tokens, w.row, round(w.value, 5)) for w in second.windows[:2]]
    assert windows == [(["a", "great"], 1, 0.5), (["a", "bad"], 2, 0.5)]
    assert all(w.tokens != ["<pad>", "<pad>"] for w in first.windows + second.windows)


def test_views_say_what_a_model_has(keras, tmp_path):
    model, encoder = text_model(keras, "simple_rnn")
    inspect = inspector(model, encoder, tmp_path)
    assert inspect.views == ["states", "gradient", "neighbours", "mistakes"]
    with pytest.raises(
        InspectError, match="no LSTM or GRU layer.*views are states, gradient, neighbours, mistakes"
    ):
        inspect.inspect("a great film", ["gates"])
    conv, _ = text_model(keras, "conv1d", conv_filters=2, conv_kernel=2)
    assert inspector(conv, encoder, tmp_path).views == ["gradient", "filters", "neighbours", "mistakes"]


def test_mistakes_are_the_wrong_test_answers_most_confident_first(keras, tmp_path):
    path = write_reviews_csv(tmp_path / "reviews.csv", rows=60)
    config = RunConfig(
        DataConfig("file", data_path=str(path), text_column="review", label_column="verdict", maxlen=6)
    )
    from seqtui.datasets.fingerprint import data_fingerprint

    data = load_dataset(config.data)
    folder = RunFolder.create(tmp_path, "mistakes")
    folder.write_config(
        config, {"task": "binary", "class_names": data.class_names, "data_sha256": data_fingerprint(path)}
    )
    model = build_model(
        ModelConfig("gru", embedding_dim=3, units=4), InputSpec("tokens", (6,), 200), "binary", 1
    )
    randomise(keras, model, seed=2)
    predictor = Predictor(folder, model, data.encoder, "binary", data.class_names)
    found = find_mistakes(predictor, rebuilt_data(predictor), per_pair=100)
    p = np.asarray(model(data.x_test))[:, 0]
    wrong = np.flatnonzero((p > 0.5).astype(int) != data.y_test)
    assert found.total == len(data.x_test) and found.wrong == len(wrong) > 0
    assert sorted(m.row for g in found.groups for m in g.examples) == sorted(wrong.tolist())
    for group in found.groups:
        confidences = [m.confidence for m in group.examples]
        assert confidences == sorted(confidences, reverse=True) and group.true != group.predicted
        for m in group.examples:
            assert m.confidence == pytest.approx(max(p[m.row], 1 - p[m.row]), abs=1e-6)
    path.write_text(path.read_text() + '99,"one more row",good\n')
    with pytest.raises(InspectError, match="no longer holds the data this run trained on"):
        rebuilt_data(predictor)
