"""Lines of a file or of standard input, in batches as they come: `seqtui predict RUN --input FILE` (or `-`).

A thread reads the lines (so a pipe or a terminal that has nothing more to give never holds back what was
read); the caller takes them in batches of up to `size` lines, or fewer once `wait` seconds pass with no new
line, so a file is answered in big batches and a person typing gets each answer at once. Each line comes as
its text, or as the reason it can't be read (empty, not UTF-8, too long), with its number.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from rich.console import Console

MAX_LINE = 1 << 20
"""Bytes a line may hold (1 MiB): a longer one is skipped whole, never read into memory."""
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Line:
    """One line of the input: its number (from 1), its text without the line ending, or why it was skipped."""

    number: int
    text: str | None
    problem: str | None = None


def decode_line(number: int, raw: bytes) -> Line:
    """A line's bytes as its text, or the reason it is skipped: empty (or only spaces), or not UTF-8."""
    if number == 1 and raw.startswith(BOM):  # a file saved with a byte order mark (Windows Notepad)
        raw = raw[len(BOM) :]
    raw = raw.removesuffix(b"\n").removesuffix(b"\r")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start]
        return Line(
            number, None, f"not UTF-8 text (byte 0x{bad:02x} at byte {exc.start + 1}); save it as UTF-8"
        )
    if not text.strip():
        return Line(number, None, "empty")
    return Line(number, text)


def _read(stream: BinaryIO, lines: queue.Queue[Line | None]) -> None:
    """Every line of `stream` onto `lines`, then the end mark (also when reading fails)."""
    number = 0
    try:
        while raw := stream.readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                while (rest := stream.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass  # the rest of the long line, dropped as it comes
                lines.put(Line(number, None, f"longer than {MAX_LINE // (1 << 20)} MiB"))
                continue
            lines.put(decode_line(number, raw))
    except (OSError, ValueError) as exc:  # a terminal hung up, the file vanished
        lines.put(Line(number + 1, None, f"reading stopped: {exc}"))
    finally:
        lines.put(None)  # the end


def batches(stream: BinaryIO, size: int = 256, wait: float = 0.05) -> Iterator[list[Line]]:
    """The lines of `stream` in batches of up to `size`; a batch ends early once `wait` seconds pass without a
    new line. Waiting for a line can be interrupted (Ctrl+C): the reading thread never holds the process."""
    lines: queue.Queue[Line | None] = queue.Queue(maxsize=4 * size)  # a huge file is never read ahead whole
    threading.Thread(target=_read, args=(stream, lines), name="seqtui-lines", daemon=True).start()
    ended = False
    while not ended:
        first = _get(lines, None)
        if first is None:
            return
        batch = [first]
        while len(batch) < size:
            try:
                line = _get(lines, wait)
            except queue.Empty:
                break
            if line is None:
                ended = True
                break
            batch.append(line)
        yield batch


def _get(lines: queue.Queue[Line | None], timeout: float | None) -> Line | None:
    """The next line; waiting in short steps, so that Ctrl+C reaches the main thread at once."""
    if timeout is not None:
        return lines.get(timeout=timeout)
    while True:
        try:
            return lines.get(timeout=0.2)
        except queue.Empty:
            continue


def open_source(source: str) -> BinaryIO:
    """The lines to answer: standard input for `-`, else the file at `source` (refused with one message when
    it is missing or a folder, before any model loads)."""
    from seqtui.datasets.errors import DataError

    if source == "-":
        return sys.stdin.buffer
    path = Path(source)
    if not path.exists():
        raise DataError(
            f"--input {source} does not exist (give a text file, one sentence a line, or - for stdin)"
        )
    if path.is_dir():
        raise DataError(f"--input {source} is a folder; give a text file, one sentence a line")
    try:
        return path.open("rb")
    except OSError as exc:
        raise DataError(f"--input {source} can't be read: {exc.strerror or exc}") from None


def answer_lines(
    answer: Callable[[list[str], list[int]], None], stream: BinaryIO, size: int, wait: float, err: Console
) -> None:
    """Answer each line of `stream` with `answer(texts, line_numbers)`, batch by batch, flushing each batch's
    answers; a line that can't be read gets a message on stderr and the rest go on. A closed stdout
    (`| head -1`) ends the work quietly; Ctrl+C stops it with the answers so far printed."""
    answered, skipped = 0, []
    if stream.isatty():
        err.print("reading sentences from the terminal, one a line; Ctrl+D ends", highlight=False)
    try:
        for batch in batches(stream, size, wait):
            for line in batch:
                if line.problem is not None:
                    skipped.append(line.number)
                    err.print(f"line {line.number}: {line.problem}; skipped", markup=False, highlight=False)
            good = [line for line in batch if line.text is not None]
            try:
                if good:
                    answer([line.text or "" for line in good], [line.number for line in good])
                    answered += len(good)
                sys.stdout.flush()
            except BrokenPipeError:  # the reader is gone (`| head -1`)
                _lose_stdout()
                return
            if getattr(sys.stdout, "lost", False):  # a guarded stdout (common/streams.py) lost its reader
                return
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        raise KeyboardInterrupt(f"stopped (Ctrl+C) after {answered} answers") from None
    if skipped:
        from seqtui.datasets.errors import DataError

        shown = ", ".join(map(str, skipped[:10])) + (", ..." if len(skipped) > 10 else "")
        raise DataError(
            f"{answered} lines answered, {len(skipped)} skipped (lines {shown}): see the messages above"
        )


def _lose_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so that the exit's own flush finds no broken pipe."""
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
