"""Train: the run in a thread worker, its events as messages, live curves, progress, a log and results."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import ContentSwitcher, Footer, RichLog, Static
from textual.worker import Worker, WorkerState

from seqtui.common.text import plural
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import BEST, has_model
from seqtui.core.training.events import RunEnded
from seqtui.render.results import in_units, result_rows
from seqtui.tui.errors import OOM_ADVICE, is_out_of_memory
from seqtui.tui.live_run import LiveRun, clock
from seqtui.tui.messages import BatchDone, EpochDone, LogLine, MessageBridge, TrainingEnded, TrainingStarted
from seqtui.tui.screens.train_views import TrainViews
from seqtui.tui.widgets.chart import MetricChart
from seqtui.tui.widgets.confusion import ConfusionMatrix, ConfusionTable
from seqtui.tui.widgets.probe_panel import FlowPane, ProbePanel
from seqtui.tui.widgets.progress_line import ProgressLine
from seqtui.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from seqtui.tui.resources import ResourceMonitor

RESOURCE_SECONDS = 1.0
"""The resource line's sampling period."""
PROGRESS_SECONDS = 0.5
"""Batch progress repaints at most this often (the engine sends up to 5 batch events a second)."""


def short_logs(logs: dict[str, float]) -> str:
    """loss 0.41 acc 0.87 val_loss 0.45 val_acc 0.85: one log line fits 80 columns."""
    return " ".join(f"{k.replace('accuracy', 'acc')} {v:.4g}" for k, v in logs.items())


