"""The first validation mistake a trained model makes (what the app pins as a probe) is the first row of the
rebuilt validation split whose predicted class is not its label, with the run's own raw text."""

from __future__ import annotations

import numpy as np

from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import with_overrides
from seqtui.core.inference.first_mistake import first_validation_mistake
from seqtui.core.inference.inspect_mistakes import rebuilt_data
from seqtui.core.inference.predict import Predictor
from seqtui.core.training.runner import train

TINY = with_overrides(
    PRESETS["topics-en-lstm"].config, units=8, embedding_dim=8, vocab_size=300, sample_limit=300,
    epochs=1, batch_size=32, patience=0, grad_flow=False,
)  # fmt: skip


def test_the_first_validation_mistake_is_the_first_wrong_row(tmp_path):
    end = train(TINY, lambda e: None, runs_dir=tmp_path, tensorboard=False)
    predictor = Predictor.load(end.run_dir)
    missed = first_validation_mistake(predictor)
    data = rebuilt_data(predictor)
    predicted = predictor.model.predict(data.x_val, verbose=0).argmax(axis=1)
    wrong = np.flatnonzero(predicted != data.y_val)
    assert missed.row == wrong[0]
    assert missed.true == predictor.class_names[data.y_val[missed.row]]
    assert missed.answer == predictor.class_names[predicted[missed.row]] != missed.true
    assert missed.text == str(data.words["val"][missed.row]) and missed.pixels is None
    assert predictor.classify_texts([missed.text])[0][0][0] == missed.answer  # pinned, it reads the same
