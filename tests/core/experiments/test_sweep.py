"""`seqtui sweep`: search ranges, the study database, shared by two processes, interrupted and continued."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import optuna
import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import with_overrides
from seqtui.core.experiments.errors import SweepError
from seqtui.core.experiments.search_space import Range, default_space, narrow
from seqtui.core.experiments.study import DEFAULT_DB, load_or_create, open_storage
from seqtui.core.experiments.sweep import run_trials
from seqtui.core.runs.folder import RunFolder
from seqtui.core.training import runner
from seqtui.core.training.events import EpochEnded, RunEnded

SERIES = with_overrides(PRESETS["series-rnn"].config, epochs=1, patience=0)
TINY_SPACE = "units=2..4,layers=1,batch_size=128..256,learning_rate=0.001..0.01"


def invoke(*args: str):
    return CliRunner().invoke(app, ["sweep", *args], env={"COLUMNS": "120"})


def test_the_default_space_follows_the_architecture():
    lstm = default_space(PRESETS["imdb-lstm"].config, "tokens")
    assert {"maxlen", "vocab_size", "embedding_dim", "units", "layers", "dropout", "learning_rate",
            "batch_size"} <= set(lstm)  # fmt: skip
    assert lstm["maxlen"].low <= PRESETS["imdb-lstm"].config.data.maxlen <= lstm["maxlen"].high
    images = default_space(PRESETS["digits-cnn"].config, "image")
    assert "maxlen" not in images and "layers" not in images and "dense_units" in images
    for preset, inputs in (("imdb-cnn-lstm", "tokens"), ("digits-cnn", "image"), ("series-rnn", "series")):
        config = PRESETS[preset].config
        space = default_space(config, inputs)
        with_overrides(config, **{name: r.low for name, r in space.items()})  # each name is a setting
        assert all(
            isinstance(r.low, int) and isinstance(r.high, int) for r in space.values() if r.kind is int
        )
        if config.model.arch != "simple_rnn":  # the convolutions' filters are searched
            assert space["conv_filters"].low <= config.model.conv_filters <= space["conv_filters"].high


def documented_space() -> dict[str, tuple[str, str]]:
    """docs/compare-sweep.md's table of the default space: setting -> (searched for, default range)."""
    import re

    text = (Path(__file__).parents[3] / "docs" / "compare-sweep.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+?) \| ([^|]+?) \|$", text, re.MULTILINE)
    return {name: (used_by, ranged) for name, used_by, ranged in rows}


@pytest.mark.parametrize(
    ("preset", "arch", "kind", "scaled"),
    [  # scaled: maxlen and vocab_size, a quarter (at least 4 and 100) to twice the preset's
        ("imdb-lstm", "lstm", "tokens", {"maxlen": (125, 1000), "vocab_size": (1250, 10000)}),
        ("text-gen", "simple_rnn", "tokens", {"maxlen": (4, 24), "vocab_size": (500, 4000)}),
        ("topics-en-lstm", "cnn_lstm", "tokens", {"maxlen": (5, 40), "vocab_size": (1000, 8000)}),
        ("topics-ko-lstm", "conv1d", "tokens", {"maxlen": (7, 60), "vocab_size": (500, 4000)}),
        ("spam-rnn", "bilstm", "tokens", {"maxlen": (47, 378), "vocab_size": (2230, 17842)}),
        ("digits-cnn", "cnn2d", "image", {}),
        ("digits-mlp", "mlp", "image", {}),
        ("series-rnn", "stacked_lstm", "series", {}),
        ("jena-gru", "gru", "series", {}),
    ],
)
def test_the_default_space_is_the_documented_one(preset, arch, kind, scaled):
    applies = {
        "every model": True,
        "token input": kind == "tokens",
        "recurrent models and the MLP": arch != "conv1d" and arch != "cnn2d",
        "recurrent models but CNN+LSTM": arch not in ("conv1d", "cnn2d", "mlp", "cnn_lstm"),
        "Conv1D, CNN+LSTM and the 2D CNN": arch in ("conv1d", "cnn_lstm", "cnn2d"),
        "the 2D CNN": arch == "cnn2d",
    }
    config = with_overrides(PRESETS[preset].config, arch=arch)
    space = default_space(config, kind)
    docs = documented_space()
    assert set(space) == {name for name, (used_by, _) in docs.items() if applies[used_by]}
    for name, r in space.items():
        assert r.kind is (float if name in ("dropout", "learning_rate") else int)
        log = ", log-spaced" if r.log else ""
        if name in scaled:
            assert (r.low, r.high) == scaled[name] and docs[name][1].endswith("twice it" + log)
        else:
            assert f"{r.low:g}..{r.high:g}{log}" == docs[name][1]


