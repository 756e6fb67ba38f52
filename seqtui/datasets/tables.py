"""The user's tables: CSV, TSV, JSON lines (or a JSON array of objects), read with the stdlib.

Every row keeps the file line it starts on, so each problem can be reported as "FILE, line N: ...".
"""

from __future__ import annotations

import csv
import io
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from seqtui.datasets.errors import DataError
from seqtui.datasets.json_tables import json_table
from seqtui.datasets.table_source import Lines, Rows, TableSource, check_width, first_line
from seqtui.datasets.text_files import read_head, read_text, stream_encoding

TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json")
_DELIMITERS = (",", "\t", ";", "|")
FIELD_LIMIT = 64 << 20
"""The longest cell csv reads (its default, 128 KiB, is shorter than a long review or document)."""
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


def _clean_header(cells: list[str]) -> list[str]:
    """Header names stripped; empty ones named 'column3' (1-based), repeated ones given a '.1' suffix."""
    names: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        name = cell.strip().lstrip("\ufeff").strip() or f"column{i + 1}"
        base, k = name, 1
        while name in seen:
            name, k = f"{base}.{k}", k + 1
        names.append(name)
        seen.add(name)
    return names


def _unquote(cell: str) -> str:
    """A TSV cell wrapped whole in double quotes, as spreadsheets write it, without them."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def _swallowed_rows(cells: list[str], delimiter: str, width: int) -> int:
    """Lines inside quoted cells that read as whole rows of the table: the sign of a quote never closed."""
    if width < 2:
        return 0
    inner = [line for cell in cells if "\n" in cell for line in cell.split("\n")[1:] if line.strip()]
    return sum(line.count(delimiter) >= width - 1 for line in inner)


class _Recorded:
    """The lines csv reads, kept from the start of the current record: what the quote checks look at, so a
    file read as it goes needs no second copy of its text."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.record: list[str] = []
        self.ended = False

    def __iter__(self) -> _Recorded:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.ended = True
            raise
        self.record.append(line)
        return line


