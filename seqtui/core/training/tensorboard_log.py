"""TensorBoard event files for every run, written from the run's event stream (so any Keras backend).

`<run folder>/tensorboard/` gets per-epoch scalars (`epoch/loss`, `epoch/val_accuracy`...), per-batch
scalars (`batch/...`, at most `max_batch_per_s` a second, on top of the runner's own throttling), the model's
layer table as text, and the run's settings through the HParams plugin, so TensorBoard's own table compares
runs: `tensorboard --logdir runs`.

tensorboardX queues events and writes them from its own thread; the observer only converts numbers, so
training never waits for the disk. A TensorBoard failure never fails the run: it is reported once and the
run goes on without it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from seqtui.common.errors import error_text
from seqtui.core.config.run_config import RunConfig
from seqtui.core.training.events import (
    BatchEnded,
    EpochEnded,
    Event,
    LogMessage,
    Observer,
    RunEnded,
    RunStarted,
)

TENSORBOARD_DIR = "tensorboard"


def hparams_of(config: RunConfig) -> dict[str, str | float | bool]:
    """The run's settings flattened to `section.field` scalars (what the HParams table can show)."""
    out: dict[str, str | float | bool] = {"preset": config.preset or ""}
    for section, values in config.to_dict().items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if isinstance(value, (str, bool, int, float)):
                out[f"{section}.{key}"] = value
    return out


def layers_markdown(table: dict[str, Any]) -> str:
    """`layer_table`'s answer as a Markdown table (TensorBoard's text plugin renders Markdown)."""
    lines = [
        f"**{table['total_params']:,} parameters**",
        "",
        "| layer | type | output shape | params | arithmetic |",
        "|---|---|---|---:|---|",
    ]
    for row in table["layers"]:
        shape = "(" + ", ".join(str(s) for s in row["output_shape"]) + ")"
        lines.append(
            f"| {row['name']} | {row['type']} | {shape} | {row['params']:,} | {row.get('formula', '')} |"
        )
    return "\n".join(lines)


class TensorBoardLog:
    """An observer that writes a run's events to TensorBoard and passes them on to `inner`."""

    def __init__(
        self,
        inner: Observer,
        run_dir: Path,
        config: RunConfig,
        layers: dict[str, Any] | None = None,
        max_batch_per_s: float = 2.0,
    ) -> None:
        self.inner = inner
        self.logdir = Path(run_dir) / TENSORBOARD_DIR
        self.config = config
        self.layers = layers
        self.min_interval = 1.0 / max_batch_per_s if max_batch_per_s > 0 else float("inf")
        self.writer: Any = None
        self.steps = 1
        self._last_batch = -float("inf")
        self._monitor = "accuracy"

    def __call__(self, event: Event) -> None:
        try:
            self._write(event)
        except Exception as exc:  # noqa: BLE001 - TensorBoard is a view; the run must go on
            self._close()  # without a writer, nothing more is written
            self.inner(LogMessage(f"TensorBoard logging stopped ({error_text(exc)})", "warning"))
        self.inner(event)

    def _write(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._start(event)
        elif self.writer is None:
            return
        elif isinstance(event, BatchEnded):
            now = time.monotonic()
            if now - self._last_batch < self.min_interval:
                return
            self._last_batch = now
            step = (event.epoch - 1) * self.steps + event.step
            for key, value in event.logs.items():
                self.writer.add_scalar(f"batch/{key}", value, step)
        elif isinstance(event, EpochEnded):
            for key, value in event.logs.items():
                self.writer.add_scalar(f"epoch/{key}", value, event.epoch)
            self.writer.add_scalar("epoch/samples_per_s", event.samples_per_s, event.epoch)
            self._watch(event)
        elif isinstance(event, RunEnded):
            for key, value in event.test_metrics.items():
                self.writer.add_scalar(f"test/{key}", value, event.epochs_done)
            self._end(event.status)

    def _watch(self, event: EpochEnded) -> None:
        """The probes' probabilities (`probe/<n> <probe>/<class>`) and the gradient flow (`grad_norm/<layer>`)."""
        assert self.writer is not None
        for n, probe in enumerate(event.probes, 1):
            for name, p in probe.get("probabilities", {}).items():
                self.writer.add_scalar(f"probe/{n} {str(probe.get('probe', ''))[:40]}/{name}", p, event.epoch)
        for layer, norm in event.grad_norms.items():
            self.writer.add_scalar(f"grad_norm/{layer}", norm, event.epoch)

    def _start(self, event: RunStarted) -> None:
        from tensorboardX import SummaryWriter
        from tensorboardX.summary import hparams

        self.steps = max(1, event.steps_per_epoch)
        self._monitor = event.monitor_metric
        self.writer = SummaryWriter(logdir=str(self.logdir), flush_secs=10, max_queue=1000)
        if self.layers is not None and event.initial_epoch == 0:
            self.writer.add_text("model", layers_markdown(self.layers))
        metrics = [f"epoch/{m}" for m in ("loss", "val_loss", self._monitor, f"val_{self._monitor}")]
        metrics += [f"test/{m}" for m in ("loss", self._monitor)]
        experiment, start, _ = hparams(hparams_of(self.config), dict.fromkeys(metrics, 0.0))
        self.writer.file_writer.add_summary(experiment)
        self.writer.file_writer.add_summary(start)

    def _end(self, status: str) -> None:
        from tensorboardX.proto.api_pb2 import Status
        from tensorboardX.proto.plugin_hparams_pb2 import HParamsPluginData, SessionEndInfo
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata

        state = {"completed": "STATUS_SUCCESS", "failed": "STATUS_FAILURE", "diverged": "STATUS_FAILURE"}.get(
            status, "STATUS_UNKNOWN"
        )  # interrupted: it can be resumed, so neither a success nor a failure
        content = HParamsPluginData(session_end_info=SessionEndInfo(status=Status.Value(state)), version=0)
        meta = SummaryMetadata(
            plugin_data=SummaryMetadata.PluginData(plugin_name="hparams", content=content.SerializeToString())
        )
        self.writer.file_writer.add_summary(
            Summary(value=[Summary.Value(tag="_hparams_/session_end_info", metadata=meta)])
        )
        self._close()

    def _close(self) -> None:
        if self.writer is not None:
            writer, self.writer = self.writer, None
            writer.close()