def test_a_small_vocabulary_is_searched_from_100_words_up():
    space = default_space(with_overrides(PRESETS["text-gen"].config, vocab_size=200, maxlen=8), "tokens")
    assert (space["vocab_size"].low, space["vocab_size"].high) == (100, 400)
    assert (space["maxlen"].low, space["maxlen"].high) == (4, 16)


def test_the_best_value_is_the_highest_accuracy_or_the_lowest_error():
    from seqtui.core.experiments.sweep import best_value

    history = [0.5, float("nan"), 0.3, 0.4]
    assert (best_value(history, "accuracy"), best_value(history, "mae")) == (0.5, 0.3)
    assert best_value([float("nan")], "mae") is None


def test_search_narrows_and_fixes_settings():
    space = narrow(default_space(SERIES, "series"), "units=32..256, dropout=0..0.25,layers=2")
    assert space["units"] == Range(int, 32, 256, log=True)
    assert space["dropout"] == Range(float, 0.0, 0.25)
    assert space["layers"] == Range(int, 2, 2)


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("dropout=0..2", "within 0..0.95"),
        ("units=256..32", "from low to high"),
        ("units=a..b", "units takes int values"),
        ("unitz=1..2", "not a setting a sweep can search"),
        ("units", "write NAME=LOW..HIGH"),
        ("=32..64", "'=32..64': write NAME=LOW..HIGH"),
        ("units=", "'units=': write NAME=LOW..HIGH"),
        ("units=32..", "units=32..: give both ends, LOW..HIGH, or one value to fix it"),
        ("dropout=..0.3", "dropout=..0.3: give both ends"),
        ("learning_rate=0..0.1", "within 1e-07..1"),
        ("units=8..32,units=16..64", "--search gives units twice"),
    ],
)
def test_bad_search_ranges_exit_2_and_write_nothing(runs_dir, search, message):
    with pytest.raises(SweepError, match=message.replace(".", r"\.")):
        narrow(default_space(SERIES, "series"), search)
    result = invoke("--preset", "series-rnn", "--search", search)
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert not runs_dir.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "sqlite:////no/such/folder/study.db",
            "could not reach the study database 'sqlite:////no/such/folder/study.db': (sqlite3.OperationalError) "
            "unable to open database file",
        ),
        ("nosuchdb://x", "could not reach the study database"),
    ],
)
def test_an_unreachable_storage_exits_2(runs_dir, url, message):
    result = invoke("--preset", "series-rnn", "--storage", url)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not runs_dir.exists()


PASSWORD_URL = "postgresql://alice:S3cret@127.0.0.1:1/db"


@pytest.mark.parametrize("what", [[], ["--preset", "series-rnn"]])
def test_a_storage_password_is_never_printed(runs_dir, what):
    """The issue's command as a real process (it lands in SLURM and CI logs), and with a preset so that the
    database is reached: exit 2, one message, the URL shown without its password."""
    command = [sys.executable, "-m", "seqtui", "sweep", *what, "--storage", PASSWORD_URL]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=os.environ | {"COLUMNS": "200"}
    )
    assert done.returncode == 2 and "S3cret" not in done.stdout + done.stderr, done.stderr
    [line] = [x for x in done.stderr.splitlines() if x.startswith("error:")]
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    if what:
        assert line.startswith(
            "error: could not reach the study database 'postgresql://alice:***@127.0.0.1:1/db'"
        )
    assert not runs_dir.exists()


def test_the_study_database_checks_each_connection_before_use(tmp_path):
    """A server (PostgreSQL, MySQL) closes idle connections during a long trial; a pinged pool replaces them
    instead of failing the next trial. SQLite cannot drop one, so this reads the pool's setting."""
    storage = open_storage(f"sqlite:///{tmp_path / 'study.db'}")
    assert storage.engine.pool._pre_ping is True


