"""Probes and gradient flow are the model's own numbers: a probe's recorded probabilities are what the saved
checkpoint of that epoch predicts (after a resume too), and a layer's gradient norm is the one a hand-written
backward pass gives on a tiny Dense model. Runs on TensorFlow, and on JAX by the Makefile's JAX set (`exact`)."""

from __future__ import annotations

import json
import math

import keras
import numpy as np
import pytest

from seqtui.core.config.errors import ConfigError
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import with_overrides
from seqtui.core.runs.folder import ENCODER, LAST, RunFolder
from seqtui.core.training.events import EpochEnded, event_dict, event_from_dict
from seqtui.core.training.grad_flow import GradientFlow, collapse_notes, fixed_batch
from seqtui.core.training.probing import class_probabilities, read_probe_history
from seqtui.core.training.resume import resume
from seqtui.core.training.runner import train
from seqtui.datasets.base import encoder_from_dict

PROBES = ("the team won the final match", "stocks fell sharply today", "한국어 문장도 읽는다")
TINY = with_overrides(
    PRESETS["topics-en-lstm"].config, units=8, embedding_dim=8, vocab_size=300, sample_limit=300,
    epochs=1, batch_size=32, patience=0, probes=PROBES,
)  # fmt: skip


def _checkpoint_probabilities(folder: RunFolder) -> np.ndarray:
    """What the epoch's saved last.keras predicts for the probes, encoded by the run's saved encoder."""
    model = keras.models.load_model(folder.file(LAST), safe_mode=True)
    encoder = encoder_from_dict(folder.read_json(ENCODER))
    return class_probabilities(model.predict(encoder.encode(list(PROBES)), verbose=0))


def _recorded(row: dict) -> np.ndarray:
    return np.array([list(p["probabilities"].values()) for p in row["probes"]])


def test_probe_probabilities_are_exactly_the_checkpoints_of_each_epoch(tmp_path):
    events: list = []
    end = train(TINY, events.append, runs_dir=tmp_path, tensorboard=False)
    assert end.status == "completed", end.message
    folder = RunFolder(end.run_dir)
    first = read_probe_history(folder)
    assert [row["epoch"] for row in first] == [1]
    after_one = _checkpoint_probabilities(folder)
    np.testing.assert_allclose(_recorded(first[0]), after_one, atol=2e-6)
    epoch = next(e for e in events if isinstance(e, EpochEnded))
    assert epoch.probes == first[0]["probes"] and epoch.grad_norms == first[0]["grad_norms"]
    assert [p["probe"] for p in epoch.probes] == list(PROBES)  # Korean kept as typed
    names = folder.read_json("config.json")["class_names"]
    assert [p["answer"] for p in epoch.probes] == [names[i] for i in after_one.argmax(axis=1)]
    saved = keras.models.load_model(folder.file(LAST), safe_mode=True)  # its layers, by the names they got
    assert (
        list(epoch.grad_norms)
        == [layer.name for layer in saved.layers]
        == [layer.name for layer in saved.layers if layer.trainable_weights]
    )
    assert [name.rsplit("_", 1)[0] if name[-1].isdigit() else name for name in epoch.grad_norms] == [
        "embedding",
        "lstm",
        "dense",
    ]
    assert all(v > 0 and math.isfinite(v) for v in epoch.grad_norms.values())

    again = resume(
        folder.path, events.append, epochs=2, tensorboard=False
    )  # the probes come from config.json
    assert again.status == "completed", again.message
    rows = read_probe_history(folder)
    assert [row["epoch"] for row in rows] == [1, 2]
    assert rows[0] == first[0]
    np.testing.assert_allclose(_recorded(rows[1]), _checkpoint_probabilities(folder), atol=2e-6)
    assert not np.allclose(_recorded(rows[1]), after_one, atol=1e-4)  # the model moved: a new reading


def test_an_epoch_event_with_probes_reads_back_from_its_json():
    event = EpochEnded(1, 2, {"loss": 0.5}, 1.0, 10.0, probes=[{"probe": "좋다", "answer": "pos",
                       "kind": "text", "probabilities": {"neg": 0.2, "pos": 0.8}}], grad_norms={"lstm": 0.1})  # fmt: skip
    raw = json.loads(json.dumps(event_dict(event), ensure_ascii=False))
    assert event_from_dict(raw) == event


