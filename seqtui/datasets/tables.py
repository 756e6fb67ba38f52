"""The user's tables: CSV, TSV, JSON lines (or a JSON array of objects), read with the stdlib.

Every row keeps the file line it starts on, so each problem can be reported as "FILE, line N: ...".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqtui.datasets.errors import DataError
from seqtui.datasets.row_limits import Reservoir
from seqtui.datasets.text_files import read_text

TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json")
_DELIMITERS = (",", "\t", ";", "|")
MAX_COLUMNS = 10_000
"""Wider tables are refused before their columns are profiled (a 100k-column header takes minutes)."""
FIELD_LIMIT = 64 << 20
"""The longest cell csv reads (its default, 128 KiB, is shorter than a long review or document)."""
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
_KEY_SAMPLE = 1000
"""JSON lines: the columns are the keys seen in the first this-many objects."""

Rows = Iterator[tuple[int, list[str]]]


@dataclass
class TableSource:
    """A table's header and a way to walk its rows (as often as needed) without keeping them all."""

    path: Path
    header: list[str]
    encoding: str
    unit: str
    """What a row position counts: "line" in text tables, "item" in a JSON array."""
    _walk: Callable[[], Rows]

    def rows(self) -> Rows:
        """(line, cells) for each non-blank row after the header; cells padded to the header's width."""
        width = len(self.header)
        walk = self._walk()
        next(walk, None)  # the header
        for line, cells in walk:
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    raise DataError(
                        f"{self.where(line)}: {len(cells)} fields but the header has {width}; "
                        'put text that contains the separator in double quotes ("like, this")'
                    )
                cells = cells[:width]
            elif len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield line, cells

    def sample(self, n: int) -> list[list[str]]:
        """The first `n` rows."""
        out = []
        for _, cells in self.rows():
            out.append(cells)
            if len(out) >= n:
                break
        return out

    def spread_sample(self, n: int, seed: int = 0) -> list[list[str]]:
        """A seeded uniform sample of `n` rows from the whole table (every row when it has no more), in file
        order: reservoir sampling, so one walk keeps only `n` rows whatever the table's length."""
        sample: Reservoir[list[str]] = Reservoir(n, seed)
        for _, cells in self.rows():
            sample.add(cells)
        return sample.in_order()

    def where(self, line: int) -> str:
        return f"{self.path}, {self.unit} {line}"

    def column(self, name: str, option: str) -> int:
        """The index of a named column, or a DataError listing the columns there are."""
        if name in self.header:
            return self.header.index(name)
        folded = [h.casefold().strip() for h in self.header]
        if name.casefold().strip() in folded:
            return folded.index(name.casefold().strip())
        raise DataError(
            f"{self.path} has no column {name!r} (given with {option}); its columns are: {', '.join(self.header)}"
        )


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


def _check_width(path: Path, header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise DataError(
            f"{path} has {len(header):,} columns; seqtui reads tables of up to {MAX_COLUMNS:,} columns. "
            "Keep the columns you train on (e.g. with `cut -d, -f1,2`)"
        )


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


def _well_quoted(text: str, start: int, end: int, delimiter: str) -> bool:
    """Whether lines `start` to `end - 1` are one record that strict CSV accepts: a cell over several lines
    that a CSV writer quoted (each quote closed and followed by a delimiter or the line's end), however
    row-like its lines look. A quote left open and closed by a later cell's quote fails this."""
    lines = text.split("\n", end - 1)[start - 1 : end - 1]
    try:
        records = list(
            csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter, strict=True)
        )
    except csv.Error:
        return False
    return len(records) == 1


