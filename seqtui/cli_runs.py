"""`seqtui runs`, `predict`, `export` and `serve`: thin Typer commands over a runs folder and its run folders,
registered on the app of `seqtui.cli` (which imports this module last). Nothing here imports Keras at module
level."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from seqtui import console as views
from seqtui import options as opt
from seqtui.cli import app, clear_errors, err, fail, given_runs_dir, out


# -- runs, predict ------------------------------------------------------------------------------------
@app.command()
def runs(
    ctx: typer.Context,
    runs_dir: opt.RunsDir = None,
) -> None:
    """List run folders: status, epochs, best validation and test metrics, duration."""
    from seqtui.core.run_list import list_runs
    from seqtui.core.runs import runs_root

    with clear_errors():
        root = runs_root(given_runs_dir(ctx, runs_dir))
        rows = list_runs(root)
    if not rows:
        out.print(Text(f"no runs under {root} yet; start one with `seqtui train --preset NAME`"))
        return
    out.print(views.runs_table(root, rows))


@app.command()
def predict(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    text: Annotated[
        list[str] | None, typer.Argument(help="Sentences to classify (or a seed text to continue).")
    ] = None,
    image: Annotated[Path | None, typer.Option(help="A digit image (PNG, JPEG...) for digit models.")] = None,
    words: Annotated[
        int, typer.Option(min=1, help="Generation: tokens to add (characters for character-level models).")
    ] = 10,
    temperature: Annotated[
        float, typer.Option(min=0.0, help="Generation: sampling temperature (0 = greedy).")
    ] = 0.7,
    top: Annotated[int, typer.Option(min=1, help="Show this many classes.")] = 5,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Show why: each token's (or image region's) effect on the class, by occlusion."
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="One JSON object per sentence (its tokens) or image: every class with its probability, "
            "best first; --explain adds why.",
        ),
    ] = False,
) -> None:
    """Predict with a trained run: class probabilities for text or a digit image, or generated text."""
    with clear_errors():
        from seqtui.core.predict import Predictor

        if image is None and not text:
            fail('give text to classify (seqtui predict RUN "a sentence") or --image FILE.png')
        predictor = Predictor.load(run, backend, given_runs_dir(ctx, runs_dir))
        for note in predictor.notes:
            err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
        if explain and predictor.task not in ("binary", "multiclass"):
            predictor.explain_text("")  # raises the clear message for generators and forecasters
        if as_json and predictor.task in ("binary", "multiclass") and image is None:
            sentences = list(text or [])
            for line, sentence in zip(predictor.explain_texts(sentences), sentences, strict=True):
                if explain:
                    line["explanation"] = predictor.explain_text(sentence).to_dict()
                print(json.dumps(line, ensure_ascii=False))
            return
        if image is not None:
            _predict_image(predictor, image, top, explain, as_json)
        elif predictor.task == "generation":
            for seed_text in text or []:
                continuation = predictor.generate(seed_text, words, temperature)
                if as_json:
                    print(json.dumps({"seed": seed_text, "continuation": continuation}, ensure_ascii=False))
                else:
                    out.print(
                        Text.assemble(seed_text + predictor.joiner, (continuation, "bold")), highlight=False
                    )
        else:
            for sentence, ranked in zip(text or [], predictor.classify_texts(list(text or [])), strict=True):
                expl = predictor.explain_text(sentence) if explain else None
                out.print(views.ranked_table(sentence, ranked, top))
                if expl is not None:
                    out.print(views.explanation_strip([t.text for t in expl.tokens], expl.importance))
                    out.print(views.text_explanation_table(expl))


def _predict_image(predictor: Any, image: Path, top: int, explain: bool, as_json: bool) -> None:
    from seqtui.datasets.images import mnist_like, read_image

    digit = mnist_like(read_image(image))
    ranked = predictor.classify_image(digit)
    expl = predictor.explain_image(digit) if explain else None
    if as_json:
        from seqtui.core.predict import classes_json

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


# -- export -------------------------------------------------------------------------------------------
@app.command()
def export(
    ctx: typer.Context,
    run: Annotated[Path, typer.Argument(help="A run folder (path, or name under the runs folder).")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="keras (any backend), savedmodel (TensorFlow) or onnx.")
    ] = "keras",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="The folder to create (default: RUN/export/FORMAT).")
    ] = None,
    runs_dir: opt.RunsDir = None,
    backend: opt.Backend = None,
) -> None:
    """Export a run's model with its encoder and a README showing how to load it in plain Keras."""
    from seqtui.core.export import FORMATS, export_run

    if format not in FORMATS:
        fail(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    with clear_errors():
        target = export_run(run, format, out_dir, given_runs_dir(ctx, runs_dir), backend)
    out.print(f"exported to {target} (see {target / 'README.md'})", highlight=False, markup=False)


# -- serve --------------------------------------------------------------------------------------------
@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the app to the network.")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    runs_dir: opt.RunsDir = None,
) -> None:
    """Use the app from a web browser (textual-serve): one app process per tab, the same runs folder."""
    from seqtui import serve as server
    from seqtui.core.runs import runs_root

    root = runs_root(given_runs_dir(ctx, runs_dir))
    warning = server.exposure_warning(host)
    if warning:
        err.print(Text.assemble(("warning:", "bold yellow"), " ", warning), highlight=False, soft_wrap=True)
    with clear_errors():
        server.check_port(host, port)
        err.print(
            f"seqtui on http://{host}:{port} (runs in {root.resolve()}); Ctrl+C stops it",
            highlight=False,
            markup=False,
        )
        server.serve(host, port, root)