def test_a_study_made_for_another_dataset_is_refused(runs_dir):
    runs_dir.mkdir()
    url = f"sqlite:///{runs_dir / DEFAULT_DB}"
    load_or_create(url, "mine", SERIES, "mae", 0)
    result = invoke("--preset", "digits-mlp", "--study", "mine")
    assert result.exit_code == 2, result.output
    assert "created for dataset 'sequence' (now 'digits')" in result.output
    assert [p.name for p in runs_dir.iterdir()] == [DEFAULT_DB]


@pytest.mark.parametrize(
    ("message", "failure"),
    [("stopped by request after epoch 0", "stopped by request after epoch 0"), ("", "stopped")],
)
def test_a_trial_run_ended_interrupted_stops_the_sweep(runs_dir, message, failure):
    """Ctrl+C inside Keras ends the run `interrupted` without the cancel event: the sweep stops there too."""
    runs_dir.mkdir()
    study = load_or_create(f"sqlite:///{runs_dir}/s.db", "s", SERIES, "mae", 0)
    space = narrow(default_space(SERIES, "series"), TINY_SPACE)

    def interrupted(config, observer, cancel, callbacks=()):
        return RunEnded("interrupted", str(runs_dir / "run"), 0, message=message)

    outcomes = run_trials(study, SERIES, space, 3, interrupted, lambda *a: None, threading.Event(), "mae")
    assert [o.state for o in outcomes] == ["failed"]
    assert [(t.state, t.user_attrs["failure"]) for t in study.trials] == [
        (optuna.trial.TrialState.FAIL, failure)
    ]


