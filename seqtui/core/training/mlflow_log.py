"""Runs in MLflow (optional extra `seqtui[mlflow]`): when MLFLOW_TRACKING_URI is set or `--mlflow URI` is
given, each run logs its settings, per-epoch metrics, test metrics and model file to that tracking server.

MLflow calls are network calls, so they run on a worker thread of their own: training never waits for the
server. A server that can't be reached (or mlflow not installed) costs one warning; the run goes on and its
folder keeps everything, as without MLflow.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seqtui.common.redact import redact_text, redact_url
from seqtui.core.config.run_config import RunConfig
from seqtui.core.runs.folder import BEST, LAST
from seqtui.core.training.events import EpochEnded, Event, LogMessage, Observer, RunEnded, RunStarted
from seqtui.core.training.tensorboard_log import hparams_of

EXPERIMENT = "seqtui"
END_WAIT_S = 60.0
"""How long the end of a run waits for the last uploads (the model file) before leaving them."""


class MLflowLog:
    """An observer that mirrors a run into MLflow from a worker thread and passes events on to `inner`."""

    def __init__(self, inner: Observer, uri: str, run_dir: Path, config: RunConfig) -> None:
        self.inner = inner
        self.uri = uri
        self.shown_uri = redact_url(uri)  # what messages say: the URI without its password
        self.run_dir = Path(run_dir)
        self.config = config
        self.jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.failed: str | None = None
        self._warned = False
        self._mlflow: Any = None
        self._run_id: str | None = None
        self._thread = threading.Thread(target=self._work, name="mlflow", daemon=True)

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._thread.start()
            self.jobs.put(lambda: self._start(event))
        elif isinstance(event, EpochEnded):
            self.jobs.put(
                lambda: self._client().log_batch(self._run_id, metrics=self._metrics(event.logs, event.epoch))
            )
        elif isinstance(event, RunEnded):
            self.jobs.put(lambda: self._end(event))
            self.jobs.put(None)
            self._thread.join(END_WAIT_S)
            if self._thread.is_alive():
                self._warn(
                    f"MLflow at {self.shown_uri} is slow; the last uploads were left (the run folder has them)"
                )
        self._report()
        self.inner(event)

    # -- the worker thread --------------------------------------------------------------------------------
    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.failed is not None:
                continue  # drain: one failure ends the mirroring, never the run
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - any MLflow or network error
                first = redact_text(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, self.uri)
                self.failed = f"MLflow logging to {self.shown_uri} stopped ({first[:300]}); the run goes on, its folder keeps everything"

    def _client(self) -> Any:
        return self._mlflow.tracking.MlflowClient(tracking_uri=self.uri)

    def _start(self, event: RunStarted) -> None:
        os.environ.setdefault(
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1"
        )  # an unreachable server: fail in seconds
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
        try:
            import mlflow
        except ImportError:
            raise RuntimeError("mlflow is not installed: pip install 'seqtui[mlflow]'") from None
        self._mlflow = mlflow
        client = self._client()
        experiment = client.get_experiment_by_name(EXPERIMENT)
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(EXPERIMENT)
        run = client.create_run(
            experiment_id, run_name=self.run_dir.name, tags={"seqtui.run_dir": str(self.run_dir)}
        )
        self._run_id = run.info.run_id
        from mlflow.entities import Param

        params = [Param(k, str(v)[:6000]) for k, v in hparams_of(self.config).items()]
        client.log_batch(self._run_id, params=params)

    def _metrics(self, logs: dict[str, float], step: int, prefix: str = "") -> list[Any]:
        import math
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        return [Metric(prefix + k, float(v), now, step) for k, v in logs.items() if math.isfinite(v)]

    def _end(self, event: RunEnded) -> None:
        client = self._client()
        if event.test_metrics:
            client.log_batch(
                self._run_id, metrics=self._metrics(event.test_metrics, event.epochs_done, "test_")
            )
        model = next((self.run_dir / n for n in (BEST, LAST) if (self.run_dir / n).exists()), None)
        if model is not None:
            client.log_artifact(self._run_id, str(model))
        status = {"completed": "FINISHED", "interrupted": "KILLED"}.get(event.status, "FAILED")
        client.set_terminated(self._run_id, status)

    # -- reporting on the training thread -----------------------------------------------------------------
    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self.inner(LogMessage(message, "warning"))

    def _report(self) -> None:
        if self.failed is not None:
            self._warn(self.failed)
