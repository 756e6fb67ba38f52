"""The CLI through Typer's CliRunner (and, where it matters, a real process): help without TensorFlow,
presets, summary, runs, predict, exit codes, and every bad input of docs/bad-inputs.md."""

from __future__ import annotations

import inspect
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import RunFolder
from tests.data_files import write_jena, write_reviews_csv

COMMANDS = [
    [],
    ["train"],
    ["presets"],
    ["summary"],
    ["runs"],
    ["runs", "rename"],
    ["runs", "note"],
    ["runs", "delete"],
    ["predict"],
    ["inspect"],
    ["datasets"],
    ["datasets", "fetch"],
    ["export"],
    ["serve"],
    ["compare"],
    ["sweep"],
    ["watch"],
]
SEQ = ["train", "--preset", "series-rnn", "--batch-size", "64"]
SMALL = ["--arch", "simple_rnn", "--units", "2", "--lookback", "6", "--delay", "1", "--patience", "0"]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})


def run_folders(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.is_dir()] if root.exists() else []


# -- help and import weight ------------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_help_lists_the_commands_in_the_order_they_are_used():
    """cli_runs and cli_experiments register their commands when cli imports them, in this order."""
    import re

    listed = re.findall(r"^│ (\w+) ", invoke("--help").output, flags=re.MULTILINE)
    assert listed == ["train", "presets", "summary", "runs", "predict", "inspect", "export", "serve", "compare", "sweep",
                      "watch", "datasets"]  # fmt: skip


def test_devices_says_in_each_command_what_it_means_there():
    """`train --devices` splits one run over devices; `compare --devices` trains several runs at once."""
    from typer.main import get_command

    commands = get_command(app).commands

    def devices_help(name: str) -> str:
        return " ".join(next(p.help for p in commands[name].params if p.name == "devices").split())

    train, compare = devices_help("train"), devices_help("compare")
    assert (
        train.startswith("Data parallel: this one run on N devices") and "global batch is batch x N" in train
    )
    assert compare.startswith("Runs at once, not data parallel: at most N runs side by side")
    assert "`compare --devices`" in train and "`train --devices`" in compare  # each points to the other


