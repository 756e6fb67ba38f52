"""`seqtui predict` headless: a run's model loaded once, then class probabilities for each text or image
(a table, or JSON lines with --json), or generated text; with `--input FILE` (`-`: standard input), for each
line, answered in batches as the lines come. Nothing here imports Keras at module level."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from seqtui.render import explanations as explanations_views
from seqtui.render import tables as tables_views

IMAGE_BATCH = 256
"""Images read, prepared and predicted together (one forward pass each): any folder in little memory."""
LINE_BATCH = 256
"""Lines of --input predicted together (one forward pass); fewer when no more have come within LINE_WAIT."""
LINE_WAIT = 0.05
"""Seconds a batch of lines waits for one more line: a pipe is answered in big batches, a person at once."""


def run_predict(
    run: Path,
    texts: list[str],
    images: list[Path],
    runs_dir: Path | None,
    backend: str | None,
    words: int,
    temperature: float,
    top: int,
    explain: bool,
    as_json: bool,
    out: Console,
    err: Console,
    source: str | None = None,
) -> None:
    """Load the run folder `run` once and answer for each of `images` (files, or folders of them), or else
    for each of `texts`, or else for each line of the file `source` (`-`: standard input); with `explain`,
    why (each token's or image region's effect on the class)."""
    from seqtui.core.inference.predict import Predictor
    from seqtui.headless.line_stream import open_source

    paths = _image_paths(images, texts)  # checked before the model loads: a bad path fails at once
    stream = open_source(source) if source is not None else None
    reads = "image" if paths else None if explain else "text"  # --explain says why a forecaster can't
    predictor = Predictor.load(run, backend, runs_dir, reads)
    for note in predictor.notes:
        err.print(Text.assemble(("note:", "yellow"), " ", note), highlight=False, soft_wrap=True)
    if explain and predictor.task not in ("binary", "multiclass"):
        predictor.explain_text("")  # raises the clear message for generators and forecasters
    show = TextAnswers(predictor, words, temperature, top, explain, as_json, out)
    if paths:
        _predict_images(predictor, paths, top, explain, as_json, out)
    elif stream is not None:
        from seqtui.headless.line_stream import answer_lines

        answer_lines(show.answer, stream, LINE_BATCH, LINE_WAIT, err)  # left open: a reader may be inside it
    else:
        show.answer(texts)


@dataclass
class TextAnswers:
    """How `predict` answers texts: a table per sentence (one line each in a stream), or a JSON object each;
    for a text generator, each text as a seed continued."""

    predictor: Any
    words: int
    temperature: float
    top: int
    explain: bool
    as_json: bool
    out: Console

    def answer(self, texts: list[str], numbers: list[int] | None = None) -> None:
        """Print the answers for `texts`, in one forward pass for a classifier; `numbers` (the texts' line
        numbers in a stream) makes each answer one line, with its number in the JSON object."""
        predictor, out = self.predictor, self.out
        if predictor.task == "generation":
            _generate(predictor, texts, self.words, self.temperature, self.as_json, out, numbers)
        elif self.as_json:
            rows = predictor.explain_texts(texts)
            for i, (row, sentence) in enumerate(zip(rows, texts, strict=True)):
                if self.explain:
                    row["explanation"] = predictor.explain_text(sentence).to_dict()
                print(json.dumps(row if numbers is None else {"line": numbers[i], **row}, ensure_ascii=False))
        else:
            for sentence, ranked in zip(texts, predictor.classify_texts(texts), strict=True):
                expl = predictor.explain_text(sentence) if self.explain else None
                if numbers is not None and expl is None:
                    out.print(
                        tables_views.ranked_line(sentence, ranked, self.top), soft_wrap=True, highlight=False
                    )
                    continue
                out.print(tables_views.ranked_table(sentence, ranked, self.top))
                if expl is not None:
                    out.print(
                        explanations_views.explanation_strip([t.text for t in expl.tokens], expl.importance)
                    )
                    out.print(explanations_views.text_explanation_table(expl))


def _generate(
    predictor: Any,
    texts: list[str],
    words: int,
    temperature: float,
    as_json: bool,
    out: Console,
    numbers: list[int] | None = None,
) -> None:
    """Each seed text continued by `words` tokens (`numbers`: the seeds' line numbers in a stream)."""
    for i, seed_text in enumerate(texts):
        continuation = predictor.generate(seed_text, words, temperature)
        if as_json:
            row = {"seed": seed_text, "continuation": continuation}
            print(json.dumps(row if numbers is None else {"line": numbers[i], **row}, ensure_ascii=False))
        else:
            out.print(Text.assemble(seed_text + predictor.joiner, (continuation, "bold")), highlight=False)


def _image_paths(images: list[Path], texts: list[str]) -> list[Path]:
    """Every image file to predict. Paths after `--image a.png` (a shell's `--image *.png`) are images too
    when each one exists; text beside images is refused, never silently dropped."""
    from seqtui.datasets.errors import DataError
    from seqtui.datasets.images import image_paths

    if not images:
        return []
    extra = [Path(t) for t in texts]
    missing = [str(p) for p in extra if not p.exists()]
    if missing:
        raise DataError(
            f"give images or text, not both: {missing[0]!r} follows --image but is no file; repeat --image "
            "for each image (or give a folder), or predict text in another call"
        )
    return image_paths(images + extra)


def _predict_images(
    predictor: Any, paths: list[Path], top: int, explain: bool, as_json: bool, out: Console
) -> None:
    """Each image read, prepared as the run's training images were, and classified, in batches."""
    import numpy as np

    from seqtui.datasets.images import read_image

    for start in range(0, len(paths), IMAGE_BATCH):
        batch = paths[start : start + IMAGE_BATCH]
        prepared = [predictor.prepare_image(read_image(path)) for path in batch]
        ranked = predictor.classify_images(np.stack([p.pixels for p in prepared]))
        for path, ready, classes in zip(batch, prepared, ranked, strict=True):
            _show_image(predictor, path, ready, classes, top, explain, as_json, out)


def _show_image(
    predictor: Any, path: Path, ready: Any, ranked: Any, top: int, explain: bool, as_json: bool, out: Console
) -> None:
    expl = predictor.explain_image(ready.pixels) if explain else None
    if as_json:
        from seqtui.core.inference.predict import classes_json

        row: dict[str, Any] = {
            "image": str(path),
            "preparation": predictor.encoder.preparation,
            "prepared": ready.how,
            "classes": classes_json(ranked),
        }  # every class, as for text
        if expl is not None:
            row["explanation"] = expl.to_dict()
        print(json.dumps(row))
        return
    out.print(tables_views.ranked_table(str(path), ranked, top))
    out.print(Text(f"prepared: {ready.how}", style="dim"))
    if expl is not None:
        out.print(
            f"why {expl.class_name} ({expl.probability:.3f}): shade = drop when that area is hidden",
            markup=False,
        )
        out.print(explanations_views.heat_map_text(expl.heat))


FORECAST_ROWS = 10
"""Test windows `predict --forecast` lists (the last ones); --json gives them all."""


def run_forecast(run: Path, runs_dir: Path | None, backend: str | None, as_json: bool, out: Console) -> None:
    """A forecaster's forecasts over its own test windows against the real series, with their MAE and the
    naive baseline's, in the series' units (a table, or one JSON object with --json)."""
    from seqtui.core.inference.predict import Predictor

    predictor = Predictor.load(run, backend, runs_dir)
    forecast = predictor.forecast_test()  # a classifier or generator: a clear "not a forecaster"
    if as_json:
        print(json.dumps({"target": forecast.target, "unit": forecast.unit, "mae": forecast.mae,
                          "baseline_mae": forecast.baseline_mae, "real": forecast.real,
                          "predicted": forecast.predicted}, ensure_ascii=False))  # fmt: skip
        return
    out.print(tables_views.forecast_table(forecast, FORECAST_ROWS))