def _hand_written_norms(model: keras.Model, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Backpropagation by hand for Dense(tanh) -> Dense(softmax) and the mean sparse cross-entropy."""
    (w1, b1), (w2, b2) = (layer.get_weights() for layer in model.layers)
    x64 = x.astype("float64")
    h = np.tanh(x64 @ w1 + b1)
    z = h @ w2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - np.eye(p.shape[1])[y]) / len(x)
    dw2, db2 = h.T @ dz, dz.sum(axis=0)
    da = (dz @ w2.T) * (1.0 - h**2)
    dw1, db1 = x64.T @ da, da.sum(axis=0)
    norm = lambda *gs: math.sqrt(sum(float((g**2).sum()) for g in gs))  # noqa: E731
    return {"hidden": norm(dw1, db1), "out": norm(dw2, db2)}


def test_gradient_norms_are_exactly_a_hand_written_backward_pass():
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(4, activation="tanh", name="hidden"),
         keras.layers.Dense(3, activation="softmax", name="out")]
    )  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2000, 5)).astype("float32"), rng.integers(0, 3, size=2000)
    bx, by = fixed_batch(x, y, 16)
    assert len(bx) == 16 and np.array_equal(bx, x[:16])
    assert len(fixed_batch(x[:300], y[:300], 16)[0]) == 8  # small data: a small batch, within the budget
    flow = GradientFlow(keras, model, bx, by)
    got = flow.norms()
    want = _hand_written_norms(model, bx, by)
    assert list(got) == ["hidden", "out"]
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-4), name
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)  # new weights: the same flow reads them
    moved = flow.norms()
    assert moved["out"] == pytest.approx(_hand_written_norms(model, bx, by)["out"], rel=1e-4)
    assert moved["out"] != pytest.approx(got["out"], rel=1e-3)


def test_a_collapsed_layer_is_called_out_in_words():
    assert collapse_notes([]) == []
    healthy = [{"embedding": 0.3, "lstm": 0.8, "dense": 0.4}]
    assert collapse_notes(healthy) == []
    notes = collapse_notes([{"rnn": 0.5, "dense": 1.0}, {"rnn": 2e-5, "dense": 0.9}])
    assert notes == [
        "rnn's gradient is 4.7 orders of magnitude below dense's: it has almost stopped learning (a vanishing "
        "gradient)"
    ]
    own = collapse_notes([{"rnn": 1.0, "dense": 0.001}, {"rnn": 1.0, "dense": 0.0009}])
    assert own == ["dense's gradient is 3.0 orders of magnitude below rnn's: it has almost stopped learning "
                   "(a vanishing gradient)"]  # fmt: skip
    fell = collapse_notes([{"rnn": 1.0, "dense": 1.0}, {"rnn": 1e-2, "dense": 0.3}])
    assert fell == []  # two orders down is a slowing, not a collapse
    fell = collapse_notes([{"rnn": 1.0, "dense": 1.0}, {"rnn": 9e-4, "dense": 0.5}])
    assert fell == ["rnn's gradient fell 3.0 orders of magnitude since the first epoch: it has almost stopped "
                    "learning"]  # fmt: skip


def test_probes_a_model_cannot_read_are_refused_before_training(tmp_path):
    digits = with_overrides(PRESETS["digits-mlp"].config, epochs=1, probes=("hello",))
    with pytest.raises(ConfigError, match="reads images, not text"):
        train(digits, lambda e: None, runs_dir=tmp_path)
    picture = tmp_path / "digit.png"
    picture.write_bytes(b"not a png")
    text = with_overrides(TINY, probes=(), probe_images=(str(picture),))
    with pytest.raises(ConfigError, match="reads text, not images"):
        train(text, lambda e: None, runs_dir=tmp_path)
    broken = with_overrides(digits, probes=(), probe_images=(str(picture),))
    with pytest.raises(ConfigError, match="not an image file"):
        train(broken, lambda e: None, runs_dir=tmp_path)
    missing = with_overrides(digits, probes=(), probe_images=(str(tmp_path / "gone.png"),))
    with pytest.raises(ConfigError, match="gone.png does not exist"):
        train(missing, lambda e: None, runs_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["digit.png"]  # no run folder was made


def test_probes_and_gradient_norms_reach_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from seqtui.core.config.run_config import RunConfig
    from seqtui.core.training.events import RunEnded, RunStarted
    from seqtui.core.training.tensorboard_log import TENSORBOARD_DIR, TensorBoardLog

    seen: list = []
    log = TensorBoardLog(seen.append, tmp_path, RunConfig(preset="x"), None)
    log(RunStarted(str(tmp_path), "x", 2, 0, 1, 10, 5, "binary", "accuracy"))
    for epoch, p in ((1, 0.25), (2, 0.75)):
        probe = {"probe": "좋은 영화", "kind": "text", "answer": "pos" if p > 0.5 else "neg",
                 "probabilities": {"neg": 1 - p, "pos": p}}  # fmt: skip
        log(EpochEnded(epoch, 2, {"loss": 1.0}, 1.0, 10.0, probes=[probe], grad_norms={"lstm": 0.1 / epoch}))
    log(RunEnded("completed", str(tmp_path), 2))
    acc = EventAccumulator(str(tmp_path / TENSORBOARD_DIR), size_guidance={"scalars": 0})
    acc.Reload()
    assert [(e.step, round(e.value, 5)) for e in acc.Scalars("probe/1_좋은_영화/pos")] == [
        (1, 0.25),
        (2, 0.75),
    ]
    assert [(e.step, round(e.value, 5)) for e in acc.Scalars("grad_norm/lstm")] == [(1, 0.1), (2, 0.05)]
    assert len(seen) == 4  # every event passed on
