"""The embedding's plane (issue 22, item 6): PCA coordinates as computed by hand on a tiny matrix, and the
class each word pushes toward on a model whose hand-set weights make it known; Conv2D feature maps (item 5)
equal the Keras layers' own outputs for the same digit."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.core.config.run_config import ModelConfig
from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.inspect import Inspector
from seqtui.core.inference.inspect_images import strongest
from seqtui.core.inference.inspect_projection import alone_ids, class_push, pca_2d
from seqtui.core.inference.predict import Predictor
from seqtui.core.model.architectures import InputSpec, build_model
from seqtui.core.runs.folder import RunFolder
from seqtui.datasets.base import ImageEncoder, TextEncoder
from seqtui.datasets.tokenizer import Tokenizer
from tests.core.inference.test_inspect import keras, randomise, text_model  # noqa: F401


def test_pca_of_a_tiny_matrix_is_the_hand_computation():
    # centred rows (2,0) (0,1) (-2,0) (0,-1): the first axis holds 8 of the 10 units of variance
    matrix = np.array([[2.0, 0.0], [0.0, 1.0], [-2.0, 0.0], [0.0, -1.0]]) + [3.0, -1.0]
    coords, explained = pca_2d(matrix)
    np.testing.assert_allclose(coords, [[2, 0], [0, 1], [-2, 0], [0, -1]], atol=1e-12)
    np.testing.assert_allclose(explained, [0.8, 0.2])
    # a rotated copy: the components follow the rotation, the largest loading of each kept positive
    turn = np.array([[0.6, 0.8], [-0.8, 0.6]])
    coords, _ = pca_2d(matrix @ turn)
    np.testing.assert_allclose(np.abs(coords), [[2, 0], [0, 1], [2, 0], [0, 1]], atol=1e-12)
    first = coords[0, 0] * turn[0] / 2  # the first component's direction is row 0's along it
    assert first[np.argmax(np.abs(first))] > 0
    with pytest.raises(InspectError, match="at least 2 words"):
        pca_2d(np.ones((1, 3)))


def test_the_class_a_word_pushes_toward_is_the_largest_rise_from_the_empty_sentence():
    alone = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    classes, push = class_push(alone, np.array([0.6, 0.2, 0.2]))
    assert classes.tolist() == [1, 2] and push == pytest.approx([0.1, 0.4])
    classes, push = class_push(np.array([[0.7], [0.1]]), np.array([0.4]))  # a sigmoid head
    assert classes.tolist() == [1, 0] and push == pytest.approx([0.3, 0.3])
    assert alone_ids([5, 7], 4, "pre").tolist() == [[0, 0, 0, 5], [0, 0, 0, 7], [0, 0, 0, 0]]
    assert alone_ids([5], 3, "post").tolist() == [[5, 0, 0], [0, 0, 0]]


def test_projection_marks_each_frequent_word_with_the_class_its_weights_point_to(keras, tmp_path):  # noqa: F811
    tok = Tokenizer.fit(["good good good film film bad"])  # ids by frequency: good 2, film 3, bad 4
    model = keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(6, 3),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(3, activation="softmax")])  # fmt: skip
    rows = np.zeros((6, 3), dtype="float32")
    rows[tok.word_index["good"]], rows[tok.word_index["bad"]] = [5, 0, 0], [0, 0, 5]
    rows[tok.word_index["film"]] = [0, 4, 1]
    model.layers[0].embeddings.assign(rows)
    model.layers[2].kernel.assign(np.eye(3, dtype="float32"))
    predictor = Predictor(
        RunFolder(tmp_path), model, TextEncoder(tok, 5), "multiclass", ["pos", "plot", "neg"]
    )
    found = Inspector(predictor).projection(count=2)
    assert found.words == ["good", "film"]  # the 2 most frequent
    coords, _ = pca_2d(rows[[2, 3]])
    np.testing.assert_allclose(found.coords, coords)
    data = found.to_dict()
    assert [w["class"] for w in data["words"]] == ["pos", "plot"]
    found = Inspector(predictor).projection()
    assert [found.class_of(n) for n in range(3)] == ["pos", "plot", "neg"]
    empty = np.full(3, 1 / 3)
    p = np.exp([1.0, 0, 0]) / np.exp([1.0, 0, 0]).sum()  # "good" alone: mean of (5,0,0) and 4 zero rows
    assert found.push[0] == pytest.approx(p[0] - empty[0], abs=1e-6)


def test_exact_feature_maps_equal_the_keras_layers_outputs_for_the_digit(keras, tmp_path):  # noqa: F811
    config = ModelConfig("cnn2d", conv_filters=4, dense_units=8)
    model = build_model(config, InputSpec("image", (28, 28, 1)), "multiclass", 10)
    randomise(keras, model, seed=4)
    predictor = Predictor(
        RunFolder(tmp_path), model, ImageEncoder(), "multiclass", [str(d) for d in range(10)]
    )
    inspect = Inspector(predictor)
    assert inspect.views == ["mistakes", "maps"]
    digit = np.zeros((28, 28), dtype="uint8")
    digit[6:22, 12:16] = 255
    maps = inspect.feature_maps(digit)
    assert [(m.kind, m.values.shape) for m in maps] == [
        ("Conv2D", (26, 26, 2)), ("Conv2D", (24, 24, 4)), ("MaxPooling2D", (12, 12, 4))
    ]  # fmt: skip
    x = ImageEncoder().encode(digit[None])
    for layer in model.layers:  # each Keras layer called in turn, no seqtui code
        x = layer(x, training=False)
        mine = [m for m in maps if m.layer == layer.name]
        if mine:
            np.testing.assert_allclose(mine[0].values, np.asarray(x)[0], atol=1e-5)
    assert maps[1].to_dict()["shape"] == [24, 24, 4]
    text, _ = text_model(keras, "lstm")
    with pytest.raises(InspectError, match="no Conv2D layer"):
        Inspector(Predictor(RunFolder(tmp_path), text, TextEncoder(Tokenizer.fit(["a b"]), 9), "multiclass",
                            ["a", "b", "c"])).feature_maps(digit)  # fmt: skip


def test_the_strongest_channels_are_those_with_the_highest_mean():
    values = np.zeros((2, 2, 4))
    values[..., 1], values[0, 0, 3], values[..., 2] = 0.5, 4.0, 0.5
    assert strongest(values, 3) == [3, 1, 2]
