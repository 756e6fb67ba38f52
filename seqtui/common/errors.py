"""The one error type for expected failures: a title and a message that every door shows the same way.

The CLI prints the message after `error:` to stderr and exits with `exit_code`; the app shows the title and
the message in one dialog (`describe_error`). Anything that is not a SeqtuiError is a bug, and both doors
say so.
"""

from __future__ import annotations

from seqtui.common.redact import redact_text

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130


def exit_code(statuses: str | list[str] | set[str]) -> int:
    """The exit code of runs that ended with these statuses (one run's, or a comparison's): 130 when any was
    stopped or never started, 1 when any did not complete, else 0."""
    found = {statuses} if isinstance(statuses, str) else set(statuses)
    if found & {"interrupted", "pending"}:
        return EXIT_INTERRUPTED
    return 0 if found <= {"completed"} else EXIT_FAILED


OOM_WORDS = ("ResourceExhausted", "out of memory", "OOM", "MemoryError")
OOM_ADVICE = "Lower the batch size, units, embedding size or maxlen, or use a sample limit, then try again."
BUG_TITLE = "Something went wrong (a bug in seqtui)"


class SeqtuiError(Exception):
    """An expected failure with what to do about it. Subclasses set `title` (and `exit_code` if not 2)."""

    title = "Something is wrong"
    exit_code = EXIT_BAD_INPUT

    @property
    def message(self) -> str:
        """The text shown under the title: what is wrong and how to fix it."""
        return str(self.args[0]) if self.args else ""

    @property
    def cli_message(self) -> str:
        """The message as the CLI prints it (settings named as command-line options)."""
        return self.message

    def __str__(self) -> str:
        return self.message


def is_out_of_memory(message: str) -> bool:
    return any(word in message for word in OOM_WORDS)


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(title, message) for any exception: a SeqtuiError's own, out-of-memory with advice, else a bug."""
    if isinstance(exc, SeqtuiError):
        return exc.title, exc.message
    text = error_text(exc)
    if isinstance(exc, MemoryError) or is_out_of_memory(text):
        return "Out of memory", f"{text}\n\n{OOM_ADVICE}"
    return BUG_TITLE, f"unexpected {text}"


def short_message(exc: BaseException) -> str:
    """An error as a leaderboard's cell shows it: a SeqtuiError's message, else its type and its words."""
    if isinstance(exc, SeqtuiError):
        return exc.message or exc.title
    return error_text(exc)


def error_text(exc: BaseException) -> str:
    """Any exception in one phrase: its type, then its words when it has any (a URL's password masked)."""
    return redact_text(f"{type(exc).__name__}: {exc}".strip().rstrip(":"))
