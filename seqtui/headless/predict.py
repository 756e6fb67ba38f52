"""`seqtui predict` headless: a run's model loaded once, then class probabilities for each text or an image
(a table, or JSON lines with --json), or generated text. Nothing here imports Keras at module level."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from seqtui.render import console as views


def run_predict(
    run: Path,
    texts: list[str],
    image: Path | None,
    runs_dir: Path | None,
    backend: str | None,
    words: int,
    temperature: float,
    top: int,
    explain: bool,
    as_json: bool,
    out: Console,
    err: Console,
) -> None:
    """Load the run folder `run` and answer for the `image`, or else for each of `texts`; with `explain`,
    why (each token's or image region's effect on the class)."""
    from seqtui.core.inference.predict import Predictor

    predictor = Predictor.load(run, backend, runs_dir)
    for note in predictor.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    if explain and predictor.task not in ("binary", "multiclass"):
        predictor.explain_text("")  # raises the clear message for generators and forecasters
    if image is not None:
        _predict_image(predictor, image, top, explain, as_json, out)
    elif predictor.task == "generation":
        _generate(predictor, texts, words, temperature, as_json, out)
    elif as_json and predictor.task in ("binary", "multiclass"):
        for line, sentence in zip(predictor.explain_texts(texts), texts, strict=True):
            if explain:
                line["explanation"] = predictor.explain_text(sentence).to_dict()
            print(json.dumps(line, ensure_ascii=False))
    else:
        for sentence, ranked in zip(texts, predictor.classify_texts(texts), strict=True):
            expl = predictor.explain_text(sentence) if explain else None
            out.print(views.ranked_table(sentence, ranked, top))
            if expl is not None:
                out.print(views.explanation_strip([t.text for t in expl.tokens], expl.importance))
                out.print(views.text_explanation_table(expl))


def _generate(
    predictor: Any, texts: list[str], words: int, temperature: float, as_json: bool, out: Console
) -> None:
    """Each seed text continued by `words` tokens."""
    for seed_text in texts:
        continuation = predictor.generate(seed_text, words, temperature)
        if as_json:
            print(json.dumps({"seed": seed_text, "continuation": continuation}, ensure_ascii=False))
        else:
            out.print(Text.assemble(seed_text + predictor.joiner, (continuation, "bold")), highlight=False)


def _predict_image(predictor: Any, image: Path, top: int, explain: bool, as_json: bool, out: Console) -> None:
    from seqtui.datasets.images import mnist_like, read_image

    digit = mnist_like(read_image(image))
    ranked = predictor.classify_image(digit)
    expl = predictor.explain_image(digit) if explain else None
    if as_json:
        from seqtui.core.inference.predict import classes_json

        row: dict[str, Any] = {
            "image": str(image),
            "classes": classes_json(ranked),
        }  # every class, as for text
        if expl is not None:
            row["explanation"] = expl.to_dict()
        print(json.dumps(row))
        return
    out.print(views.ranked_table(str(image), ranked, top))
    if expl is not None:
        out.print(
            f"why {expl.class_name} ({expl.probability:.3f}): shade = drop when that area is hidden",
            markup=False,
        )
        out.print(views.heat_map_text(expl.heat))
