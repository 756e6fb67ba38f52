"""One damaged run folder never hides the others: `seqtui runs` and the app's Runs screen list it as
`damaged` with the reason. Prediction and --resume check the model against the config and the encoder
before using it: an edited or mixed-up run folder is one clear message and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder
from seqtui.core.runs.listing import list_runs
from seqtui.tui.launch import make_app
from seqtui.tui.screens.runs import RunsScreen
from tests.tui_fakes import fake_summary

DAMAGES = {
    "metrics-text": ("metrics.json", '{"accuracy": "high"}', "accuracy='high', not a number"),
    "data-list": ("config.json", '{"data": [1]}', "data=[1], not an object"),
    "epochs-text": ("run.json", '{"status": "completed", "epochs": "five"}', "epochs='five'"),
    "bad-json": ("run.json", "{not json", "unreadable"),
    "history-text": ("history.csv", "epoch,loss\n1,low\n", "history.csv is unreadable"),
}


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def good_run(root: Path, name: str) -> RunFolder:
    folder = RunFolder.create(root, name)
    folder.write_config(RunConfig(preset=name), {})
    folder.write_history([{"epoch": 1, "loss": 0.5, "val_loss": 0.25, "val_accuracy": 0.75}])
    folder.update_status(status="completed", epochs=1, epochs_done=1, started="2026-01-01T00:00:00+00:00")
    return folder


@pytest.fixture
def runs_with_damage(tmp_path) -> Path:
    good_run(tmp_path, "good-one")
    for name, (file, text, _) in DAMAGES.items():
        folder = good_run(tmp_path, name)
        folder.file(file).write_text(text)
    return tmp_path


def test_list_runs_lists_each_damaged_folder_with_its_reason(runs_with_damage):
    rows = {r.path.name.split("-", 1)[1]: r for r in list_runs(runs_with_damage)}
    assert rows["good-one"].status == "completed" and not rows["good-one"].reason
    for name, (_, _, reason) in DAMAGES.items():
        assert rows[name].status == "damaged", name
        assert reason in rows[name].reason, (name, rows[name].reason)


def test_cli_runs_shows_damaged_folders_and_the_good_ones(runs_with_damage):
    result = invoke("runs", "--runs-dir", str(runs_with_damage))
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    statuses = [
        cells[2].strip()
        for cells in (line.split("│") for line in result.output.splitlines())
        if len(cells) > 2
    ]
    assert "good-one" in flat and statuses.count("damaged") == len(DAMAGES)
    assert "accuracy='high',notanumber" in "".join(result.output.replace("│", "").split())


def test_folder_without_run_json_is_listed_as_damaged(tmp_path):
    folder = good_run(tmp_path, "lost-status")
    folder.file("run.json").unlink()
    [row] = list_runs(tmp_path)
    assert row.status == "damaged" and "run.json is missing" in row.reason


async def test_runs_screen_lists_damaged_runs_without_crashing(runs_with_damage):
    app = make_app(runs_dir=runs_with_damage, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        table = app.screen.query_one("#runs", DataTable)
        statuses = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        assert table.row_count == len(DAMAGES) + 1 and statuses.count("✗ damaged") == len(DAMAGES)
        for row in range(table.row_count):  # walking over every row shows each reason, never crashes
            table.move_cursor(row=row)
            await pilot.pause()
        [metrics_row] = [i for i, run in enumerate(app.screen.runs) if run.path.name.endswith("metrics-text")]
        table.move_cursor(row=metrics_row)
        await pilot.pause()
        detail = str(app.screen.query_one("#run-detail", Static).render())
        assert "accuracy='high', not a number" in detail.replace("\n", "")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)  # a damaged run is not opened


def edit_json(path: Path, **changes) -> None:
    """Set each dotted key (a__b is raw["a"]["b"]) to its value; `...` removes the key."""
    raw = json.loads(path.read_text())
    for dotted, value in changes.items():
        target = raw
        *parents, key = dotted.split("__")
        for parent in parents:
            target = target[parent]
        if value is ...:
            del target[key]
        else:
            target[key] = value
    path.write_text(json.dumps(raw))


@pytest.fixture(scope="module")
def text_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("text-run")
    args = ["train", "--preset", "topics-en-lstm", "--limit", "200", "--epochs", "1", "--units", "4",
            "--embedding-dim", "4", "--maxlen", "8", "--json", "--runs-dir", str(root)]  # fmt: skip
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])


@pytest.mark.parametrize(
    ("file", "changes", "message"),
    [
        ("config.json", {"class_names": [1, 2]}, "class_names"),
        ("config.json", {"class_names": "abc"}, "holds class_names='abc', not a list of names"),
        (
            "config.json",
            {"task": "poetry"},
            "task='poetry', not one of binary, multiclass, regression, generation",
        ),
        ("config.json", {"task": ...}, "holds no task, not one of binary"),  # never guessed multiclass
        (
            "config.json",
            {"class_names": ["a", "b", "c"]},
            "the model has 21 outputs but config.json names 3 classes. config.json or encoder.json was edited, "
            "or the model comes from another run; train a new run",
        ),
        ("encoder.json", {"maxlen": -5}, "maxlen"),
        ("encoder.json", {"maxlen": 99}, "input"),
    ],
)
def test_predict_checks_the_model_against_config_and_encoder(tmp_path, text_run, file, changes, message):
    import shutil

    copy = tmp_path / text_run.name
    shutil.copytree(text_run, copy)
    edit_json(copy / file, **changes)
    result = invoke("predict", str(copy), "what is your favorite food")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "unexpected" not in result.output


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("digits-run")
    args = ["train", "--preset", "digits-mlp", "--limit", "200", "--epochs", "1", "--units", "8",
            "--json", "--runs-dir", str(root)]  # fmt: skip
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])


def copied(run: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(run, tmp_path / run.name))


@pytest.mark.parametrize(
    ("shape", "message"), [([784], "reads input of shape (28, 28, 1)"), ([20000, 20000], "shape=")]
)
def test_predict_refuses_an_image_encoder_of_another_shape(tmp_path, digits_run, shape, message):
    from PIL import Image

    run = copied(digits_run, tmp_path)
    edit_json(run / "encoder.json", shape=shape)
    Image.new("L", (28, 28), 0).save(tmp_path / "digit.png")
    result = invoke("predict", str(run), "--image", str(tmp_path / "digit.png"))
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "unexpected" not in result.output


def test_resume_refuses_a_checkpoint_of_another_architecture(tmp_path, digits_run):
    run = copied(digits_run, tmp_path)
    edit_json(run / "config.json", model__arch="cnn2d")
    result = invoke("train", "--resume", str(run), "--epochs", "2")
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "is not the model" in message and "Conv2D" in message
    assert message.endswith(
        "); the config was edited or the checkpoint comes from another run. Start a new run"
    )
    assert json.loads((run / "run.json").read_text())["status"] == "completed"  # left as it was


async def test_marking_damaged_runs_to_compare_never_crashes(runs_with_damage):
    """Space on a damaged run says why in place and leaves it out of the comparison; the good ones compare."""
    from seqtui.tui.widgets.run_compare import RunCompare

    app = make_app(runs_dir=runs_with_damage, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        table.focus()
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
        for key in ("t", "w", "v"):
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, RunsScreen) and app.is_running
        assert [p.name for p in screen.marked] == [r.path.name for r in screen.runs if not r.reason]
        [history_row] = [i for i, run in enumerate(screen.runs) if run.path.name.endswith("history-text")]
        table.move_cursor(row=history_row)
        await pilot.press("space")
        await pilot.pause()
        assert "is damaged" in str(screen.query_one("#run-detail", Static).render())
        assert len(screen.query_one("#compare", RunCompare).runs) == len(screen.marked)


async def test_compare_toggles_redraw_without_reading_the_folders_again(runs_with_damage, monkeypatch):
    """`t` and `w` redraw the compare chart from the histories read when the runs were marked."""
    good_run(runs_with_damage, "good-two")
    reads = []
    original = RunFolder.read_history
    monkeypatch.setattr(RunFolder, "read_history", lambda self: reads.append(self.path) or original(self))
    app = make_app(runs_dir=runs_with_damage, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        table.focus()
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("space")
        await pilot.pause()
        before = len(reads)
        for key in ("t", "w", "t", "w"):
            await pilot.press(key)
        await pilot.pause()
        assert len(screen.marked) == 2 and len(reads) == before


def test_resume_refuses_a_config_that_is_no_longer_valid(tmp_path, digits_run):
    run = copied(digits_run, tmp_path)
    edit_json(run / "config.json", model__units=-3)
    result = invoke("train", "--resume", str(run), "--epochs", "2")
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"{run}/config.json is not a valid config any more: " in message and message.endswith(
        "units: must be a whole number above 0 (got -3)"
    )
    assert json.loads((run / "run.json").read_text())["status"] == "completed"  # left as it was
