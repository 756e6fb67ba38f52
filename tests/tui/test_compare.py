"""The Compare screen: a grid of runs from comma lists, the leaderboard live, the curves named, a run opened."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from seqtui.datasets.errors import DataError
from seqtui.tui.launch import make_app
from seqtui.tui.screens.compare import CompareScreen
from seqtui.tui.screens.predict import PredictScreen
from seqtui.tui.widgets.chart import MetricChart
from tests.tui_fakes import FakeRunner, FakeSession, fake_summary, settle


async def fill(pilot, presets: str, vary: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#compare-presets", Input).value = presets
    screen.query_one("#compare-settings", Input).value = vary
    screen.query_one("#compare-settings", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_compare_two_architectures_live_and_open_the_best(tmp_path):
    runner = FakeRunner(epochs=3)
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary,
                   session_loader=lambda run_dir: FakeSession("text", run_dir))  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await fill(pilot, "topics-en-lstm", "arch=lstm,gru epochs=3")
        trained = [config for kind, config in runner.calls]
        assert [c.model.arch for c in trained] == ["lstm", "gru"]
        assert {c.train.seed for c in trained} == {42} and {c.data.dataset for c in trained} == {"topics-en"}
        table = screen.query_one("#leaderboard", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # the fake's epochs: 0.4 s each, val_loss best at epoch 2 (val_accuracy 0.65), test accuracy 0.9
        assert [r[1] for r in rows] == ["arch=lstm", "arch=gru"]
        assert rows[0] == ["1", "arch=lstm", "1,234", "0.4", "2/3", "0.6500", "0.9000", "-", "1s"]
        chart = screen.query_one("#compare-curves", MetricChart)
        assert list(chart.series) == ["arch=lstm", "arch=gru"]
        assert chart.series["arch=gru"].ys == [0.9, 0.45, 0.6]
        saved = json.loads(next(tmp_path.glob("*-compare/compare.json")).read_text())
        assert [r["label"] for r in saved["runs"]] == ["arch=lstm", "arch=gru"]
        assert "compare.json" in str(screen.query_one("#compare-note", Static).render())
        table.focus()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PredictScreen)


async def test_a_bad_list_says_why_and_trains_nothing(tmp_path):
    runner = FakeRunner()
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        for presets, vary, message in [
            ("topics-en-lstm", "arch=lstm,,gru", "has an empty item"),
            ("topics-en-lstm", "epochs=3", "nothing to compare"),
            ("topics-en-lstm", "units=0,4", "units"),
            ("", "arch=lstm,gru", "name a preset"),
        ]:
            await fill(pilot, presets, vary)
            assert message in str(app.screen.query_one("#compare-note", Static).render())
        assert runner.calls == [] and not list(Path(tmp_path).iterdir())


async def sweep(pilot, preset: str, trials: str, search: str):
    """The Sweep screen (F7, opened if it isn't showing) filled in and started with Enter."""
    from seqtui.tui.screens.sweep import SweepScreen

    if not isinstance(pilot.app.screen, SweepScreen):
        await pilot.press("f7")
        await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SweepScreen)
    screen.query_one("#sweep-preset", Input).value = preset
    screen.query_one("#sweep-trials-count", Input).value = trials
    screen.query_one("#sweep-search", Input).value = search
    screen.query_one("#sweep-search", Input).focus()
    await pilot.press("enter")
    return screen


