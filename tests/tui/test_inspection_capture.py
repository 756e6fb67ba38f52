"""The Predict screen's inspection tests replay `tests/tui/data/inspection.json`: this checks that the file
still holds what the real Predictor and Inspector compute on the tiny models (re-capture with
`python -m tests.tui.inspection_capture` after an intended change in the engine)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.tui.inspection_capture import CapturedSession, capture, inspection_of, load


def same(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two JSON values differ (numbers to 1e-5)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} != {len(b)} items"]
        return [d for n, (x, y) in enumerate(zip(a, b, strict=True)) for d in same(x, y, f"{path}/{n}")]
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return [] if math.isclose(a, b, abs_tol=1e-5) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


@pytest.mark.slow  # two models compiled and explained: ~20 s on 2 shared cores
def test_the_captured_data_is_what_the_engine_computes():
    differences = same(capture(), load())
    assert not differences, differences[:10]


def test_the_replayed_inspection_is_the_captured_one():
    session = CapturedSession("lstm")
    text = next(iter(session.data["sentences"]))
    data = session.data["sentences"][text]["inspection"]
    found = inspection_of(text, data)
    assert not same(found.to_dict(top=1000), data)  # every number survives the round trip (to 1e-5)


def test_the_engine_session_opens_one_inspector_and_answers_as_it_does(tmp_path):
    """The app's real session (what `seqtui` runs) over a tiny real model: warmed once, then the same numbers."""
    import numpy as np

    from seqtui.core.inference.predict import Predictor
    from seqtui.core.runs.folder import RunFolder
    from seqtui.tui.prediction import EngineSession
    from tests.tui.inspection_capture import CLASSES, LONG, MODELS, _model, encoder

    enc = encoder()
    model = _model(MODELS["lstm"], enc.tokenizer.vocab_size)
    session = EngineSession(Predictor(RunFolder(tmp_path), model, enc, "multiclass", CLASSES))
    assert session.inspect_views() == ["states", "gates", "gradient", "neighbours", "mistakes"]
    inspector = session.inspector
    session.warm_up()
    assert session.inspector is inspector and inspector._probe is not None  # the gradient is compiled
    found = session.inspect(LONG, ("states",))
    expected = load()["lstm"]["sentences"][LONG]["inspection"]["layers"][0]["hidden"]
    assert np.allclose(found.traces[0].hidden, [s["values"] for s in expected], atol=1e-5)
    assert (
        session.neighbours("날씨")[0].nearest[0][0]
        == load()["lstm"]["neighbours"]["날씨"][0]["nearest"][0]["word"]
    )