def test_help_answers_fast_without_tensorflow_or_keras():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from seqtui.cli.main import app\n"
        f"for command in {COMMANDS!r}:\n"
        "    assert CliRunner().invoke(app, command + ['--help']).exit_code == 0, command\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'textual') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    seqtui = Path(sys.executable).with_name("seqtui")
    start = time.perf_counter()
    result = subprocess.run([str(seqtui), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "train" in result.stdout
    assert time.perf_counter() - start < 5.0  # TensorFlow alone takes longer than this to import


# -- presets, summary, runs ----------------------------------------------------------------------------
def test_presets_table_lists_every_preset_with_its_parameters():
    result = invoke("presets")
    assert result.exit_code == 0
    for name, params in (("reuters-lstm", "185,046"), ("mnist-cnn", "1,199,882"), ("series-rnn", "131")):
        line = next(line for line in result.output.splitlines() if f" {name} " in line)
        assert params in line


def test_summary_json_gives_the_total_parameters():
    result = invoke("summary", "series-rnn", "--json")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert table["total_params"] == 131
    assert [row["type"] for row in table["layers"]] == ["SimpleRNN", "Dense"]


@pytest.mark.parametrize(("preset", "params"), [("spam-rnn", 287_585), ("nsmc-lstm", 3_617_377)])
def test_summary_of_a_preset_read_from_a_file_needs_no_file(preset, params):
    """The preset fixes vocab_size and maxlen, so the model's size is known without the data."""
    result = invoke("summary", preset, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_params"] == params


def test_summary_takes_trains_options():
    """--dataset instead of a preset, and the model options change the model that is summarised."""
    result = invoke("summary", "--dataset", "topics-en", "--arch", "gru", "--units", "8", "--embedding-dim",
                    "4", "--vocab-size", "50", "--dropout", "0.5", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["layers"]
    assert [r["type"] for r in rows] == ["Embedding", "GRU", "Dropout", "Dense"]
    assert rows[1]["params"] == 3 * ((4 + 8) * 8 + 2 * 8)  # Keras' GRU (reset_after) has two biases
    assert rows[-1]["output_shape"] == ["None", 21]  # topics-en has 21 topics


def test_summary_of_your_own_file_reads_its_shape(tmp_path):
    """--data with no dataset: the series' width (features) comes from the file."""
    from tests.data_files import write_jena

    path = write_jena(tmp_path / "jena.csv")
    result = invoke("summary", "--data", str(path), "--arch", "gru", "--units", "4", "--lookback", "12",
                    "--delay", "3", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["layers"]
    assert [r["type"] for r in rows] == ["GRU", "Dense"] and rows[-1]["output_shape"] == ["None", 1]
    features = 14  # every numeric column of Jena's CSV
    assert rows[0]["params"] == 3 * ((features + 4) * 4 + 2 * 4)


def test_summary_of_a_bad_setting_names_the_option():
    result = invoke("summary", "series-rnn", "--limit", "0")
    assert result.exit_code == 2 and "--limit: must be a whole number above 0" in result.output


def test_summary_of_an_unknown_preset_suggests_one():
    result = invoke("summary", "series-rn")
    assert result.exit_code == 2 and "Did you mean 'series-rnn'" in result.output


def test_runs_table_shows_every_status(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    for name, status in (("a", "completed"), ("b", "interrupted"), ("c", "diverged"), ("d", "running")):
        folder = RunFolder.create(tmp_path, name)
        folder.write_config(RunConfig(preset=f"preset-{name}"), {})
        folder.write_history([{"epoch": 1, "loss": 0.5, "val_loss": 0.25, "val_accuracy": 0.75}])
        folder.update_status(status=status, epochs=4, epochs_done=1, pid=gone.pid, host=socket.gethostname())
    result = invoke("runs", "--runs-dir", str(tmp_path))
    assert result.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "preset-" in line}
    assert {name: next(s for s in ("completed", "interrupted", "diverged", "crashed") if s in line)
            for name, line in rows.items()} == {
        "preset-a": "completed", "preset-b": "interrupted", "preset-c": "diverged", "preset-d": "crashed",
    }  # fmt: skip
    # best val, shortened to fit 80 columns
    assert "1/4" in rows["preset-a"] and "acc 0.7500" in rows["preset-a"]


def test_runs_in_an_empty_folder_says_how_to_start(tmp_path):
    result = invoke("runs", "--runs-dir", str(tmp_path / "none"))
    assert result.exit_code == 0 and "seqtui train --preset" in result.output


def _finished_run(root: Path, preset: str, **overrides) -> RunFolder:
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides

    config = with_overrides(PRESETS[preset].config, **overrides)
    folder = RunFolder.create(root, config.name)
    folder.write_config(config, {})
    folder.update_status(status="completed", epochs=2, epochs_done=2, host=socket.gethostname())
    return folder


def test_runs_rename_note_and_delete(tmp_path):
    gru = _finished_run(tmp_path, "topics-ko-lstm", arch="gru", units=128)
    plain = _finished_run(tmp_path, "digits-mlp")
    listing = invoke("runs", "--runs-dir", str(tmp_path)).output
    assert "topics-ko-lstm arch=gru units=128" in listing and "│ gru " in listing and "│ mlp " in listing
    at_80 = CliRunner().invoke(app, ["runs", "--runs-dir", str(tmp_path)], env={"COLUMNS": "80"}).output
    assert max(len(line) for line in at_80.splitlines()) <= 80 and f"│ {gru.path.name} " in at_80
    assert "status" in at_80 and "arch" in at_80 and "gru" in at_80  # the architecture under the status

    renamed = invoke("runs", "rename", str(gru.path), "GRU 실험 \x1b[31m", "--runs-dir", str(tmp_path))
    assert renamed.exit_code == 0 and "is now GRU 실험 [31m" in renamed.output
    noted = invoke("runs", "--runs-dir", str(tmp_path), "note", gru.path.name, "fast, but overfits")
    assert noted.exit_code == 0, noted.output  # the run by its folder's name, the folder given to `runs`
    listing = invoke("runs", "--runs-dir", str(tmp_path)).output
    assert "GRU 실험 [31m" in listing and "fast, but overfits" in listing and "\x1b" not in listing
    assert gru.read_json("run.json")["name"] == "GRU 실험 [31m"

    kept = CliRunner().invoke(
        app, ["runs", "delete", str(plain.path), "--runs-dir", str(tmp_path)], input="n\n"
    )
    assert kept.exit_code == 0 and "nothing deleted" in kept.output and plain.path.is_dir()
    unanswered = CliRunner().invoke(app, ["runs", "delete", str(plain.path), "--runs-dir", str(tmp_path)])
    assert unanswered.exit_code == 2 and "--yes" in unanswered.output and plain.path.is_dir()
    gone = CliRunner().invoke(
        app, ["runs", "delete", str(plain.path), "--runs-dir", str(tmp_path)], input="y\n"
    )
    assert gone.exit_code == 0 and "deleted" in gone.output and not plain.path.exists()

    gru.update_status(status="running", pid=os.getpid())
    busy = invoke("runs", "delete", str(gru.path), "--yes", "--runs-dir", str(tmp_path))
    assert busy.exit_code == 2 and "training now" in busy.output and gru.path.is_dir()
    for bad in (["rename", str(gru.path), " \t "], ["note", str(tmp_path / "nope"), "x"]):
        result = invoke("runs", *bad, "--runs-dir", str(tmp_path))
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output


def test_train_names_the_run_after_the_preset_and_what_changed_or_after_name(tmp_path):
    runs = tmp_path / "runs"
    tiny = ["--limit", "200", "--epochs", "1", "--units", "4", "--embedding-dim", "4", "--maxlen", "8", "--json",
            "--runs-dir", str(runs)]  # fmt: skip
    first = invoke("train", "--preset", "topics-en-lstm", "--arch", "gru", *tiny)
    assert first.exit_code == 0, first.output
    start = json.loads(first.stdout.splitlines()[0])
    assert start["name"] == "topics-en-lstm arch=gru embedding_dim=4 units=4 epochs=1 maxlen=8 limit=200"
    named = invoke("train", "--preset", "topics-en-lstm", "--name", "내 첫 GRU", "--arch", "gru", *tiny)
    assert named.exit_code == 0, named.output
    run_dir = Path(json.loads(named.stdout.splitlines()[-1])["run_dir"])
    assert RunFolder(run_dir).read_json("run.json")["name"] == "내 첫 GRU" and run_dir.name.endswith(
        "Z-내-첫-GRU"
    )
    listing = invoke("runs", "--runs-dir", str(runs)).output
    assert "내 첫 GRU" in listing and "topics-en-lstm arch=gru" in listing
    blank = invoke("train", "--preset", "topics-en-lstm", "--name", "  ", *tiny)
    assert blank.exit_code == 2 and "--name" in blank.output and "visible character" in blank.output


# -- train, predict, exit codes --------------------------------------------------------------------------
def test_train_then_predict_on_a_tiny_text_model(tmp_path):
    runs = tmp_path / "runs"
    args = ["train", "--preset", "topics-en-lstm", "--limit", "200", "--epochs", "1", "--units", "4",
            "--embedding-dim", "4", "--maxlen", "8", "--json", "--runs-dir", str(runs)]  # fmt: skip
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    end = json.loads(result.stdout.splitlines()[-1])
    assert end["event"] == "run_end" and end["status"] == "completed"
    result = invoke("predict", end["run_dir"], "what is your favorite food", "--top", "3")
    assert result.exit_code == 0, result.output
    probabilities = [float(cell) for line in result.output.splitlines() for cell in line.split("│")[2:3]
                     if cell.strip().replace(".", "").isdigit()]  # fmt: skip
    assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)
    from PIL import Image

    Image.new("L", (28, 28), 255).save(tmp_path / "digit.png")
    result = invoke("predict", end["run_dir"], "--image", str(tmp_path / "digit.png"))
    assert result.exit_code == 2 and "does not read images" in result.output


def test_runs_dir_before_the_command_and_predict_by_name(tmp_path):
    """`seqtui --runs-dir DIR CMD` reaches every command; `predict NAME --runs-dir DIR` finds the run."""
    runs = tmp_path / "elsewhere"
    result = invoke("--runs-dir", str(runs), *SEQ, "--epochs", "1")
    assert result.exit_code == 0, result.output
    assert "baseline val_mae=" in result.output  # the plain run line compares with "tomorrow equals now"
    [folder] = run_folders(runs)
    listing = invoke("--runs-dir", str(runs), "runs")
    assert listing.exit_code == 0 and "series-rnn" in listing.output and "no runs under" not in listing.output
    for args in (
        ["--runs-dir", str(runs), "predict", folder.name, "x"],
        ["predict", folder.name, "x", "--runs-dir", str(runs)],
    ):
        result = invoke(*args)  # found: a forecaster, not a text classifier
        assert result.exit_code == 2 and "regression model, not a text classifier" in result.output
    (folder / "encoder.json").write_text('{"kind": "text"}')
    result = invoke("predict", str(folder), "x")
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "encoder.json holds a damaged text encoder (no 'tokenizer' field)" in message


def test_runs_with_a_bad_setting_in_the_environment_is_one_message():
    result = invoke("runs", env={"SEQTUI_BACKEND": "theano"})
    assert result.exit_code == 2 and result.output.startswith(
        "error: backend 'theano' (from the environment)"
    )


def test_data_path_with_a_tilde_no_shell_expanded(monkeypatch, tmp_path):
    from seqtui.cli.common import config_from_options

    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_from_options(None, Path("~/x.csv"), None, {}).data.data_path == str(tmp_path / "x.csv")


def test_a_key_error_from_a_bug_is_unexpected_not_bad_input(monkeypatch):
    """Unknown names are bad input (exit 2); any other KeyError is a bug: one line, exit 1."""
    from seqtui.core.training import runner

    def broken(*args, **kwargs):
        raise KeyError("val_loss")

    monkeypatch.setattr(runner, "train", broken)
    result = invoke(*SEQ)
    assert result.exit_code == 1 and "unexpected KeyError: 'val_loss'" in result.output
    result = invoke("train", "--preset", "seris-rnn")
    assert result.exit_code == 2 and "unknown preset 'seris-rnn'" in result.output


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        ("completed", 0, ""),
        ("failed", 1, "could not save to runs/x: the disk is full"),
        ("diverged", 1, "the loss became NaN or infinite; lower the learning rate: --learning-rate 0.0001"),
        ("interrupted", 130, "stopped by request after epoch 1; resume with: seqtui train --resume runs/x"),
    ],
)
def test_exit_codes_follow_the_run_status(monkeypatch, status, code, message):
    """Real divergence, disk-full and stop runs are in tests/core/training/test_runner.py; here only how the CLI reports them."""
    from seqtui.core.training import runner
    from seqtui.core.training.events import RunEnded

    def fake_train(config, observer, cancel, runs_dir=None, backend=None, **kwargs):
        end = RunEnded(status, "runs/x", 1, {"loss": 0.5} if status == "completed" else {}, message)
        observer(end)
        return end

    monkeypatch.setattr(runner, "train", fake_train)
    result = invoke(*SEQ, "--json")
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["status"] == status  # stdout: JSON lines only
    if message:
        assert f"{status}: {message}" in " ".join(result.stderr.split())


def test_resume_changes_only_what_it_may(tmp_path):
    folder = RunFolder.create(tmp_path, "series-rnn")
    folder.write_config(RunConfig(preset="series-rnn"), {})
    folder.update_status(status="completed", epochs=2, epochs_done=2)
    folder.write_history([{"epoch": 1, "loss": 1.0}, {"epoch": 2, "loss": 0.5}])
    result = invoke("train", "--resume", str(folder.path), "--units", "8", "--preset", "x")
    assert result.exit_code == 2 and "drop --preset, --units" in result.output.replace("\n", "")
    result = invoke("train", "--resume", str(folder.path))
    assert result.exit_code == 2 and "--epochs N" in result.output
    result = invoke("train", "--resume", str(folder.path), "--epochs", "0")
    assert result.exit_code == 2 and "--epochs: must be a whole number above 0" in result.output
    result = invoke("train", "--resume", folder.path.name, "--epochs", "1", "--runs-dir", str(tmp_path))
    assert result.exit_code == 2 and "N above 2" in result.output


# -- bad input: one message, exit code 2, no run folder, no TensorFlow (docs/bad-inputs.md) ---------------
BAD = [
    (["--preset", "series-rnn", "--maxlen", "0"], "--maxlen: must be a whole number above 0"),
    (["--preset", "series-rnn", "--vocab-size", "-3"], "--vocab-size: must be a whole number above 0"),
    (["--preset", "series-rnn", "--units", "0"], "--units: must be a whole number above 0"),
    (["--preset", "series-rnn", "--epochs", "0"], "--epochs: must be a whole number above 0"),
    (["--preset", "series-rnn", "--batch-size", "0"], "--batch-size: must be a whole number above 0"),
    (["--preset", "series-rnn", "--dropout", "1"], "--dropout: must be in [0, 1)"),
    (["--preset", "series-rnn", "--dropout", "-0.5"], "--dropout: must be in [0, 1)"),
    (["--preset", "series-rnn", "--learning-rate", "0"], "--learning-rate: must be above 0"),
    (["--preset", "series-rnn", "--units", "100000000"], "--units: must be at most 65,536"),
    (["--preset", "imdb-cnn-lstm", "--maxlen", "4"], "--conv-kernel: Conv1D kernel 5 is longer than"),
    (["--preset", "imdb-cnn-lstm", "--maxlen", "7"], "--pool-size: Conv1D(5) then MaxPooling1D(4) leave no"),
    (["--preset", "series-rnn", "--arch", "conv1d"], "--conv-kernel: Conv1D kernel 5 is longer than the 3"),
    (["--preset", "series-rnn", "--step", "5"], "--step: must not exceed lookback 3"),
    (["--preset", "series-rnn", "--arch", "cnn2d"], "cnn2d needs images"),
    (["--preset", "digits-mlp", "--arch", "cnn_lstm"], "reads sequences; for images use cnn2d"),
    (["--preset", "seris-rnn"], "unknown preset 'seris-rnn'. Did you mean 'series-rnn'"),
    (["--preset", "series-rnn", "--arch", "lstn"], "unknown architecture 'lstn'. Did you mean 'lstm'"),
    (["--dataset", "imbd"], "unknown dataset 'imbd'. Did you mean 'imdb'"),
    (["--preset", "series-rnn", "--optimizer", "adma"], "unknown optimizer 'adma'. Did you mean 'adam'"),
    (
        ["--preset", "series-rnn", "--split", "words"],
        "--split: must be one of whitespace, character, morpheme",
    ),
    (
        ["--preset", "topics-ko-lstm", "--tokenizer", "morphems"],
        "unknown tokenizer 'morphems'. Did you mean 'morphemes'?",
    ),
    (["--preset", "topics-ko-lstm", "--stopwords", "{tmp}/none.txt"], "none.txt does not exist"),
    (["--preset", "series-rnn", "--backend", "theano"], "unknown backend 'theano'"),
    (["--preset", "spam-rnn"], "dataset 'sms-spam' reads your file: --data spam.csv"),
    (["--data", "{tmp}/missing.csv"], "missing.csv does not exist"),
    (["--epochs", "3"], "say what to train"),
    (["--preset", "series-rnn", "--runs-dir", "{tmp}/file/runs"], "can't write run folders under"),
    (["--resume", "{tmp}/nowhere"], "is not a seqtui run folder"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_bad_input_is_one_message_and_exit_2_with_no_run_folder(tmp_path, runs_dir, args, message):
    (tmp_path / "file").write_text("a file, not a folder")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = invoke("train", *args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert message in text
    assert result.output.startswith("error:") and "Traceback" not in result.output
    assert run_folders(runs_dir) == []


def test_bad_input_never_imports_tensorflow(tmp_path):
    """A real process: the answer to a bad value comes before TensorFlow (and its seconds of import)."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from seqtui.cli.main import app\n"
        f"for args, _ in {BAD!r}:\n"
        f"    args = [a.replace('{{tmp}}', {str(tmp_path)!r}) for a in args]\n"
        "    result = CliRunner().invoke(app, ['train', *args])\n"
        "    assert result.exit_code == 2, (args, result.output)\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    (tmp_path / "file").write_text("x")
    env = {**os.environ, "SEQTUI_RUNS_DIR": str(tmp_path / "runs")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert run_folders(tmp_path / "runs") == []


def test_every_model_and_data_setting_has_an_option():
    """The settings the error messages name (--conv-kernel, --pool-size, ...) exist and are checked."""
    result = invoke(
        "train", "--preset", "imdb-cnn-lstm", "--maxlen", "7", "--conv-kernel", "9", "--padding", "mid",
        "--truncating", "post", "--validation-split", "1.5", "--test-split", "0.1", "--conv-filters", "0",
        "--pool-size", "2", "--dense-units", "8",
    )  # fmt: skip
    assert result.exit_code == 2
    for field in ("--padding", "--validation-split", "--conv-kernel", "--conv-filters"):
        assert field in result.output
    assert "--truncating" not in result.output and "--test-split" not in result.output


def test_tables_at_80_columns_never_cut_the_names_you_type(tmp_path):
    from rich.console import Console

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.runs.listing import list_runs
    from seqtui.datasets.registry import DATASETS
    from seqtui.render import tables as tables_views

    for index in range(3):
        folder = RunFolder.create(tmp_path, "imdb-cnn-lstm-500")
        folder.write_config(RunConfig(preset="imdb-cnn-lstm-500"), {})
        folder.update_status(status="completed", epochs=4, epochs_done=index, host=socket.gethostname())
    runs = list_runs(tmp_path)

    def lines(renderable, width: int = 80) -> list[str]:
        screen = Console(width=width, record=True, file=io.StringIO())
        screen.print(renderable)
        text = screen.export_text()
        assert max(len(line) for line in text.splitlines()) <= width
        return text.splitlines()

    presets = lines(tables_views.presets_table(PRESETS.values()))
    assert all(any(f"│ {name} " in line for line in presets) for name in PRESETS)
    datasets = lines(tables_views.datasets_table(DATASETS.values(), 80))
    assert all(any(f"│ {name} " in line for line in datasets) for name in DATASETS)
    assert len(datasets) <= 32  # one line per dataset, the hints grouped below
    wide = lines(tables_views.datasets_table(DATASETS.values(), 120), 120)
    assert any("how to get it" in line for line in wide)
    folders = lines(tables_views.runs_table(tmp_path, runs))
    assert all(any(f"│ {run.path.name} " in line for line in folders) for run in runs)


def test_leave_now_flushes_and_exits_at_once_only_after_a_deep_learning_library_loaded():
    script = (
        "import sys; from seqtui.common.exit import leave_now; print('kept', end=''); leave_now(5); "
        "sys.modules['keras'] = sys; print(' flushed', end=''); leave_now(3); print('never')"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (3, "kept flushed")


def test_train_and_summary_take_the_same_run_settings_each_with_its_help():
    import typer.main

    from seqtui.cli.common import _run_settings

    group = typer.main.get_command(app)
    shared = list(inspect.signature(_run_settings).parameters)
    for name in ("train", "summary"):
        params = {p.name: p for p in group.commands[name].params}  # type: ignore[attr-defined]
        assert all(params[s].help for s in shared), name
        assert [p for p in params if p in shared] == shared, name


# -- non-UTF-8 names, option names in messages, split advice, train and resume alike ---------------------
def test_non_utf8_folder_names_train_and_print(tmp_path):
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    data = write_jena(folder / "jena.csv", rows=300)
    result = invoke(
        "train", "--data", str(data), "--epochs", "1", *SMALL, "--runs-dir", str(tmp_path / "runs")
    )
    assert result.exit_code == 0, result.output
    [run] = (tmp_path / "runs").iterdir()
    assert RunFolder(run).read_config().data.data_path == str(data)  # the name reads back exactly
    result = invoke("predict", str(folder / "no-run"), "x")
    assert result.exit_code == 2 and "is not a seqtui run folder" in result.output


def test_extreme_validation_split_gets_split_advice(tmp_path):
    series = write_jena(tmp_path / "jena.csv", rows=300)
    result = invoke("train", "--data", str(series), *SMALL, "--validation-split", "0.9999",
                    "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "Lower --validation-split" in message and "--lookback" not in message
    table = write_reviews_csv(tmp_path / "reviews.csv")
    result = invoke(
        "train", "--data", str(table), "--validation-split", "0.9999", "--runs-dir", str(tmp_path)
    )
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "--validation-split" in message and "add rows" not in message, message


def test_limit_zero_is_named_limit():
    result = invoke("train", "--preset", "series-rnn", "--limit", "0")
    assert result.exit_code == 2 and "--limit:" in result.output and "--sample-limit" not in result.output


def test_headless_train_and_resume_pass_the_same_where_options(monkeypatch, tmp_path):
    """`train` and `train --resume` hand the runner the same runs folder, backend, TensorBoard, MLflow and
    devices choices (written once in run_training)."""
    from rich.console import Console

    from seqtui.core.training import resume, runner
    from seqtui.headless.train import run_training

    calls = {}
    monkeypatch.setattr(runner, "train", lambda config, rep, cancel, **kw: calls.setdefault("train", kw))
    monkeypatch.setattr(resume, "resume", lambda run, rep, cancel, **kw: calls.setdefault("resume", kw))
    where = dict(tensorboard=False, mlflow_uri="http://127.0.0.1:1", devices="2")
    console = Console(file=open(os.devnull, "w"))  # noqa: SIM115
    run_training(RunConfig(), None, {}, tmp_path, "jax", False, console, console, **where)
    run_training(None, tmp_path / "run", {"epochs": 5}, tmp_path, "jax", False, console, console, **where)
    expected = {"runs_dir": tmp_path, "backend": "jax", **where}
    assert calls["train"] == expected and calls["resume"] == {**expected, "epochs": 5}