class TrainScreen(TrainViews):
    DEFAULT_CSS = """
    TrainScreen #run-title { height: auto; padding: 0 1; text-style: bold; }
    TrainScreen #resources { height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    TrainScreen #charts { height: 1fr; min-height: 8; }
    TrainScreen #bottom { height: 8; border-top: hkey $secondary; }
    TrainScreen #bottom.-results { height: 1fr; min-height: 8; }
    TrainScreen #metric-chart.-same-as-loss { display: none; }
    /* under 96 columns one chart at a time, full width (`a` swaps); under 34 rows a shorter log strip */
    TrainScreen.-narrow #charts > .-other { display: none; }
    TrainScreen.-short #bottom { height: 5; }
    TrainScreen.-short.-flow #charts { display: none; }
    TrainScreen.-short.-flow #bottom { height: 1fr; }
    TrainScreen #log { height: 1fr; }
    TrainScreen #results { height: 1fr; }
    TrainScreen #results-text { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("s", "stop", "Stop"),
        Binding("l", "toggle_pane", "Results"),
        Binding("p", "predict", "Try it"),
        # the footer fits 80 columns with `s Stop` in it: the view toggles are in help (F1)
        Binding("m", "smooth", "Smooth", show=False),
        Binding("y", "log_scale", "Log y", show=False),
        Binding("a", "swap_chart", "Loss/acc", tooltip="narrow screens show one chart: loss or the metric"),
        Binding("z", "zoom", "Zoom"),
        Binding("g", "grad_flow", "Grad flow", tooltip="each layer's gradient norm per epoch, log scale"),
        Binding("x", "mistakes", "Mistakes", show=False),
    ]
    ZOOM = ("#charts",)

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.worker: Worker | None = None
        self.live = LiveRun()
        self.ended: RunEnded | None = None
        self.log_lines: list[str] = []
        self._progress_due = False
        self.monitor: ResourceMonitor | None = None
        self.watch_rows: list[dict[str, Any]] = []
        """Probes and gradient norms per epoch (probes.jsonl rows)."""

    def compose(self) -> ComposeResult:
        yield StatusLine("Train")
        yield Static(
            "No run yet: choose a model on the Setup screen (F2) and press ctrl+s.",
            markup=False,
            id="run-title",
        )
        yield ProgressLine("epochs done", id="epoch-progress")
        yield ProgressLine("batch", id="batch-progress")
        yield Static("", markup=False, id="resources")
        yield ProbePanel(id="probes")
        with Horizontal(id="charts"):
            yield MetricChart("loss", id="loss-chart")
            chart = MetricChart("accuracy", id="metric-chart")
            chart.add_class("-other")
            yield chart
        with ContentSwitcher(initial="log", id="bottom"):
            yield RichLog(id="log", wrap=True, markup=False, max_lines=2000)
            yield FlowPane(id="flow")
            with VerticalScroll(id="results"):
                yield Static("no results yet", markup=False, id="results-text")
                yield ConfusionMatrix()
        yield Footer(compact=True, show_command_palette=False)

    # -- starting and stopping ----------------------------------------------------------------------
    @property
    def is_training(self) -> bool:
        return self.worker is not None and self.worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def _reset(self, title: str) -> None:
        self.cancel = threading.Event()
        self.ended = None
        self.live = LiveRun()
        self.query_one("#run-title", Static).update(title)
        self.query_one("#loss-chart", MetricChart).clear("loss")
        self.query_one("#metric-chart", MetricChart).clear("accuracy")
        self.query_one("#confusion", ConfusionTable).clear(columns=True)
        self.query_one("#results-text", Static).update("no results yet")
        self._show_pane("log")
        self._show_watch([])
        self.query_one("#metric-chart", MetricChart).remove_class("-same-as-loss")
        self.app.activity = "preparing a run"  # type: ignore[attr-defined]
        self._show_progress()

    def start(self, config: RunConfig) -> None:
        self._reset(f"{config.name}: loading data and building the model...")
        self.log_line(f"starting {config.name}: {config.model.arch}, {plural(config.train.epochs, 'epoch')}")
        self.worker = self.train_worker(config, None, None)

    def resume(self, run_dir: Path, epochs: int) -> None:
        self._reset(f"{Path(run_dir).name}: loading the checkpoint...")
        self.log_line(f"continuing {run_dir} until epoch {epochs}")
        self.worker = self.train_worker(None, Path(run_dir), epochs)

    @work(thread=True, exclusive=True, exit_on_error=False, group="training", name="training")
    def train_worker(self, config: RunConfig | None, run_dir: Path | None, epochs: int | None) -> RunEnded:
        bridge = MessageBridge(self)
        runner = self.app.runner  # type: ignore[attr-defined]
        if run_dir is not None:
            return runner.resume(run_dir, bridge, self.cancel, epochs)
        return runner.train(config, bridge, self.cancel, self.app.runs_dir)  # type: ignore[attr-defined]

    def stop(self) -> None:
        if self.is_training and not self.cancel.is_set():
            self.cancel.set()
            self.log_line("stopping after the current batch; the model is kept")
            self.app.activity = "stopping after this batch"  # type: ignore[attr-defined]

    def action_stop(self) -> None:
        if not self.is_training:
            self.notify("Nothing is training.")
            return
        self.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `s Stop` is in the footer only while a run trains
        return self.is_training if action == "stop" else True

    async def action_predict(self) -> None:
        folder = Path(self.live.run_dir) if self.live.run_dir else None
        if folder is None or not has_model(folder):
            self.notify("No saved model yet: wait for the first epoch to finish.", severity="warning")
            return
        await self.app.open_for_prediction(folder)  # type: ignore[attr-defined]

    def log_line(self, text: str) -> None:
        self.log_lines.append(text)
        self.query_one("#log", RichLog).write(Text(text))

    # -- engine events (posted from the training thread) --------------------------------------------
    def on_training_started(self, message: TrainingStarted) -> None:
        event = message.event
        history = []
        if event.initial_epoch:
            from seqtui.core.runs.folder import RunFolder

            history = RunFolder(Path(event.run_dir)).read_history()
        self.live = LiveRun.started(event, history)
        self.query_one("#run-title", Static).update(
            f"{event.name}: {event.total_params:,} params, {event.train_samples:,} samples -> {event.run_dir}"
        )
        self.query_one("#metric-chart", MetricChart).clear(event.monitor_metric)
        if event.initial_epoch:  # a resumed run's probes and gradient flow so far
            from seqtui.core.runs.folder import RunFolder
            from seqtui.core.training.probing import read_probe_history

            self._show_watch(read_probe_history(RunFolder(Path(event.run_dir)), event.initial_epoch))
        self._draw_epochs()
        self._show_progress()

    def on_batch_done(self, message: BatchDone) -> None:
        self.live.batch(message.event)
        loss = self.query_one("#loss-chart", MetricChart)
        loss.set_series("loss", self.live.batch_x, self.live.batch_loss, "braille")
        metric = self.query_one("#metric-chart", MetricChart)
        metric.set_series(self.live.monitor, self.live.batch_x, self.live.batch_metric, "braille")
        self._progress_due = True  # drawn by the next tick: one screen update for several events

    def on_mount(self) -> None:
        self.set_interval(PROGRESS_SECONDS, self._tick)
        self.set_interval(RESOURCE_SECONDS, self._sample_resources)

    def _sample_resources(self) -> None:
        """CPU, memory and GPU while a model trains (sampled here, on the UI's timer, not in training)."""
        line = self.query_one("#resources", Static)
        if not self.is_training:
            if self.monitor is not None:
                line.update("")
                self.monitor = None
            return
        if self.monitor is None:
            from seqtui.tui.resources import ResourceMonitor

            self.monitor = ResourceMonitor()
        line.update(self.monitor.sample())

    def _tick(self) -> None:
        if self._progress_due:
            self._show_progress()

    def on_epoch_done(self, message: EpochDone) -> None:
        event = message.event
        self.live.epoch_end(event)
        self._draw_epochs()
        self._show_progress()
        if self.live.monitor in event.logs and event.logs.get("loss") == event.logs[self.live.monitor]:
            # the loss is the metric (mae for mae): one chart, not the same curve twice
            self.query_one("#metric-chart", MetricChart).add_class("-same-as-loss")
            self.query_one("#loss-chart", MetricChart).remove_class("-other")
        self.log_line(  # no samples/s here (the batch line has it): the line fits 80 columns with *best
            f"epoch {event.epoch}/{event.epochs} {short_logs(event.logs)} {event.seconds:.1f}s"
            + (" *best" if event.best else "")
        )
        if event.probes or event.grad_norms:
            row = {"epoch": event.epoch, "probes": event.probes, "grad_norms": event.grad_norms}
            self._show_watch([*self.watch_rows, row])

    def _show_watch(self, rows: list[dict[str, Any]]) -> None:
        """Probes and gradient flow up to the latest epoch; a layer whose gradient newly collapsed is said
        in the log as well (the flow pane, `g`, may be hidden)."""
        before = set(self.query_one(FlowPane).notes)
        self.watch_rows = rows
        self.query_one(ProbePanel).show_rows(rows)
        epochs = (self.live.initial_epoch, self.live.epochs) if self.live.epochs else None
        for note in self.query_one(FlowPane).show_rows(rows, epochs):
            if note not in before:
                self.log_line(f"gradient flow: {note}")

    def on_log_line(self, message: LogLine) -> None:
        event = message.event
        self.log_line(event.message if event.level == "info" else f"{event.level}: {event.message}")

    def on_training_ended(self, message: TrainingEnded) -> None:
        self.show_end(message.event)

    def _draw_epochs(self) -> None:
        run = self.live
        loss = self.query_one("#loss-chart", MetricChart)
        metric = self.query_one("#metric-chart", MetricChart)
        if not run.batch_x:  # resumed runs: earlier epochs from history.csv
            loss.set_series("loss", *run.curve("loss"), "braille")
            metric.set_series(run.monitor, *run.curve(run.monitor), "braille")
        else:  # finished epochs keep their epoch value only (see LiveRun.batch_x)
            loss.set_series("loss", run.batch_x, run.batch_loss, "braille")
            metric.set_series(run.monitor, run.batch_x, run.batch_metric, "braille")
        loss.set_series("val_loss", *run.curve("val_loss"), "hd")
        metric.set_series(f"val_{run.monitor}", *run.curve(f"val_{run.monitor}"), "hd")
        for chart in (loss, metric):
            chart.mark(run.best_epoch, f"best epoch {run.best_epoch}")

    def _show_progress(self) -> None:
        self._progress_due = False
        run = self.live
        done = int(run.history[-1]["epoch"]) if run.history else run.initial_epoch
        eta = f"ETA {clock(run.seconds_left)}" if self.ended is None else self.ended.status
        self.query_one("#epoch-progress", ProgressLine).update(done, run.epochs, eta)
        for chart_id in ("#loss-chart", "#metric-chart"):  # both charts span the whole run
            self.query_one(chart_id, MetricChart).set_x_range(run.initial_epoch, run.epochs)
        speed = f"{run.samples_per_s:,.0f} samples/s" if run.samples_per_s else ""
        self.query_one("#batch-progress", ProgressLine).update(run.step, run.steps, speed)
        if self.ended is None and run.name:
            doing = "stopping after this batch" if self.cancel.is_set() else f"training {run.name}"
            self.app.activity = f"{doing}: epoch {run.epoch}/{run.epochs}"  # type: ignore[attr-defined]

    # -- the end ------------------------------------------------------------------------------------
    def show_end(self, end: RunEnded) -> None:
        from seqtui.tui.run_notify import tell_run_ended

        self.ended = end
        self.app.activity = f"last run {end.status}"  # type: ignore[attr-defined]
        tell_run_ended(self.app, end)  # Setup's notify target, as `train --notify` tells it
        for chart_id in ("#loss-chart", "#metric-chart"):
            self.query_one(chart_id, MetricChart).flush()
        self._show_progress()
        lines = Text.assemble(
            (f"run {end.status}", "bold"), f" after {plural(end.epochs_done, 'epoch')} -> {end.run_dir}"
        )
        rows = result_rows(end)  # errors in the series' units, each baseline once by name
        tested = len(end.test_metrics)
        if tested:  # the test metrics on one line: at 80x24 the confusion matrix needs the rows
            lines.append("\n" + "   ".join(f"{label} {value}" for label, value in rows[:tested]))
        for label, value in rows[tested:]:
            lines.append(f"\n{label} {value}")
        if end.verdict:
            lines.append(f"\nthe model {end.verdict}", style="bold")
        if end.message:
            lines.append(f"\n{end.message}", style="italic")
        elif end.status == "completed" and end.epochs_done < self.live.epochs:
            for chart in self._charts():
                chart.add_mark(f"early stop {end.epochs_done}", end.epochs_done)
                chart.flush()
            lines.append(
                f"\nearly stopping ended it at epoch {end.epochs_done} of {self.live.epochs}: val_loss had "
                f"stopped improving; {BEST} is the best epoch ({self.live.best_epoch})",
                style="italic",
            )
        if end.status in ("completed", "interrupted"):
            if end.confusion:  # one line: at 80x24 the matrix needs the rows
                lines.append(
                    "\np: try this model · x: a cell's examples · F5 Runs, c: continue training",
                    style="italic",
                )
            else:
                lines.append("\np: try this model · F5 Runs, then c: continue training it", style="italic")
        self.query_one("#results-text", Static).update(lines)
        if end.confusion:
            self.query_one("#confusion", ConfusionTable).show(end.confusion, end.class_names)
        self.log_line(
            f"run {end.status}: {plural(end.epochs_done, 'epoch')}, test "
            + (", ".join(f"{k} {in_units(end, k, v)}" for k, v in end.test_metrics.items()) or "-")
        )
        if end.message:
            self.log_line(end.message)
        if end.test_metrics or end.status != "interrupted":
            self._show_pane("results")
        if end.status in ("failed", "diverged"):
            message = end.message + (f"\n\n{OOM_ADVICE}" if is_out_of_memory(end.message) else "")
            title = "Out of memory" if is_out_of_memory(end.message) else f"Training {end.status}"
            self.app.show_error(title, message)  # type: ignore[attr-defined]

    def worker_changed(self, event: Worker.StateChanged) -> bool:
        if event.worker is self.worker:
            self.refresh_bindings()  # `s Stop` comes and goes with the run
        if event.worker is self.worker and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.app.activity = "last run could not start"  # type: ignore[attr-defined]
            self.query_one("#run-title", Static).update("The run could not start (see the message).")
            self.log_line(f"error: {event.worker.error}")
        return False