def test_a_trial_whose_run_diverged_or_whose_settings_are_refused_fails_and_the_sweep_goes_on(
    runs_dir, capfd
):
    """Each trial trains the base config with its sampled settings (the preset's name kept); its value is the
    best validation metric it saw; a run that ends otherwise than completed, or settings `check_config`
    refuses, is a failed trial and the next one runs."""
    from seqtui.core.config.errors import ConfigError
    from seqtui.core.config.validation import Problem
    from seqtui.core.training.events import LogMessage

    runs_dir.mkdir()
    study = load_or_create(f"sqlite:///{runs_dir}/s.db", "s", SERIES, "mae", 0)
    space = {"units": Range(int, 2, 2), "dropout": Range(float, 0.25, 0.25)}
    trained, seen = [], []

    def train(config, observer, cancel, callbacks=()):
        trained.append(config)
        run_dir = str(runs_dir / f"run-{len(trained)}")
        if len(trained) == 2:
            raise ConfigError([Problem("units", "too wide for this test")])  # a refused combination
        maes = [[0.4, 0.3, 0.35], [0.9, float("nan")], [0.5, 0.2]][len(trained) // 2]
        for epoch, mae in enumerate(maes, start=1):
            observer(EpochEnded(epoch, len(maes), {"val_mae": mae}, 1.0, 10.0))
        status = "diverged" if len(trained) == 3 else "completed"
        end = RunEnded(status, run_dir, len(maes), message="loss became NaN" if status == "diverged" else "")
        observer(end)
        return end

    optuna_said: list[logging.LogRecord] = []
    listener = logging.Handler()
    listener.emit = optuna_said.append  # type: ignore[method-assign]
    logging.getLogger("optuna").addHandler(listener)
    try:
        outcomes = run_trials(study, SERIES, space, 4, train, lambda o, e: seen.append((o.number, e)),
                              threading.Event(), "mae")  # fmt: skip
    finally:
        logging.getLogger("optuna").removeHandler(listener)
    assert [(c.model.units, c.model.dropout, c.preset) for c in trained] == [(2, 0.25, SERIES.preset)] * 4
    assert [(o.number, o.state, o.value) for o in outcomes] == [
        (0, "complete", 0.3), (1, "failed", None), (2, "failed", 0.9), (3, "complete", 0.2)
    ]  # fmt: skip
    assert [t.state.name for t in study.trials] == ["COMPLETE", "FAIL", "FAIL", "COMPLETE"]
    assert study.best_value == 0.2 and study.best_trial.user_attrs["run_dir"] == str(runs_dir / "run-4")
    assert outcomes[0].run_dir == str(runs_dir / "run-1") and {n for n, _ in seen} == {0, 1, 2, 3}
    assert [e for n, e in seen if n == 1] == [
        LogMessage("trial 1 can't train: units: too wide for this test", "warning")
    ]
    assert [t.user_attrs.get("failure") for t in study.trials] == [
        None, "units: too wide for this test", "loss became NaN", None
    ]  # fmt: skip
    assert optuna_said == []  # Optuna's warning about a failed trial (with a traceback) is silenced


def test_an_interrupted_sweep_keeps_its_trials_and_a_rerun_continues(runs_dir):
    url = f"sqlite:///{runs_dir}/s.db"
    runs_dir.mkdir()
    space = narrow(default_space(SERIES, "series"), TINY_SPACE)
    cancel = threading.Event()

    def train(config, observer, cancel, callbacks=()):
        return runner.train(config, observer, cancel, runs_dir=runs_dir, callbacks=callbacks)

    def stop_in_trial_1(outcome, event):
        if outcome.number == 1:
            cancel.set()  # Ctrl+C as the second trial starts

    study = load_or_create(url, "s", SERIES, "mae", 0)
    outcomes = run_trials(study, SERIES, space, 3, train, stop_in_trial_1, cancel, "mae")
    assert [o.state for o in outcomes] == ["complete", "failed"]  # stopped: no third trial
    again = optuna.load_study(study_name="s", storage=url)
    assert [t.state.name for t in again.trials] == ["COMPLETE", "FAIL"]
    assert os.path.isdir(again.trials[0].user_attrs["run_dir"])
    cancel.clear()
    more = run_trials(load_or_create(url, "s", SERIES, "mae", 0), SERIES, space, 1, train, lambda *a: None,
                      cancel, "mae")  # fmt: skip
    assert [(o.number, o.state) for o in more] == [(2, "complete")]
    assert more[0].value == pytest.approx(optuna.load_study(study_name="s", storage=url).trials[2].value)


def test_two_processes_share_one_sqlite_study_without_losing_a_trial(runs_dir):
    """Two real `seqtui sweep` processes on one SQLite file: 2 + 2 trials, each once, each its own run."""
    args = [sys.executable, "-m", "seqtui", "sweep", "--preset", "series-rnn", "--trials", "2", "--epochs", "1",
            "--search", TINY_SPACE, "--runs-dir", str(runs_dir), "--study", "shared"]  # fmt: skip
    env = {**os.environ, "COLUMNS": "120"}
    procs = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    study = optuna.load_study(study_name="shared", storage=f"sqlite:///{runs_dir / DEFAULT_DB}")
    assert sorted(t.number for t in study.trials) == [0, 1, 2, 3]
    assert {t.state.name for t in study.trials} <= {"COMPLETE", "PRUNED"}
    folders = {t.user_attrs["run_dir"] for t in study.trials}
    assert len(folders) == 4 and all(os.path.isfile(os.path.join(f, "run.json")) for f in folders)
    assert study.user_attrs["dataset"] == "sequence"


@pytest.mark.parametrize(("monitor", "order"), [("accuracy", ["2", "0", "1"]), ("mae", ["1", "0", "2"])])
def test_trial_rows_rank_finished_trials_best_first_and_list_the_unscored_after(monitor, order):
    """The table the CLI and the app show: best value first for the task's direction, then trials without a
    value (failed, or pruned before any); running ones are not finished and not listed."""
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna.trial import TrialState, create_trial

    from seqtui.core.experiments.sweep import trial_rows

    space = {"units": IntDistribution(1, 256), "dropout": FloatDistribution(0.0, 0.5)}
    study = optuna.create_study()
    for value, units, state in [(0.8, 32, "COMPLETE"), (0.5, 8, "COMPLETE"), (0.91, 64, "PRUNED"),
                                (None, 128, "FAIL"), (None, 16, "RUNNING")]:  # fmt: skip
        study.add_trial(create_trial(
            state=TrialState[state], value=value, params={"units": units, "dropout": 0.123456},
            distributions=space, user_attrs={"run_dir": f"runs/trial-{units}"},
        ))  # fmt: skip
    rows = trial_rows(study.trials, monitor)
    assert [row[0] for row in rows] == [*order, "3"]
    by_number = {row[0]: row for row in rows}
    assert by_number["0"] == ("0", "complete", "0.8000", "units=32 dropout=0.123", "runs/trial-32")
    assert by_number["2"][1:3] == ("pruned", "0.9100")
    assert by_number["3"] == ("3", "fail", "-", "units=128 dropout=0.123", "runs/trial-128")


def test_importance_names_the_setting_that_matters():
    from seqtui.core.experiments.sweep import importance

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_int("units", 1, 100) + 0.01 * t.suggest_float("dropout", 0, 0.5), 12)
    shares = importance(study)
    assert list(shares)[0] == "units" and shares["units"] > 0.9
    few = optuna.create_study()
    few.optimize(lambda t: t.suggest_float("x", 0, 1), 4)
    assert importance(few) == {}  # fewer than 5 complete trials: no importance yet


