"""No string from a user, a file or a run folder is parsed as Rich markup: labels, sentences, paths and run
names that look like markup come out literally on every output path (CLI tables, errors, the live view),
and the error handler itself never crashes on them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.training.events import EpochEnded, LogMessage, RunEnded, RunStarted
from seqtui.render import reporters as reporters_views
from seqtui.render import results as results_views
from seqtui.render import tables as tables_views

LINK = "[link=https://example.org/x]safe[/link]"
CONCEAL = "[conceal]secret[/conceal]ham"
QUOTE = "I agree [/quote]"
PATH_NAME = "reviews[en].csv"
RUN_NAME = "exp[bold]1"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def flat(output: str) -> str:
    """The output without table borders and line breaks, so folded cells read as one string."""
    for ch in "│┃┏┓┗┛━─┡┩└┘┌┐╇╈┼├┤":
        output = output.replace(ch, " ")
    return "".join(output.split())


def literally(text: str, output: str) -> bool:
    return "".join(text.split()) in flat(output)


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory) -> Path:
    """A finished text run trained on `reviews[en].csv` whose labels look like markup, in `exp[bold]1`."""
    root = tmp_path_factory.mktemp("markup")
    data = root / PATH_NAME
    rows = ["text,label"]
    for i in range(30):
        rows.append(f"good film number {i} loved it,{LINK}")
        rows.append(f"bad film number {i} hated it,{CONCEAL}")
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    runs = root / "runs"
    result = invoke("train", "--data", str(data), "--arch", "lstm", "--epochs", "1", "--units", "4",
                    "--embedding-dim", "4", "--maxlen", "8", "--json", "--runs-dir", str(runs))  # fmt: skip
    assert result.exit_code == 0, result.output
    end = json.loads(result.stdout.splitlines()[-1])
    renamed = Path(end["run_dir"]).with_name(RUN_NAME)
    Path(end["run_dir"]).rename(renamed)
    return renamed


def test_predict_shows_markup_looking_text_and_labels_literally(labelled_run):
    result = invoke("predict", str(labelled_run), QUOTE)
    assert result.exit_code == 0, result.output
    assert literally(QUOTE, result.output)
    assert literally(LINK, result.output) and literally(CONCEAL, result.output)
    assert "\x1b]8" not in result.output  # no OSC-8 hyperlink


def test_runs_lists_run_names_and_folder_names_literally(labelled_run):
    config = json.loads((labelled_run / "config.json").read_text())
    config["preset"] = "p[red]x[/red]"
    (labelled_run / "config.json").write_text(json.dumps(config))
    run = json.loads((labelled_run / "run.json").read_text())  # the name the list shows lives in run.json
    run["name"] = "p[red]x[/red]"
    (labelled_run / "run.json").write_text(json.dumps(run))
    result = invoke("runs", "--runs-dir", str(labelled_run.parent))
    assert result.exit_code == 0, result.output
    assert literally(RUN_NAME, result.output) and literally("p[red]x[/red]", result.output)


def test_errors_naming_markup_looking_paths_are_literal(tmp_path):
    result = invoke("predict", str(tmp_path / "nope[/quote]"), "x")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert literally("nope[/quote] is not a seqtui run folder", result.output)
    missing = tmp_path / PATH_NAME
    result = invoke("train", "--data", str(missing), "--runs-dir", str(tmp_path / "runs"))
    assert result.exit_code == 2 and literally(f"{PATH_NAME} does not exist", result.output)


def test_bad_data_errors_with_markup_looking_cells_are_literal(tmp_path):
    data = tmp_path / "s[b]eries.csv"
    data.write_text("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(50)) + "[/bold],3\n")
    result = invoke("train", "--data", str(data), "--runs-dir", str(tmp_path / "runs"))
    assert result.exit_code == 2, result.output
    assert literally("s[b]eries.csv", result.output) and literally("'[/bold]'", result.output)


def test_live_view_and_end_table_show_names_and_notes_literally():
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=200, color_system=None)
    with reporters_views.RichReporter(console) as reporter:
        reporter(RunStarted(f"runs/{RUN_NAME}", "exp[bold]x", 1, 0, 1, 10, 100, "multiclass", "accuracy"))
        reporter(LogMessage(f"{PATH_NAME}: labels from {LINK}", "info"))
        reporter(LogMessage("[/quote] warned", "warning"))
        reporter(EpochEnded(1, 1, {"loss": 0.5}, 1.0, 10.0))
    console.print(
        results_views.run_end_table(RunEnded("completed", f"runs/{RUN_NAME}", 1, {"accuracy": 0.5}))
    )
    output = buf.getvalue()
    for text in (RUN_NAME, "exp[bold]x", PATH_NAME, LINK, "[/quote] warned"):
        assert literally(text, output), text


def test_ranked_and_layers_tables_are_literal():
    buf = io.StringIO()
    console = Console(file=buf, width=200, color_system=None)
    console.print(tables_views.ranked_table(QUOTE, [(LINK, 0.9), (CONCEAL, 0.1)], 5))
    layers = {
        "total_params": 1,
        "layers": [{"name": "x[b]", "type": "Dense", "output_shape": [1], "params": 1}],
    }
    console.print(tables_views.layers_table("p[/x]", layers))
    output = buf.getvalue()
    for text in (QUOTE, LINK, CONCEAL, "x[b]", "p[/x]"):
        assert literally(text, output), text
