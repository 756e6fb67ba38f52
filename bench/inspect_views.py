"""How long does each `seqtui inspect` view take for a 200-token sentence once the model is loaded? (issue 22)

Models at the lessons' sizes, built with seqtui's own builder (random weights: the time does not depend on
them), maxlen 200, a 200-token sentence: imdb-lstm (Embedding(5000,120) LSTM(120)), imdb-gru, imdb-simple-rnn,
a stacked bidirectional LSTM(64), and imdb-cnn-lstm (Conv1D(64,5) MaxPooling1D(4) LSTM(55)). Each view is
timed on its first call (it builds the layer taps or compiles the gradient) and as the median of 5 later
calls (what the app pays per keystroke). The neighbours view searches the 5,000-word embedding. A unit's
fragments read the peaks of 1,000 validation sequences, computed once ("peaks"); the projection places the 60
most frequent words and draws them; mnist-cnn's feature maps (Conv2D(32) Conv2D(64) MaxPooling2D) are computed
and drawn for a digit.

Usage: python bench/inspect_views.py [--backend tensorflow|jax] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

MODELS = {
    "imdb-lstm": dict(arch="lstm", embedding_dim=120, units=120),
    "imdb-gru": dict(arch="gru", embedding_dim=120, units=120),
    "imdb-simple-rnn": dict(arch="simple_rnn", embedding_dim=32, units=32),
    "bilstm-stacked": dict(arch="lstm", embedding_dim=64, units=64, layers=2, bidirectional=True),
    "imdb-cnn-lstm": dict(arch="cnn_lstm", embedding_dim=100, units=55, conv_filters=64, conv_kernel=5),
}
MAXLEN, VOCAB, TOKENS = 200, 5000, 200


def inspector(settings: dict[str, Any]) -> Any:
    from seqtui.core.config.run_config import ModelConfig
    from seqtui.core.inference.inspect import Inspector
    from seqtui.core.inference.predict import Predictor
    from seqtui.core.model.architectures import InputSpec, build_model
    from seqtui.core.runs.folder import RunFolder
    from seqtui.datasets.base import TextEncoder
    from seqtui.datasets.tokenizer import Tokenizer

    tokenizer = Tokenizer(word_index={f"w{i}": i + 2 for i in range(VOCAB - 2)})
    model = build_model(ModelConfig(**settings), InputSpec("tokens", (MAXLEN,), VOCAB), "binary", 1)
    folder = RunFolder(Path(tempfile.mkdtemp()))
    return Inspector(Predictor(folder, model, TextEncoder(tokenizer, MAXLEN), "binary", ["neg", "pos"]))


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(first call, median of `repeat` later calls) in seconds."""
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    later = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        later.append(time.perf_counter() - start)
    return first, statistics.median(later)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="tensorflow")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["KERAS_BACKEND"] = args.backend
    from seqtui.common.keras_door import import_keras

    import_keras(args.backend)
    text = " ".join(f"w{(i * 37) % (VOCAB - 2)}" for i in range(TOKENS))
    print(
        f"{date.today()}  {platform.processor() or platform.machine()}  {os.cpu_count()} cores  {args.backend}"
    )
    print(f"{'model':16} {'view':10} {'first s':>8} {'later s':>8}")
    for name, settings in MODELS.items():
        inspect = inspector(settings)
        views = {
            "states": lambda i=inspect: i.inspect(text, ["states"]),
            "gates": lambda i=inspect: i.inspect(text, ["gates"]),
            "gradient": lambda i=inspect: i.inspect(text, ["gradient"]),
            "filters": lambda i=inspect: i.inspect(text, ["filters"]),
            "neighbours": lambda i=inspect: i.neighbours("w7"),
        }
        for view, call in views.items():
            if view not in inspect.views:
                continue
            first, later = timed(call, args.repeat)
            print(f"{name:16} {view:10} {first:8.3f} {later:8.3f}", flush=True)
        more_views(name, inspect, args.repeat)
    image_views(args.repeat)


VALIDATION = 1000
"""Validation sequences the unit fragments read (Inspector.unit_fragments' default limit)."""


def drawn(renderable: Any) -> None:
    """Render to a throwaway 120-column console: what a view costs on screen, not only in NumPy."""
    from rich.console import Console

    Console(width=120, file=open(os.devnull, "w"), color_system="truecolor").print(renderable)  # noqa: SIM115


def more_views(name: str, inspect: Any, repeat: int) -> None:
    """The unit fragments (the validation set's peaks once, then any unit from them) and the projection."""
    import numpy as np

    from seqtui.render.scatter import scatter

    if "states" in inspect.views and name != "imdb-cnn-lstm":  # its LSTM reads pooled windows, not tokens
        rng = np.random.default_rng(0)
        sequences = rng.integers(2, VOCAB, size=(VALIDATION, MAXLEN))
        start = time.perf_counter()
        inspect._peaks = inspect.peaks_of(sequences)
        print(f"{name:16} {'peaks':10} {time.perf_counter() - start:8.3f} {'(once)':>8}", flush=True)
        ref = inspect.unit(f"{inspect.unit_layers()[0][0]}:0")
        first, later = timed(lambda: inspect.unit_fragments(ref), repeat)
        print(f"{name:16} {'unit':10} {first:8.3f} {later:8.3f}", flush=True)
    first, later = timed(lambda: drawn(scatter(inspect.projection(), 118, 30)), repeat)
    print(f"{name:16} {'projection':10} {first:8.3f} {later:8.3f}", flush=True)


def image_views(repeat: int) -> None:
    """mnist-cnn's feature maps for a drawn digit, computed and drawn (4 channels a layer)."""
    import numpy as np

    from seqtui.core.config.run_config import ModelConfig
    from seqtui.core.inference.inspect import Inspector
    from seqtui.core.inference.predict import Predictor
    from seqtui.core.model.architectures import InputSpec, build_model
    from seqtui.core.runs.folder import RunFolder
    from seqtui.datasets.base import ImageEncoder
    from seqtui.render.feature_maps import feature_maps_view

    config = ModelConfig("cnn2d", conv_filters=64, dense_units=128)
    model = build_model(config, InputSpec("image", (28, 28, 1)), "multiclass", 10)
    folder = RunFolder(Path(tempfile.mkdtemp()))
    inspect = Inspector(Predictor(folder, model, ImageEncoder(), "multiclass", [str(d) for d in range(10)]))
    digit = np.zeros((28, 28), dtype="uint8")
    digit[5:23, 12:16] = 255
    first, later = timed(lambda: drawn(feature_maps_view(inspect.feature_maps(digit), 118, False)), repeat)
    print(f"{'mnist-cnn':16} {'maps':10} {first:8.3f} {later:8.3f}", flush=True)


if __name__ == "__main__":
    main()
