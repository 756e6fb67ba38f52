"""Engine events as Textual messages, and the bridge that posts them from the training thread.

`post_message` only queues the message on the UI's event loop (thread-safe, never waits), so the training
thread is never held up by drawing; `call_from_thread` would block it until the UI had handled each event.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump

from seqtui.core.training.events import BatchEnded, EpochEnded, Event, LogMessage, RunEnded, RunStarted


class RunEvent(Message):
    """One engine event, delivered on the UI thread."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class TrainingStarted(RunEvent):
    event: RunStarted


class BatchDone(RunEvent):
    event: BatchEnded


class EpochDone(RunEvent):
    event: EpochEnded


class LogLine(RunEvent):
    event: LogMessage


class TrainingEnded(RunEvent):
    event: RunEnded


_WRAP: dict[type, type[RunEvent]] = {
    RunStarted: TrainingStarted,
    BatchEnded: BatchDone,
    EpochEnded: EpochDone,
    LogMessage: LogLine,
    RunEnded: TrainingEnded,
}


class MessageBridge:
    """An engine observer that turns each event into a message for `target` (any thread may call it)."""

    def __init__(self, target: MessagePump) -> None:
        self.target = target

    def __call__(self, event: Event) -> None:
        wrapper = _WRAP.get(type(event))
        if wrapper is not None:
            self.target.post_message(wrapper(event))