def _ends_inside_quotes(text: str, start: int, newlines: int, delimiter: str) -> bool:
    """Whether the text from line `start` on (of a text with `newlines` line breaks) ends inside a quoted
    cell, as strict parsing says; found from the end, so the last rows of a long file cost little."""
    pos = len(text)
    for _ in range(newlines - start + 2):  # back to the line break before line `start`
        pos = text.rfind("\n", 0, pos)
        if pos < 0:
            break
    rest = text[pos + 1 :]
    try:
        for _ in csv.reader(io.StringIO(rest, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _unclosed_quote(path: Path, start: int, why: str) -> DataError:
    return DataError(
        f'{path}, line {start}: a double quote (") opened here is never closed: {why}. '
        'Close it ("like, this") or remove it'
    )


def _delimited_rows(path: Path, text: str, delimiter: str) -> Callable[[], Rows]:
    """CSV keeps quoting (commas inside quotes); TSV splits on every tab, as NSMC's files need.

    A quote that is never closed would swallow every later row into one cell: a quoted cell that runs to
    the end of the file, or holds lines that look like rows, is an error naming the line it opens on."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL

    def walk() -> Rows:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
        line, width, last_line = 1, 0, text.count("\n")
        while True:
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
                if line - start > 1:  # a quoted cell over several lines
                    swallowed = _swallowed_rows(cells, delimiter, width)
                    if swallowed >= 2 and not _well_quoted(text, start, line, delimiter):
                        raise _unclosed_quote(
                            path, start, f"{swallowed} lines after it were read as one cell"
                        )
                if reader.line_num >= last_line and _ends_inside_quotes(text, start, last_line, delimiter):
                    raise _unclosed_quote(path, start, "the rest of the file was read as one cell")
            width = width or len(cells)
            if any(c.strip() for c in cells):
                yield start, cells

    return walk


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _json_objects(path: Path, text: str) -> tuple[str, list[tuple[int, dict[str, Any]]] | None]:
    """A JSON array of objects is parsed whole ("item" positions); JSON lines are left for walking."""
    if not text.lstrip("\ufeff \t\r\n").startswith("["):
        return "line", None
    try:
        items = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", "?")
        raise DataError(f"{path}, line {line}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DataError(f'{path}, item {i}: expected an object like {{"text": ..., "label": ...}}')
    return "item", list(enumerate(items, start=1))


def _json_lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(text.splitlines(), start=1):
        raw = raw.strip().lstrip("\ufeff")
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise DataError(f"{path}, line {line}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
        if not isinstance(obj, dict):
            raise DataError(f'{path}, line {line}: expected a JSON object like {{"text": ..., "label": ...}}')
        yield line, obj


def _json_table(path: Path, text: str, encoding: str) -> TableSource:
    unit, items = _json_objects(path, text)

    def objects() -> Iterator[tuple[int, dict[str, Any]]]:
        return iter(items) if items is not None else _json_lines(path, text)

    keys: dict[str, None] = {}
    for n, (_, obj) in enumerate(objects()):
        keys.update(dict.fromkeys(str(k) for k in obj))
        if n >= _KEY_SAMPLE:
            break
    if not keys:
        raise DataError(
            f'{path} holds no JSON objects with fields; expected lines like {{"text": ..., "label": ...}}'
        )
    header = list(keys)
    _check_width(path, header)

    def walk() -> Rows:
        yield 0, header
        for line, obj in objects():
            fields = {str(k): v for k, v in obj.items()}
            yield line, [_cell(fields.get(k)) for k in header]

    return TableSource(path, header, encoding, unit, walk)


def first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


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


def open_table(
    path: Path, encoding: str | None = None, text: str | None = None, used: str = ""
) -> TableSource:
    """A CSV/TSV/JSON-lines table: the separator from the suffix (or sniffed), the first row as header."""
    if text is None:
        text, used = read_text(path, encoding)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _json_table(path, text, used)
    if suffix in (".tsv", ".tab"):
        delimiter = "\t"
    elif suffix == ".csv":
        delimiter = _sniff_delimiter(text)
    elif looks_like_tab_table(text):
        delimiter = "\t"
    else:
        raise DataError(
            f"{path} is not a table: expected a header line and rows separated by tabs or commas "
            "(.csv, .tsv, .jsonl)"
        )
    walk = _delimited_rows(path, text, delimiter)
    first = next(walk(), None)
    if first is None:
        raise DataError(f"{path} is empty")
    _check_width(path, first[1])
    source = TableSource(path, _clean_header(first[1]), used, "line", walk)
    if next(source.rows(), None) is None:
        raise DataError(f"{path} has a header line ({first_line(text)[:80]!r}) but no rows")
    return source
