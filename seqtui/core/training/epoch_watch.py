"""The Keras callback that watches a model learn: after every epoch the run recorded, the probes' class
probabilities and every trainable layer's gradient norm on one fixed batch, appended to probes.jsonl and
handed to the epoch's event (`EventBridge` asks `extras`).

It runs after `RunRecorder` (the weights it reads are those of the epoch's last.keras) and before the
bridge. It is not `async_safe`: it runs once per epoch, never per batch, so batch throughput is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import keras

from seqtui.common.errors import error_text
from seqtui.core.training.events import LogMessage, Observer
from seqtui.core.training.probing import ProbeSet, append_probe_row, probe_records

if TYPE_CHECKING:
    from seqtui.core.runs.folder import RunFolder
    from seqtui.core.training.grad_flow import GradientFlow
    from seqtui.core.training.session import Session


class EpochWatch(keras.callbacks.Callback):
    """Probes and gradient flow after each recorded epoch. A failure (a backend that can't take the gradient
    of this model) is said once as a warning and the watching stops; the run goes on."""

    def __init__(  # recorder: the run's RunRecorder (its last_was_recorded)
        self,
        folder: RunFolder,
        recorder: Any,
        observer: Observer,
        probes: ProbeSet | None,
        class_names: list[str],
        flow: GradientFlow | None,
    ) -> None:
        super().__init__()
        self.folder = folder
        self.recorder = recorder
        self.observer = observer
        self.probes = probes
        self.class_names = class_names
        self.flow = flow
        self.last: dict[str, Any] = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.last = {}
        if not self.recorder.last_was_recorded or (self.probes is None and self.flow is None):
            return
        row: dict[str, Any] = {"epoch": epoch + 1}
        try:
            if self.probes is not None:
                outputs = self.model.predict_on_batch(self.probes.x)
                row["probes"] = probe_records(
                    self.probes, keras.ops.convert_to_numpy(outputs), self.class_names
                )
            if self.flow is not None:
                row["grad_norms"] = self.flow.norms()
        except Exception as exc:  # noqa: BLE001 - a view of the run: the run itself must go on
            self.probes = self.flow = None
            self.observer(LogMessage(f"probes and gradient flow stopped ({error_text(exc)})", "warning"))
            return
        try:
            append_probe_row(self.folder, row)
        except OSError as exc:
            self.observer(LogMessage(f"could not record the probes ({exc.strerror or exc})", "warning"))
        self.last = row

    def extras(self, epoch: int) -> dict[str, Any]:
        """The event fields of `epoch` (1-based): its probes and gradient norms, when they were taken."""
        if self.last.get("epoch") != epoch:
            return {}
        return {"probes": self.last.get("probes", []), "grad_norms": self.last.get("grad_norms", {})}


def epoch_watch_for(keras_module: Any, s: Session, observer: Observer, recorder: Any) -> EpochWatch | None:
    """The watch a run's config asks for (its probes, its gradient flow unless `grad_flow` is off), or None.
    One process only: in a run of several, each process would take its own gradient (`--processes`)."""
    from seqtui.core.training.grad_flow import GradientFlow, fixed_batch
    from seqtui.core.training.probing import probe_set

    if s.hardware.processes > 1:
        return None
    probes = probe_set(s.config, s.data)
    flow = None
    if s.config.train.grad_flow:
        x, y = fixed_batch(s.data.x_train, s.data.y_train, s.config.train.batch_size)
        flow = GradientFlow(keras_module, s.model, x, y)
    if probes is None and flow is None:
        return None
    return EpochWatch(s.folder, recorder, observer, probes, s.data.class_names, flow)
