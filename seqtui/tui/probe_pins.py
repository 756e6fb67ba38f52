"""Probes pinned in the app for the next run: the sentence or drawn digit on Predict (`ctrl+b`), or the
first validation example the model there gets wrong (`ctrl+y`). The next run started from Setup takes the
pins its model can read (sentences for a text model, digits for an image model) as its `--probe`s."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seqtui.common.names import clean_text
from seqtui.core.config.run_config import RunConfig, with_overrides
from seqtui.core.config.validation import MAX_PROBES, dataset_input_kind

if TYPE_CHECKING:
    from seqtui.core.inference.first_mistake import Missed

PINS_DIR = ".probes"
"""Under the runs folder (a dot folder: never listed as a run): the pinned digits as PNG files."""


@dataclass
class Pins:
    texts: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def pin_text(self, text: str) -> str:
        """Pin a sentence; what happened, in words."""
        text = text.strip()
        if not text:
            return "Type a sentence first: an empty one can't be a probe."
        if text in self.texts:
            return "That sentence is pinned already."
        if len(self.texts) >= MAX_PROBES:
            return f"{MAX_PROBES} sentences are pinned already: the most a run records."
        self.texts.append(text)
        return f"Pinned as a probe for the next run ({len(self.texts)} sentences pinned)."

    def pin_image(self, pixels: np.ndarray, runs_dir: Path) -> str:
        """Pin a digit (28x28 uint8), saved as a PNG under the runs folder; what happened, in words."""
        from PIL import Image

        pixels = np.asarray(pixels, dtype="uint8")
        if not pixels.any():
            return "Draw a digit first: an empty canvas can't be a probe."
        if len(self.images) >= MAX_PROBES:
            return f"{MAX_PROBES} digits are pinned already: the most a run records."
        folder = Path(runs_dir) / PINS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"digit-{hashlib.sha256(pixels.tobytes()).hexdigest()[:12]}.png"
        if str(path.resolve()) in self.images:
            return "That digit is pinned already."
        Image.fromarray(pixels).save(path)
        self.images.append(str(path.resolve()))
        return f"Pinned as a probe for the next run ({len(self.images)} digits pinned)."

    def apply(self, config: RunConfig) -> RunConfig:
        """The config with the pins its model reads added to its own probes (at most MAX_PROBES in all): none
        for a registered forecaster or generator, digits for image data, sentences otherwise."""
        from seqtui.datasets.registry import DATASETS

        info = DATASETS.get(config.data.dataset)
        if info is not None and info.task in ("regression", "generation"):
            return config
        if dataset_input_kind(config.data.dataset) == "image":
            images = list(dict.fromkeys([*config.train.probe_images, *self.images]))
            return with_overrides(config, probe_images=tuple(images[:MAX_PROBES])) if self.images else config
        texts = list(dict.fromkeys([*config.train.probes, *self.texts]))
        return with_overrides(config, probes=tuple(texts[:MAX_PROBES])) if self.texts else config


def pin_current(screen: Any) -> None:
    """`ctrl+b` on Predict: the sentence typed, or the digit drawn, becomes a probe of the next run."""
    from textual.widgets import Input

    from seqtui.tui.widgets.digit_canvas import DigitCanvas

    app = screen.app
    session = screen.session
    if session is None or session.mode not in ("text", "digits"):
        app.notify("Pinning needs a text or digit classifier: choose one first.", severity="warning")
        return
    if session.mode == "text":
        said = app.pins.pin_text(screen.query_one("#sentence", Input).value)  # type: ignore[attr-defined]
    else:
        pixels = screen.query_one("#canvas", DigitCanvas).pixels
        said = app.pins.pin_image(pixels, app.runs_dir)  # type: ignore[attr-defined]
    app.notify(said)


def pin_first_mistake(screen: Any) -> None:
    """`ctrl+y` on Predict: find the first validation example this model gets wrong (in a thread: the
    data is loaded again) and pin it, saying which one."""
    app = screen.app
    session = screen.session
    if session is None or session.mode not in ("text", "digits"):
        app.notify("Pinning needs a text or digit classifier: choose one first.", severity="warning")
        return
    app.notify("Looking for the first validation example this model gets wrong...")

    def find() -> None:
        missed = session.first_mistake()
        app.call_from_thread(_pin_missed, app, missed)

    screen.run_worker(
        find, thread=True, exclusive=True, exit_on_error=False, group="pin", name="first mistake"
    )


def _pin_missed(app: Any, missed: Missed) -> None:
    what = f"validation example {missed.row + 1} (a {missed.true}, answered {missed.answer})"
    if missed.text is not None:
        said = app.pins.pin_text(missed.text)
    else:
        assert missed.pixels is not None
        said = app.pins.pin_image(missed.pixels, app.runs_dir)
    app.notify(f"{clean_text(what, 120)}: {said}")
