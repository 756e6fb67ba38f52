"""A selected hidden unit (issue 22, item 1): its peaks over the validation set and the fragments around
them, on a tiny real model whose weights make the answer known; the batched recurrence equals the one
sequence at a time; unit names are checked with one clear message."""

from __future__ import annotations

import numpy as np
import pytest

from seqtui.core.config.run_config import DataConfig, RunConfig
from seqtui.core.inference.errors import InspectError
from seqtui.core.inference.inspect import Inspector
from seqtui.core.inference.inspect_states import Cell, run_cell
from seqtui.core.inference.inspect_units import UnitRef, parse_unit
from seqtui.core.inference.predict import Predictor
from seqtui.core.runs.folder import RunFolder
from seqtui.datasets.fingerprint import data_fingerprint
from seqtui.datasets.registry import load_dataset
from tests.core.inference.test_inspect import ARCHS, keras, text_model  # noqa: F401
from tests.data_files import write_reviews_csv

MAXLEN = 6


@pytest.mark.parametrize("name", ["lstm", "gru", "bidirectional"])
def test_a_batch_of_sequences_steps_first_gives_each_sequences_own_states(keras, name):  # noqa: F811
    model, encoder = text_model(keras, **ARCHS[name])
    ids = encoder.encode(["the film was not good", "a great film", "good good film"])
    layer = next(x for x in model.layers if type(x).__name__ in ("LSTM", "GRU", "Bidirectional"))
    inner = getattr(layer, "forward_layer", layer)
    x = np.asarray(model.layers[0](ids))
    cell = Cell.from_layer(inner)
    batched, gates = run_cell(cell, np.swapaxes(x, 0, 1))
    for row in range(3):
        alone, alone_gates = run_cell(cell, x[row])
        np.testing.assert_allclose(batched[:, row], alone, atol=1e-12)
        for gate, values in alone_gates.items():
            np.testing.assert_allclose(gates[gate][:, row], values, atol=1e-12)


def reviews_run(keras, tmp_path):  # noqa: F811
    """A run folder over a reviews table, its model one linear SimpleRNN unit whose state is the scalar
    embedding of the token just read (h_t = x_t): the unit peaks on the word with the largest scalar."""
    path = write_reviews_csv(tmp_path / "reviews.csv", rows=60)
    config = RunConfig(DataConfig("file", data_path=str(path), text_column="review", label_column="verdict",
                                  maxlen=MAXLEN))  # fmt: skip
    data = load_dataset(config.data)
    folder = RunFolder.create(tmp_path, "units")
    folder.write_config(
        config, {"task": "binary", "class_names": data.class_names, "data_sha256": data_fingerprint(path)}
    )
    vocab = data.encoder.tokenizer.vocab_size
    model = keras.Sequential([keras.Input((MAXLEN,), dtype="int32"), keras.layers.Embedding(vocab, 1),
                              keras.layers.SimpleRNN(1, activation="linear"),
                              keras.layers.Dense(1, activation="sigmoid")])  # fmt: skip
    scalars = np.random.default_rng(7).normal(size=(vocab, 1)).astype("float32")
    scalars[0] = 0.0
    model.layers[0].embeddings.assign(scalars)
    model.layers[1].cell.kernel.assign([[1.0]])
    model.layers[1].cell.recurrent_kernel.assign([[0.0]])
    model.layers[1].cell.bias.assign([0.0])
    return Predictor(folder, model, data.encoder, "binary", data.class_names), data, scalars[:, 0]


def test_fragments_are_the_windows_around_the_validation_sequences_highest_peaks(keras, tmp_path):  # noqa: F811
    predictor, data, scalars = reviews_run(keras, tmp_path)
    inspect = Inspector(predictor)
    ref = inspect.unit(f"{inspect.unit_layers()[0][0]}:0")
    found = inspect.unit_fragments(ref, top=5, reach=2)
    x_val = np.asarray(data.x_val)
    # by hand: each row's peak is its token with the largest scalar (first such step), padding never
    values = np.where(x_val == 0, -np.inf, scalars[x_val])
    best, step = values.max(axis=1), values.argmax(axis=1)
    rows = sorted(range(len(x_val)), key=lambda r: (-best[r], r))[:5]
    assert found.rows == len(x_val) and [f.row for f in found.fragments] == rows
    tok = data.encoder.tokenizer
    for fragment, row in zip(found.fragments, rows, strict=True):
        s = int(step[row])
        steps = [t for t in range(s - 2, s + 3) if 0 <= t < MAXLEN and x_val[row, t] != 0]
        assert fragment.step == s and fragment.value == pytest.approx(best[row], abs=1e-6)
        assert fragment.tokens == tok.decode([int(x_val[row, t]) for t in steps])
        assert fragment.tokens[fragment.peak] == tok.decode([int(x_val[row, s])])[0]
    assert inspect._peaks is not None
    kept = inspect._peaks
    inspect.unit_fragments(ref)
    assert inspect._peaks is kept  # computed once per run


def test_unit_names_are_checked_with_one_message():
    layers = [("lstm", "forward", 4), ("bidirectional", "forward", 3), ("bidirectional", "backward", 3)]
    assert parse_unit("3", layers) == UnitRef("lstm", "forward", 3)
    assert parse_unit("bidirectional/backward:2", layers) == UnitRef("bidirectional", "backward", 2)
    assert parse_unit("bidirectional/backward:2", layers).label == "bidirectional/backward:2"
    with pytest.raises(InspectError, match="from 0 to 3"):
        parse_unit("lstm:4", layers)
    with pytest.raises(InspectError, match="Did you mean 'lstm'"):
        parse_unit("lstn:1", layers)
    with pytest.raises(InspectError, match="no recurrent layer"):
        parse_unit("0", [])


@pytest.mark.parametrize("name", ["stacked", "bidirectional"])
def test_exact_peaks_from_keras_every_state_equal_the_recomputed_states(keras, tmp_path, name):  # noqa: F811
    """The validation peaks come from twins of each layer returning every state (a backward one flipped to
    token order): the same peaks as the NumPy recurrence of the states view, sequence by sequence."""
    from tests.core.inference.test_inspect import SENTENCES, inspector

    model, encoder = text_model(keras, **ARCHS[name])
    inspect = inspector(model, encoder, tmp_path)
    ids = encoder.encode(SENTENCES)
    _, pads, found = inspect.peaks_of(ids)
    assert set(found) == {(n, d) for n, d, _ in inspect.unit_layers()}
    for row in range(len(ids)):
        for trace in inspect.traces(ids[row : row + 1]):
            hidden = np.where(pads[row][:, None], -np.inf, trace.hidden)
            peak = found[(trace.name, trace.direction)]
            np.testing.assert_allclose(peak.value[row], hidden.max(axis=0), atol=1e-5)
            assert peak.step[row].tolist() == hidden.argmax(axis=0).tolist()


def test_a_unit_reading_pooled_windows_has_no_fragments(keras, tmp_path):  # noqa: F811
    from tests.core.inference.test_inspect import SENTENCES, inspector

    model, encoder = text_model(keras, "cnn_lstm", conv_filters=2, conv_kernel=2, pool_size=2)
    inspect = inspector(model, encoder, tmp_path)
    ref = inspect.unit(f"{inspect.unit_layers()[0][0]}:0")  # the LSTM after the pooling
    with pytest.raises(InspectError, match="pooled windows"):
        inspect.unit_fragments(ref, sequences=encoder.encode(SENTENCES))