async def test_sweep_trials_live_best_first_and_open_one(tmp_path):
    import optuna

    runner = FakeRunner(epochs=2)
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary,
                   session_loader=lambda run_dir: FakeSession("text", run_dir))  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await sweep(pilot, "topics-en-lstm", "3", "units=4..8,layers=1 epochs=2")
        await settle(pilot, 60)
        assert [c.train.epochs for _, c in runner.calls] == [2, 2, 2]
        assert all(4 <= c.model.units <= 8 and c.model.layers == 1 for _, c in runner.calls)
        study = optuna.load_study(study_name="topics-en-lstm", storage=f"sqlite:///{tmp_path}/sweeps.sqlite3")
        table = screen.query_one("#trials", DataTable)
        assert table.row_count == len(study.trials) == 3
        # the fake's best val_accuracy is 0.65 at epoch 2, for every trial
        assert {str(table.get_row_at(i)[2]) for i in range(3)} == {"0.6500"}
        assert "best so far: trial" in str(screen.query_one("#sweep-note", Static).render())
        table.focus()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PredictScreen)
        # a bad range is answered in place
        await pilot.press("f7")
        await pilot.pause()
        screen.query_one("#sweep-search", Input).value = "dropout=0..3"
        screen.query_one("#sweep-search", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "within 0..0.95" in str(screen.query_one("#sweep-note", Static).render())
        assert len(runner.calls) == 3


async def test_a_sweep_trial_that_cannot_train_says_why_in_a_notification(tmp_path):
    from seqtui.datasets.errors import DataError

    runner = FakeRunner(error=DataError("spam.csv, line 3: the label column is empty"))
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    said: list[str] = []
    shown = app.notify
    app.notify = lambda message, **kw: (said.append(message), shown(message, **kw))[1]  # expired ones too
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await sweep(pilot, "topics-en-lstm", "2", "units=4..8,layers=1")
        await settle(pilot, 60)
        assert said == [f"trial {n} can't train: spam.csv, line 3: the label column is empty" for n in (0, 1)]
        table = screen.query_one("#trials", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["fail", "fail"]


async def test_compare_and_sweep_share_one_job_at_a_time_and_stop(tmp_path):
    """Both screens refuse a second job while one runs, and `s` sets the running job's cancel event."""
    from seqtui.tui.screens.sweep import SweepScreen

    runner = FakeRunner()
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        for key, kind, field in (
            ("f6", CompareScreen, "#compare-settings"),
            ("f7", SweepScreen, "#sweep-search"),
        ):
            await pilot.press(key)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, kind)
            cancel = screen.begin_job()  # as if a job were running
            screen.query_one(field, Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert any("stop it first (s)" in n.message for n in app._notifications)
            assert runner.calls == []
            screen.query_one("#trials" if kind is SweepScreen else "#leaderboard", DataTable).focus()
            await pilot.press("s")
            assert cancel.is_set()
            app._notifications.clear()


async def test_sweep_bad_entries_are_answered_in_the_note(tmp_path):
    runner = FakeRunner()
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        for preset, trials, search, message in [
            ("topics-en-lstm", "3", "units=4..8 epochs=abc", "epochs=abc: write a whole number of epochs"),
            ("topics-en-lstm", "0", "units=4..8", "trials: run at least 1"),
            ("no-such-preset", "3", "units=4..8", "no-such-preset"),
        ]:
            screen = await sweep(pilot, preset, trials, search)
            await settle(pilot)
            assert message in str(screen.query_one("#sweep-note", Static).render())
        assert runner.calls == [] and not screen.running


class FailingSecond(FakeRunner):
    """The first run completes; the second one's data fails when it is loaded (raised, as the runner does)."""

    def train(self, config, observer, cancel, runs_dir, callbacks=()):
        if self.calls:
            self.calls.append(("train", config))
            raise DataError("the data file vanished")
        return super().train(config, observer, cancel, runs_dir, callbacks)


def note(screen) -> str:
    return str(screen.query_one("#compare-note", Static).render())


async def test_the_note_says_which_run_failed_and_how_the_comparison_ended(tmp_path):
    app = make_app(runs_dir=tmp_path, runner=FailingSecond(epochs=2), engine_loader=lambda: "fake",
                   summarizer=fake_summary)  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await fill(pilot, "topics-en-lstm", "arch=lstm,gru epochs=2")
        text = note(app.screen)
        assert "training" not in text
        assert "1 of 2 runs completed" in text and "arch=gru failed: the data file vanished" in text
        assert "compare.json" in text


async def test_the_note_says_when_every_run_ended_failed(tmp_path):
    runner = FakeRunner(epochs=2, fail="the loss became NaN or infinite")
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await fill(pilot, "topics-en-lstm", "arch=lstm,gru epochs=2")
        text = note(app.screen)
        assert "0 of 2 runs completed" in text
        assert "arch=lstm failed: the loss became NaN or infinite (and 1 more)" in text
        assert "o: open" not in text  # no run to open


async def test_the_note_says_when_the_comparison_itself_failed(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # the comparison folder can't be made under a file
    app = make_app(
        runs_dir=blocked, runner=FakeRunner(), engine_loader=lambda: "fake", summarizer=fake_summary
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        await fill(pilot, "topics-en-lstm", "arch=lstm,gru epochs=2")
        text = note(screen)
        assert "training" not in text and text.startswith("the comparison failed: ")
        assert not screen.running


class FailingFirst(FakeRunner):
    """The first run's data fails when loaded; the second trains (and, with `hold`, waits for Stop)."""

    def train(self, config, observer, cancel, runs_dir, callbacks=()):
        if not self.calls:
            self.calls.append(("train", config))
            raise DataError("the data file vanished")
        return super().train(config, observer, cancel, runs_dir, callbacks)


async def test_the_note_says_a_run_failed_while_the_next_trains_and_that_stop_stopped(tmp_path):
    from tests.tui_fakes import until

    runner = FailingFirst(epochs=3, hold=True)
    app = make_app(runs_dir=tmp_path, runner=runner, engine_loader=lambda: "fake", summarizer=fake_summary)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#compare-presets", Input).value = "topics-en-lstm"
        screen.query_one("#compare-settings", Input).value = "arch=lstm,gru epochs=3"
        screen.query_one("#compare-settings", Input).focus()
        await pilot.press("enter")
        await until(pilot, runner.holding.is_set)
        await pilot.pause()
        assert note(screen) == (
            "training 2 runs one after another: 0 of 2 runs completed; arch=lstm failed: the data file vanished"
        )
        table = screen.query_one("#leaderboard", DataTable)
        statuses = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[6]) for i in range(table.row_count)}
        assert statuses["arch=lstm"] == "failed"
        table.focus()
        await pilot.press("s")
        await settle(pilot)
        assert note(screen).startswith(
            "stopped: 0 of 2 runs completed; arch=lstm failed: the data file vanished (and 1 more) · "
        )
