"""`seqtui compare`: comma lists become runs on one split and seed, a leaderboard, a comparison folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.experiments.compare import COMPARE_FILE, Standing
from seqtui.core.runs.folder import RunFolder
from seqtui.core.training.events import EpochEnded, RunEnded, RunStarted
from seqtui.render.experiments import leaderboard_table

TINY = ["--preset", "topics-en-lstm", "--limit", "200", "--epochs", "2", "--units", "4",
        "--embedding-dim", "4", "--maxlen", "8", "--patience", "0"]  # fmt: skip


def invoke(*args: str, width: int = 200):
    return CliRunner().invoke(app, ["compare", *args], env={"COLUMNS": str(width)})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "lstm,,gru"], "has an empty item"),
        (["--arch", ""], "has an empty item"),
        (["--arch", "lstm,gru,lstm"], "lists 'lstm' more than once"),
        (["--units", "4,x"], "'x' is not an int"),
        (["--limit", "100,many"], "--limit: 'many' is not an int"),
        ([], "nothing to compare"),
        (["--units", "0,4"], "--units"),
        (["--arch", "lstm,cnn2d"], "cnn2d needs images"),
        (["--preset", "topics-en-lstm,digits-mlp"], "a comparison needs one dataset"),
        (["--arch", "lstm,gru", "--preset", "topics-en-lstm,topics-en-lstm"], "more than once"),
        (["--dropout", "0,0.0"], "--dropout lists '0' and '0.0', the same float; list each value once"),
        (["--preset", "imdb-lstm,imdb-gru", "--arch", "gru"], "imdb-lstm and imdb-gru train the same model"),
        (  # issue 27: a grid of 600 runs used to start without saying how many
            [
                "--units",
                ",".join(map(str, range(1, 31))),
                "--dropout",
                "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9",
                "--layers",
                "1,2",
            ],
            "this comparison is 600 runs: 30 units x 2 layers x 10 dropout, more than --max-runs 100; shorten "
            "the lists, or pass --max-runs 600",
        ),  # fmt: skip
        (["--units", "4,8,16", "--max-runs", "2"], "is 3 runs: 3 units, more than --max-runs 2"),
    ],
)
def test_bad_lists_exit_2_and_write_nothing(runs_dir, args, message):
    base = [a for a in TINY if a not in ("--preset", "topics-en-lstm")] if "--preset" in args else TINY
    result = invoke(*base, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not runs_dir.exists() or not any(runs_dir.iterdir())


def test_two_architectures_on_one_split_make_a_leaderboard_and_a_comparison_folder(runs_dir):
    result = invoke(*TINY, "--arch", "lstm,gru", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    final = lines[-1]
    assert final["event"] == "compare_end"
    started = {e["run"]: e for e in lines if e["event"] == "run_start"}
    ended = {e["run"]: e for e in lines if e["event"] == "run_end"}
    assert set(started) == set(ended) == {"arch=lstm", "arch=gru"}
    assert all(e["event"] != "batch_end" and "run" in e for e in lines[:-1])
    # LSTM 4 units on 4-dim embeddings has 4x the recurrent weights of... GRU's 3x: the counts must differ
    assert started["arch=lstm"]["total_params"] > started["arch=gru"]["total_params"]
    rows = {row["label"]: row for row in final["leaderboard"]}
    for label, row in rows.items():
        folder = RunFolder(Path(row["run_dir"]))
        metrics = folder.read_json("metrics.json")
        history = folder.read_history()
        assert row["params"] == started[label]["total_params"]
        assert row["test"] == pytest.approx(metrics["accuracy"]) == ended[label]["test_metrics"]["accuracy"]
        assert row["baseline"] == pytest.approx(metrics["baseline_test_accuracy"])
        assert row["epochs_done"] == len(history) == 2
        best = min(history, key=lambda r: r["val_loss"])
        assert row["best_epoch"] == best["epoch"]
        assert row["best_val"] == pytest.approx(best["val_accuracy"], abs=1e-5)
        assert json.loads((folder.path / "config.json").read_text())["train"]["seed"] == 42
    tests = [r["test"] for r in final["leaderboard"]]
    assert tests == sorted(tests, reverse=True)  # best first
    saved = json.loads((Path(final["compare_dir"]) / COMPARE_FILE).read_text())
    assert [r["run_dir"] for r in saved["runs"]] == [started[x]["run_dir"] for x in ("arch=lstm", "arch=gru")]


def test_the_plain_output_ends_with_a_leaderboard_within_80_columns(runs_dir):
    result = invoke(*TINY, "--maxlen", "6,8", "--epochs", "1", width=80)
    assert result.exit_code == 0, result.output
    assert "== maxlen=6" in result.output and "== maxlen=8" in result.output
    assert result.output.index("comparing 2 runs, one after another") < result.output.index("== maxlen=6")
    board = result.output[result.output.index("leaderboard (2 runs)") : result.output.index("comparison:")]
    assert "test acc" in board and "maxlen=6" in board and "maxlen=8" in board
    assert max(len(line) for line in board.splitlines()) <= 80


def test_the_leaderboard_follows_the_events():
    s = Standing("gru")
    s.observe(RunStarted("r", "x", 3, 0, 10, 100, 1234, "binary", "accuracy"))
    for epoch, (val_loss, val_acc, best) in enumerate(
        [(0.6, 0.7, True), (0.5, 0.8, True), (0.55, 0.9, False)]
    ):
        s.observe(EpochEnded(epoch + 1, 3, {"val_loss": val_loss, "val_accuracy": val_acc}, 2.0, 50.0, best))
    s.observe(RunEnded("completed", "r", 3, {"accuracy": 0.81}, baseline={"test_accuracy": 0.75}))
    assert (s.best_epoch, s.best_val, s.time_to_best, s.seconds_per_epoch) == (2, 0.8, 4.0, 2.0)
    assert (s.test, s.baseline, s.params) == (0.81, 0.75, 1234)
    pending = Standing("a very long label that has to fold " * 2)
    text = Console(width=80, record=True)
    text.print(leaderboard_table([pending, s]))
    lines = text.export_text().splitlines()
    assert max(map(len, lines)) <= 80
    first, second = (next(i for i, line in enumerate(lines) if word in line) for word in ("gru", "a very"))
    assert lines[first].split()[:3] == ["1", "gru", "1,234"] and first < second  # ranked first, pending after


def test_leaderboard_rows_show_each_runs_state_where_it_has_no_test_score():
    """A run still training or waiting shows '-' for its test score; one that ended otherwise says how."""
    from seqtui.core.experiments.compare import leaderboard_rows

    done, running, waiting, failed = Standing("a"), Standing("b"), Standing("c"), Standing("d")
    done.observe(RunStarted("r", "x", 3, 0, 10, 100, 1234, "binary", "accuracy"))
    done.observe(RunEnded("completed", "r", 3, {"accuracy": 0.81}))
    running.observe(RunStarted("r2", "x", 3, 0, 10, 100, 99, "binary", "accuracy"))
    failed.status, failed.message = "failed", "out of memory"
    rows = {row[1]: row for row in leaderboard_rows([failed, waiting, running, done])}
    assert [rows[label][6] for label in "abcd"] == ["0.8100", "-", "-", "failed"]
    assert (rows["a"][0], rows["a"][2], rows["b"][0], rows["b"][2]) == ("1", "1,234", "", "99")


def test_each_entry_is_labelled_by_the_settings_that_differ():
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import grid

    base = PRESETS["topics-en-lstm"].config
    entries = grid([None], {"arch": ["lstm", "gru"], "units": [4, 8], "dropout": [0.2]},
                   lambda preset, combo: with_overrides(base, **combo))  # fmt: skip
    assert [e.label for e in entries] == ["arch=lstm units=4", "arch=lstm units=8", "arch=gru units=4",
                                          "arch=gru units=8"]  # fmt: skip
    assert [(e.config.model.arch, e.config.model.units, e.config.model.dropout) for e in entries][1] == (
        "lstm", 8, 0.2,
    )  # fmt: skip


def test_each_run_of_a_comparison_is_named_by_what_differs_and_name_prefixes_it():
    from seqtui.core.config.naming import run_title
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import grid, named

    base = PRESETS["topics-ko-lstm"].config
    entries = grid([None], {"arch": ["lstm", "gru"]}, lambda preset, combo: with_overrides(base, **combo))
    assert [run_title(e.config) for e in entries] == ["topics-ko-lstm", "topics-ko-lstm arch=gru"]
    mine = named(entries, "내 비교")
    assert [run_title(e.config) for e in mine] == ["내 비교 arch=lstm", "내 비교 arch=gru"]
    assert [e.label for e in mine] == [e.label for e in entries]  # the leaderboard's labels are unchanged


def test_bad_lists_and_ranges_are_answered_without_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from seqtui.cli.main import app\n"
        "for args in (['compare', '--preset', 'imdb-lstm', '--arch', 'lstm,,gru'],\n"
        "             ['compare', '--preset', 'imdb-lstm,digits-mlp'],\n"
        "             ['sweep', '--preset', 'imdb-lstm', '--search', 'dropout=0..2']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 2, args\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("devices", "gpus", "message"),
    [("0", 0, "1 or more"), ("two", 0, "give `all` or a number"), ("3", 2, "lists only 2 GPUs")],
)
def test_bad_devices_exit_2_and_write_nothing(runs_dir, monkeypatch, devices, gpus, message):
    from seqtui.core.hardware import devices as hardware

    monkeypatch.setattr(hardware, "nvidia_gpus", lambda: (hardware.Gpu("NVIDIA H100", 9.0),) * gpus)
    result = invoke(*TINY, "--arch", "lstm,gru", "--devices", devices)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not runs_dir.exists() or not any(runs_dir.iterdir())


def test_device_slots_and_the_gpu_each_child_gets(monkeypatch):
    from seqtui.core.experiments.compare import CompareError
    from seqtui.core.experiments.side_by_side import device_slots, visible_gpu_ids

    assert (device_slots("all", 0), device_slots("all", 4), device_slots("2", 0), device_slots("2", 2)) == (
        1, 4, 2, 2,
    )  # fmt: skip
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert visible_gpu_ids(2) == ["0", "1"]
    for visible, gpus, ids in [
        ("2,3", 2, ["2", "3"]),  # this process sees GPUs 2 and 3: children get those
        ("5, 6,7", 2, ["5", "6"]),  # nvidia-smi lists 2 of them: the first 2
        ("GPU-77e3a9b0,GPU-12ab", 2, ["GPU-77e3a9b0", "GPU-12ab"]),  # UUIDs pass as they are
    ]:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
        assert visible_gpu_ids(gpus) == ids, visible
    with pytest.raises(CompareError, match="nvidia-smi lists only 2 GPUs; give --devices 2"):
        device_slots("3", 2)
    with pytest.raises(CompareError, match="nvidia-smi lists only 1 GPU; give --devices 1"):
        device_slots("3", 1)


def test_devices_2_trains_two_runs_at_once_like_one_after_another(runs_dir, monkeypatch):
    from datetime import datetime

    from seqtui.core.hardware import devices as hardware

    monkeypatch.setattr(hardware, "nvidia_gpus", lambda: ())  # a CPU-only machine: 2 runs at once on the CPU
    boards = {}
    for how in ("sequential", "side by side"):
        extra = ["--devices", "2"] if how == "side by side" else []
        result = invoke(*TINY, "--arch", "lstm,gru", "--json", *extra)
        assert result.exit_code == 0, result.output
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert lines[-1]["event"] == "compare_end"
        assert {(e["run"], e["event"]) for e in lines[:-1] if e["event"] in ("run_start", "run_end")} == {
            (run, event) for run in ("arch=lstm", "arch=gru") for event in ("run_start", "run_end")
        }
        boards[how] = lines[-1]
    same = ("label", "status", "params", "epochs_done", "best_epoch", "monitor")
    for seq, par in zip(
        boards["sequential"]["leaderboard"], boards["side by side"]["leaderboard"], strict=True
    ):
        assert {k: seq[k] for k in same} == {k: par[k] for k in same}
        assert par["test"] == pytest.approx(seq["test"], abs=1e-6)
        assert par["run_dir"] != seq["run_dir"] and RunFolder(Path(par["run_dir"])).read_history()
    saved = json.loads((Path(boards["side by side"]["compare_dir"]) / COMPARE_FILE).read_text())
    windows = []
    for row in saved["runs"]:
        run = json.loads((Path(row["run_dir"]) / "run.json").read_text())
        assert run["status"] == "completed"
        windows.append((datetime.fromisoformat(run["started"]), datetime.fromisoformat(run["ended"])))
    (a_start, a_end), (b_start, b_end) = windows
    assert a_start < b_end and b_start < a_end  # the two trainings overlapped in time


def test_a_child_that_dies_fails_only_its_own_run_and_says_how(tmp_path):
    """A training process killed mid-run (out of memory, a crashed driver) is its run's failure with the exit
    code; the comparison goes on with the next run."""
    import multiprocessing
    import os
    import signal

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry
    from seqtui.core.experiments.side_by_side import run_side_by_side

    base = with_overrides(PRESETS["topics-en-lstm"].config, sample_limit=200, epochs=3, units=4,
                          embedding_dim=4, maxlen=8, patience=0)  # fmt: skip
    entries = [Entry("arch=lstm", base), Entry("arch=gru", with_overrides(base, arch="gru"))]
    errors = []

    def kill_the_first(label, event):
        if label == "arch=lstm" and isinstance(event, EpochEnded) and event.epoch == 1:
            (child,) = set(multiprocessing.active_children()) - earlier  # one slot: this run's child alone
            os.kill(child.pid, signal.SIGKILL)  # wherever it is in its second epoch

    earlier = set(multiprocessing.active_children())  # children an earlier test left to be reaped
    comparison = run_side_by_side(entries, kill_the_first, slots=1, gpus=0, runs_dir=tmp_path,
                                  on_error=lambda entry, message: errors.append((entry.label, message)))  # fmt: skip
    died, other = comparison.standings
    assert (died.status, died.message) == (
        "failed",
        f"the training process ended with exit code {-signal.SIGKILL}",
    )
    assert errors == [("arch=lstm", died.message)]
    assert other.status == "completed" and other.test is not None
    saved = json.loads(comparison.folder.file(COMPARE_FILE).read_text())
    assert [row["status"] for row in saved["runs"]] == ["failed", "completed"]


def test_a_stop_request_reaches_every_child_and_starts_no_more_runs(tmp_path):
    """Ctrl+C in the app or the terminal sets `cancel`: both runs training end `interrupted` after their
    current batch (not after their 50 epochs), and the third run never starts."""
    import threading

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry
    from seqtui.core.experiments.side_by_side import run_side_by_side

    base = with_overrides(PRESETS["topics-en-lstm"].config, sample_limit=200, epochs=50, units=4,
                          embedding_dim=4, maxlen=8, patience=0)  # fmt: skip
    entries = [Entry(f"arch={arch}", with_overrides(base, arch=arch)) for arch in ("lstm", "gru", "rnn")]
    cancel, started = threading.Event(), set()

    def stop_once_both_train(label, event):
        if isinstance(event, EpochEnded):
            started.add(label)
            if started == {"arch=lstm", "arch=gru"}:
                cancel.set()

    comparison = run_side_by_side(entries, stop_once_both_train, slots=2, gpus=0, cancel=cancel,
                                  runs_dir=tmp_path)  # fmt: skip
    assert [s.status for s in comparison.standings] == ["interrupted", "interrupted", "pending"]
    for standing in comparison.standings[:2]:
        run = json.loads((Path(standing.run_dir) / "run.json").read_text())
        assert run["status"] == "interrupted"
        assert len(RunFolder(Path(standing.run_dir)).read_history()) < 50
    saved = json.loads(comparison.folder.file(COMPARE_FILE).read_text())
    assert [row["status"] for row in saved["runs"]] == ["interrupted", "interrupted", "pending"]


def test_when_the_parent_itself_fails_its_children_are_stopped_and_their_runs_marked_interrupted(tmp_path):
    """An error in the parent (a second Ctrl+C, a broken observer) stops every child and leaves compare.json
    saying which runs were cut short; no child is left running."""
    import multiprocessing

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry
    from seqtui.core.experiments.side_by_side import run_side_by_side

    base = with_overrides(PRESETS["topics-en-lstm"].config, sample_limit=200, epochs=50, units=4,
                          embedding_dim=4, maxlen=8, patience=0)  # fmt: skip
    entries = [Entry(f"arch={arch}", with_overrides(base, arch=arch)) for arch in ("lstm", "gru")]
    earlier = set(multiprocessing.active_children())

    def broken(label, event):
        if isinstance(event, EpochEnded):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_side_by_side(entries, broken, slots=1, gpus=0, runs_dir=tmp_path)
    [folder] = [p for p in tmp_path.iterdir() if (p / COMPARE_FILE).exists()]
    saved = json.loads((folder / COMPARE_FILE).read_text())
    assert [row["status"] for row in saved["runs"]] == ["interrupted", "pending"]
    assert set(multiprocessing.active_children()) <= earlier  # the child was stopped and reaped
    cut = Path(saved["runs"][0]["run_dir"])
    assert json.loads((cut / "run.json").read_text())["status"] == "interrupted"  # by the stop, not at 50
    assert len(RunFolder(cut).read_history()) < 50


def test_a_child_started_but_not_yet_heard_from_is_marked_interrupted_when_the_parent_fails(
    tmp_path, monkeypatch
):
    """Ctrl+C in the parent before a child's first event: the child is stopped and reaped, and compare.json
    says its run was interrupted, not that it is still waiting to start."""
    import multiprocessing
    import multiprocessing.connection

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry
    from seqtui.core.experiments.side_by_side import run_side_by_side

    real_wait, calls = multiprocessing.connection.wait, []

    def ctrl_c_on_the_first_wait(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_wait(*args, **kwargs)  # joining the child waits too

    monkeypatch.setattr(multiprocessing.connection, "wait", ctrl_c_on_the_first_wait)
    tiny = with_overrides(PRESETS["topics-en-lstm"].config, sample_limit=200, epochs=50, units=4,
                          embedding_dim=4, maxlen=8, patience=0)  # fmt: skip
    earlier = set(multiprocessing.active_children())
    with pytest.raises(KeyboardInterrupt):
        run_side_by_side([Entry("tiny", tiny)], lambda label, event: None, slots=1, gpus=0, runs_dir=tmp_path)
    [folder] = [p for p in tmp_path.iterdir() if (p / COMPARE_FILE).exists()]
    assert [row["status"] for row in json.loads((folder / COMPARE_FILE).read_text())["runs"]] == [
        "interrupted"
    ]
    assert set(multiprocessing.active_children()) <= earlier


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (MemoryError(), "MemoryError"),
        (FileNotFoundError(2, "No such file or directory", "x.csv"),
         "FileNotFoundError: [Errno 2] No such file or directory: 'x.csv'"),
        (ValueError("bad", "worse"), "ValueError: ('bad', 'worse')"),
    ],
)  # fmt: skip
def test_an_unexpected_error_is_named_by_its_type_and_all_its_words(tmp_path, monkeypatch, error, said):
    """In a child and in-process alike: never an errno alone ("2"), never a first argument alone."""
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.experiments.compare import Entry, run_comparison
    from seqtui.core.training import runner

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(runner, "train", failing)
    entry = Entry("big", PRESETS["series-rnn"].config)
    assert child_says(entry, tmp_path) == [("failed", said)]
    comparison = run_comparison([entry], lambda label, event: None, failing, runs_dir=tmp_path)
    assert [(s.status, s.message) for s in comparison.standings] == [("failed", said)]


def child_says(entry, tmp_path, device=None, stop_first=False) -> list:
    """Everything `side_by_side._child` sends its parent, run here in-process (a child's own interpreter is
    out of reach of coverage and mutation tools), until it closes its end."""
    import multiprocessing
    import signal

    from seqtui.core.experiments.side_by_side import _child

    events, events_end = multiprocessing.Pipe(duplex=False)
    stop_end, stop = multiprocessing.Pipe(duplex=False)
    if stop_first:
        stop.send(None)
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    handlers = {signum: signal.getsignal(signum) for signum in stops}
    try:
        _child(entry, str(tmp_path), None, device, events_end, stop_end)
        # Ctrl+C and kill are the parent's to handle
        assert all(signal.getsignal(s) is signal.SIG_IGN for s in stops)
    finally:  # all three given back: a process this test worker starts later inherits what it ignores
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        stop.close()
    said = []
    while True:
        try:
            said.append(events.recv())
        except EOFError:  # the child closed its end: how the parent knows it is done
            return said


def test_a_child_relays_its_run_but_not_each_batch_and_pins_its_gpu(tmp_path, monkeypatch):
    import os

    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry
    from seqtui.core.training.events import BatchEnded

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")  # restored afterwards
    base = with_overrides(PRESETS["topics-en-lstm"].config, sample_limit=200, epochs=2, units=4,
                          embedding_dim=4, maxlen=8, patience=0)  # fmt: skip
    said = child_says(Entry("arch=lstm", base), tmp_path, device="1")
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "1"
    assert isinstance(said[0], RunStarted) and isinstance(said[-1], RunEnded)
    assert said[-1].status == "completed" and Path(said[-1].run_dir).parent == tmp_path
    assert [e.epoch for e in said if isinstance(e, EpochEnded)] == [1, 2]
    assert not any(isinstance(e, BatchEnded | tuple) for e in said)


def test_a_child_reports_a_failure_and_a_stop_as_its_last_word(tmp_path):
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry

    gone = with_overrides(PRESETS["series-rnn"].config, dataset="file", data_path=str(tmp_path / "gone.csv"))
    [(status, message)] = child_says(Entry("gone", gone), tmp_path)
    assert status == "failed" and "gone.csv does not exist" in message
    tiny = with_overrides(PRESETS["topics-en-lstm"].config, sample_limit=200, epochs=50, units=4,
                          embedding_dim=4, maxlen=8, patience=0)  # fmt: skip
    last = child_says(Entry("stopped", tiny), tmp_path, stop_first=True)[-1]
    stopped = last[0] if isinstance(last, tuple) else last.status  # before training, or after a batch
    assert stopped == "interrupted"


def test_a_run_that_fails_in_its_child_is_reported_with_its_entry(tmp_path):
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments.compare import Entry
    from seqtui.core.experiments.side_by_side import run_side_by_side

    missing = with_overrides(
        PRESETS["series-rnn"].config, dataset="file", data_path=str(tmp_path / "gone.csv")
    )
    errors = []
    comparison = run_side_by_side([Entry("gone", missing)], lambda label, event: None, slots=1, gpus=0,
                                  runs_dir=tmp_path, on_error=lambda entry, message: errors.append((entry, message)))  # fmt: skip
    [standing] = comparison.standings
    assert standing.status == "failed" and "gone.csv" in standing.message
    assert errors == [(Entry("gone", missing), standing.message)]


def test_each_child_holds_one_visible_gpu_and_hands_it_on(tmp_path, monkeypatch):
    """--devices 2 with GPUs 3 and 5 visible: two children at once, one on each, and the third on whichever
    GPU came free (the children fail at once here: their data is missing)."""
    from seqtui.core.config.presets import PRESETS
    from seqtui.core.config.run_config import with_overrides
    from seqtui.core.experiments import side_by_side
    from seqtui.core.experiments.compare import Entry

    handed = []

    class Recorded(side_by_side._Child):
        def __init__(self, ctx, index, entry, root, backend, device):
            handed.append((index, device))
            super().__init__(ctx, index, entry, root, backend, device)

    monkeypatch.setattr(side_by_side, "_Child", Recorded)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    gone = with_overrides(PRESETS["series-rnn"].config, dataset="file", data_path=str(tmp_path / "gone.csv"))
    entries = [Entry(f"run {i}", gone) for i in range(3)]
    comparison = side_by_side.run_side_by_side(
        entries, lambda label, event: None, slots=2, gpus=2, runs_dir=tmp_path
    )
    assert [s.status for s in comparison.standings] == ["failed"] * 3
    assert handed[:2] == [(0, "3"), (1, "5")] and handed[2][0] == 2 and handed[2][1] in ("3", "5")