def test_a_sweep_over_your_own_series_file_scores_trials_by_mae(runs_dir, tmp_path):
    """A user's file is a series or a classification only once read: the plan reads it, so that a numbers-only
    CSV is scored by val_mae (lower is better) and searched with the series' settings, not val_accuracy."""
    from seqtui.core.experiments.sweep import plan_sweep

    csv = tmp_path / "temps.csv"
    csv.write_text("t,temp\n" + "".join(f"{i},{(i * 7) % 13 + 0.5 * i}\n" for i in range(400)))
    config = with_overrides(SERIES, dataset="file", data_path=str(csv), lookback=12, delay=1)
    plan = plan_sweep(config, None, None, None, runs_dir)
    assert plan.monitor == "mae"
    assert "maxlen" not in plan.space and "units" in plan.space


@pytest.mark.parametrize(
    ("pruner", "pruned_at"),
    [(optuna.pruners.NopPruner(), None), (optuna.pruners.ThresholdPruner(lower=0.55), 1)],
)
def test_the_pruning_callback_reports_each_epoch_and_stops_only_a_pruned_trial(pruner, pruned_at):
    from types import SimpleNamespace

    from seqtui.core.experiments.pruning import PruningCallback

    study = optuna.create_study(direction="maximize", pruner=pruner)
    callback = PruningCallback(study.ask(), "val_accuracy")
    model = SimpleNamespace(stop_training=False)
    callback.set_model(model)
    for epoch, value in enumerate([0.5, float("nan"), 0.6]):
        callback.on_epoch_end(epoch, {"val_accuracy": value, "loss": 1.0})
        if model.stop_training:
            break
    pruned = pruned_at is not None
    assert (callback.pruned, callback.pruned_at, model.stop_training) == (pruned, pruned_at, pruned)
    # steps count from 1; an epoch whose value is NaN is not reported
    assert study.trials[0].intermediate_values == ({1: 0.5} if pruned else {1: 0.5, 3: 0.6})


def test_from_the_fourth_trial_on_a_trial_worse_than_the_median_is_pruned_from_its_second_epoch(runs_dir):
    runs_dir.mkdir()
    study = load_or_create(f"sqlite:///{runs_dir}/s.db", "s", SERIES, "mae", 0)
    for n, mae in enumerate((0.1, 0.2, 0.3)):
        trial = study.ask()
        trial.report(0.9, 2)
        assert not trial.should_prune(), n  # too few finished trials to judge by
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        study.add_trial(optuna.trial.create_trial(value=mae, intermediate_values={1: mae, 2: mae}))
    trial = study.ask()
    trial.report(0.9, 1)
    assert not trial.should_prune()  # the first epoch is never judged
    trial.report(0.9, 2)
    assert trial.should_prune()


def test_a_trial_the_pruner_stops_ends_pruned_after_that_epoch(runs_dir):
    runs_dir.mkdir()
    space = narrow(default_space(SERIES, "series"), TINY_SPACE)

    def train(config, observer, cancel, callbacks=()):
        return runner.train(config, observer, cancel, runs_dir=runs_dir, callbacks=callbacks)

    study = optuna.create_study(pruner=optuna.pruners.ThresholdPruner(upper=0.0))  # any error is too much
    base = with_overrides(SERIES, epochs=3)
    [outcome] = run_trials(study, base, space, 1, train, lambda *a: None, threading.Event(), "mae")
    assert outcome.state == "pruned" and study.trials[0].state == optuna.trial.TrialState.PRUNED
    assert len(RunFolder(Path(outcome.run_dir)).read_history()) == 1  # stopped after its first epoch of 3


def test_a_process_that_loses_the_race_to_create_the_study_tables_tries_again(runs_dir, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    real, calls = optuna.storages.RDBStorage, []

    def racing(url, **kwargs):  # another process created the same rows first, once
        calls.append(url)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO version_info", {}, Exception("UNIQUE constraint failed"))
        return real(url, **kwargs)

    monkeypatch.setattr(optuna.storages, "RDBStorage", racing)
    runs_dir.mkdir()
    assert open_storage(f"sqlite:///{runs_dir}/s.db") is not None and len(calls) == 2