def _strict(lines: list[str], delimiter: str) -> list[list[str]] | str:
    """The records strict CSV reads from `lines`, or its error."""
    try:
        return list(csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return str(exc)


def _well_quoted(lines: list[str], delimiter: str) -> bool:
    """Whether a record's lines are one record that strict CSV accepts: a cell over several lines that a CSV
    writer quoted (each quote closed and followed by a delimiter or the line's end), however row-like its
    lines look. A quote left open and closed by a later cell's quote fails this."""
    records = _strict(lines, delimiter)
    return not isinstance(records, str) and len(records) == 1


def _ends_inside_quotes(lines: list[str], delimiter: str) -> bool:
    """Whether the last record of a file, read to its end, ends inside a quoted cell (strict parsing)."""
    records = _strict(lines, delimiter)
    return isinstance(records, str) and "unexpected end of data" in records


def _unclosed_quote(path: Path, start: int, why: str) -> DataError:
    return DataError(
        f'{path}, line {start}: a double quote (") opened here is never closed: {why}. '
        'Close it ("like, this") or remove it'
    )


def _delimited_rows(path: Path, lines: Lines, delimiter: str) -> Callable[[], Rows]:
    """CSV keeps quoting (commas inside quotes); TSV splits on every tab, as NSMC's files need.

    A quote that is never closed would swallow every later row into one cell: a quoted cell that runs to
    the end of the file, or holds lines that look like rows, is an error naming the line it opens on."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL

    def walk() -> Rows:
        source = _Recorded(lines())
        reader = csv.reader(source, delimiter=delimiter, quoting=quoting)
        line, width = 1, 0
        while True:
            source.record = []
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                reason = str(exc)
                if "field larger than field limit" in reason:
                    reason = f"a cell is longer than {FIELD_LIMIT >> 20} MiB"
                raise DataError(f"{path}, line {line}: {reason}") from None
            start, line = line, reader.line_num + 1
            if delimiter == "\t":
                cells = [_unquote(c) for c in cells]
            else:
                _check_quotes(path, source, cells, delimiter, width, start, line)
            width = width or len(cells)
            if any(c.strip() for c in cells):
                yield start, cells

    return walk


def _check_quotes(
    path: Path, source: _Recorded, cells: list[str], delimiter: str, width: int, start: int, line: int
) -> None:
    """An unclosed quote: later rows read as one cell, or the rest of the file read as one."""
    if line - start > 1:  # a quoted cell over several lines
        swallowed = _swallowed_rows(cells, delimiter, width)
        if swallowed >= 2 and not _well_quoted(source.record, delimiter):
            raise _unclosed_quote(path, start, f"{swallowed} lines after it were read as one cell")
    if source.ended and _ends_inside_quotes(source.record, delimiter):
        raise _unclosed_quote(path, start, "the rest of the file was read as one cell")


def looks_like_tab_table(text: str) -> bool:
    """A tab-separated table with a header (NSMC's ratings_train.txt), not plain prose."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) < 2 or "\t" not in lines[0]:
        return False
    tabs = lines[0].count("\t")
    return sum(line.count("\t") == tabs for line in lines[1:]) >= 0.8 * (len(lines) - 1)


def _sniff_delimiter(text: str) -> str:
    """The separator that splits the header line into the most fields (a comma when in doubt)."""
    header = first_line(text)
    best, best_fields = ",", 1
    for delimiter in _DELIMITERS:
        try:
            fields = len(next(csv.reader([header], delimiter=delimiter), []))
        except csv.Error:
            continue
        if fields > best_fields:
            best, best_fields = delimiter, fields
    return best


STREAM_BYTES = 16 << 20
"""Tables larger than this are read from their file as they are walked, never held whole in memory (their
encoding is checked a chunk at a time first); smaller ones are read at once."""
_HEAD_BYTES = 1 << 20
"""What a streamed table's separator and header are sniffed from."""


def _file_lines(path: Path, encoding: str) -> Iterator[str]:
    with path.open(encoding=encoding, newline="") as fh:
        yield from fh


def _large_file(path: Path) -> bool:
    """A regular file above STREAM_BYTES (anything else is read, or refused, by `read_text`)."""
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size > STREAM_BYTES


def _text_of(path: Path, encoding: str | None, text: str | None, used: str) -> tuple[str, Lines, str]:
    """(the table's first part or whole text, a walk over its lines, the encoding): a large file is walked
    from disk (`STREAM_BYTES`), the rest from its text."""
    if text is None and _large_file(path):
        used = stream_encoding(path, encoding)
        head = read_head(path, _HEAD_BYTES).decode(used, errors="ignore")
        head = head[: head.rfind("\n") + 1] or head
        return head, lambda: _file_lines(path, used), used
    if text is None:
        text, used = read_text(path, encoding)
    whole = text
    return whole, lambda: iter(io.StringIO(whole, newline="")), used


def open_table(
    path: Path, encoding: str | None = None, text: str | None = None, used: str = ""
) -> TableSource:
    """A CSV/TSV/JSON-lines table: the separator from the suffix (or sniffed), the first row as header."""
    head, lines, used = _text_of(path, encoding, text, used)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return json_table(path, head, lines, used)
    if suffix in (".tsv", ".tab"):
        delimiter = "\t"
    elif suffix == ".csv":
        delimiter = _sniff_delimiter(head)
    elif looks_like_tab_table(head):
        delimiter = "\t"
    else:
        raise DataError(
            f"{path} is not a table: expected a header line and rows separated by tabs or commas "
            "(.csv, .tsv, .jsonl)"
        )
    walk = _delimited_rows(path, lines, delimiter)
    first = next(walk(), None)
    if first is None:
        raise DataError(f"{path} is empty")
    check_width(path, first[1])
    source = TableSource(path, _clean_header(first[1]), used, "line", walk)
    if next(source.rows(), None) is None:
        raise DataError(f"{path} has a header line ({first_line(head)[:80]!r}) but no rows")
    return source
