"""Turn an exception from the engine into a title and a message a person can act on."""

from __future__ import annotations

_OOM_WORDS = ("ResourceExhausted", "out of memory", "OOM", "MemoryError")
OOM_ADVICE = "Lower the batch size, units, embedding size or maxlen, or use a sample limit, then try again."


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(title, message) for an error dialog."""
    from seqtui.core.backend import BackendError
    from seqtui.core.runner import ConfigError
    from seqtui.core.runs import RunFolderError
    from seqtui.datasets.base import DataError

    if isinstance(exc, ConfigError):
        return "Invalid settings", "\n".join(f"{p.field}: {p.message}" for p in exc.problems)
    if isinstance(exc, DataError):
        return "The data could not be loaded", str(exc)
    if isinstance(exc, RunFolderError):
        return "Run folder problem", str(exc)
    if isinstance(exc, BackendError):
        return "Keras could not start", str(exc)
    if isinstance(exc, KeyError) and exc.args:
        return "Not found", str(exc.args[0])
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if isinstance(exc, MemoryError) or is_out_of_memory(text):
        return "Out of memory", f"{text}\n\n{OOM_ADVICE}"
    return "Something went wrong", text


def is_out_of_memory(message: str) -> bool:
    return any(word in message for word in _OOM_WORDS)
