"""The data part of a `train.py` for a run on the user's own labelled text table (CSV, TSV, JSON lines), as
`seqtui.datasets.files.load_table` reads it: the same columns, the same rows left out (no text or label,
exact duplicates) and `--limit`'s seeded sample while reading; and NSMC's ratings_train.txt, its labels named
as seqtui names them, with ratings_test.txt beside it read as its own test set (a sample of the training
file's share of its rows under --limit).

The table is opened here once, at export, to write down what seqtui resolved from it (the separator, the
encoding, the text and label columns, the test file), so the script names them instead of guessing again.
`export_script_text` writes the tokenizer and `load_data` that use these rows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, NamedTuple

from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.errors import DataError
from seqtui.datasets.files import NSMC_CLASSES
from seqtui.datasets.row_limits import classification_rows
from seqtui.datasets.tables import TABLE_SUFFIXES, TableSource, first_line, open_table


def table_problem(config: dict[str, Any]) -> str | None:
    """Why seqtui can't read the run's table now (so neither could a script), or None."""
    try:
        _resolved(config)
    except DataError as exc:
        name = Path(str(config["data"]["data_path"])).name
        return f"seqtui can't read {name} now ({str(exc)[:200]})"
    return None


class _Table(NamedTuple):
    """A table as seqtui opens it, its separator ("json" for JSON), its text and label columns, and NSMC's
    ratings_test.txt beside it (its own test set), if the run had one."""

    source: TableSource
    separator: str
    text: str
    label: str
    test: TableSource | None


def _table_files(data: dict[str, Any]) -> tuple[Path, Path | None]:
    """The table, and its own test file (NSMC's ratings_test.txt, found as `files.load_nsmc` finds it)."""
    path = Path(str(data["data_path"])).expanduser().resolve()
    if data.get("dataset") != "nsmc":
        return path, None
    from seqtui.datasets.files import _nsmc_files  # the rule itself, so the two never differ

    return _nsmc_files(path)


def _resolved(config: dict[str, Any]) -> _Table:
    """The table as seqtui opens and reads it (NSMC's and Kaggle's spam.csv's columns by their names)."""
    from seqtui.datasets.columns import profile_columns, text_and_label

    data = config["data"]
    path, test_path = _table_files(data)
    if path.suffix.lower() not in TABLE_SUFFIXES and path.suffix.lower() != ".txt":
        raise DataError(f"{path.name} is not a table (.csv, .tsv, .jsonl)")
    source = open_table(path, data.get("encoding"))
    named = {"nsmc": ("document", "label")}
    if {"v1", "v2"} <= set(source.header):
        named["sms-spam"] = ("v2", "v1")
    text_name, label_name = named.get(data["dataset"], (None, None))
    text, label = text_and_label(
        source,
        profile_columns(source),
        data.get("text_column") or text_name,
        data.get("label_column") or label_name,
    )
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        separator = "json"
    elif suffix == ".csv":
        separator = sniffed_separator(path, source.encoding)
    else:
        separator = "\t"
    test = open_table(test_path, data.get("encoding")) if test_path else None
    if test is not None:  # seqtui reads the same columns from it
        test.column(source.header[text], "--text-column")
        test.column(source.header[label], "--label-column")
    return _Table(source, separator, source.header[text], source.header[label], test)


def sniffed_separator(path: Path, encoding: str) -> str:
    """The separator seqtui's tables.open_table finds for a .csv: the one that splits the header most."""
    with path.open(encoding=encoding, newline="") as fh:
        header = first_line(fh.read(1 << 20))
    best, best_fields = ",", 1
    for delimiter in (",", "\t", ";", "|"):
        fields = len(next(csv.reader([header], delimiter=delimiter), []))
        if fields > best_fields:
            best, best_fields = delimiter, fields
    return best


class DataPart(NamedTuple):
    """What reads the run's data: constants, reader code, the call in `load_data` that returns its rows, and
    whether that call also returns the data's own test set."""

    constants: str
    reader: str
    rows: str
    own_test: bool


def table_part(config: dict[str, Any]) -> DataPart:
    """A table's constants and reader (NSMC's: its labels named, ratings_test.txt read as seqtui reads it)."""
    data = config["data"]
    table = _resolved(config)
    own_test = table.test is not None
    rows = classification_rows(limit_config(data), own_test=own_test)
    nsmc = data["dataset"] == "nsmc"
    other = "(or the folder holding it)" if nsmc else "with these columns"
    constants = f"""DATA = Path({_q(str(table.source.path))})  # the run's table; --data PATH reads another {other}
ENCODING = {_q(table.source.encoding)}
SEPARATOR = {_q(table.separator)}
TEXT_COLUMN = {_q(table.text)}
LABEL_COLUMN = {_q(table.label)}
SAMPLE_ROWS = {rows!r}  # --limit: labelled rows sampled while reading (None: every row)"""
    reader = f"{_JSON_READER if table.separator == 'json' else _CSV_READER}\n\n\n{_SAMPLE}"
    if not nsmc:
        return DataPart(constants, reader, "labelled_rows(path)", False)
    constants += f"\nLABEL_NAMES = {json.dumps(NSMC_CLASSES)}  # NSMC's labels, as seqtui names the classes"
    if table.test is not None:
        constants += (
            f"\nTEST_ENCODING = {_q(table.test.encoding)}  # ratings_test.txt's, the run's own test set"
        )
    return DataPart(
        constants, f"{reader}\n\n\n{_NSMC_OWN_TEST if own_test else _NSMC}", "nsmc_rows(path)", own_test
    )


def limit_config(data: dict[str, Any]) -> Any:
    from seqtui.datasets.config import DataConfig

    return DataConfig(
        sample_limit=data.get("sample_limit"),
        validation_split=data["validation_split"],
        test_split=data["test_split"],
    )


_CSV_READER = '''def unquoted(cells):
    """A TSV's cells without the double quotes a spreadsheet wraps a whole cell in (a CSV's are read by csv)."""
    if SEPARATOR != "\\t":
        return cells
    return [c[1:-1].replace('""', '"') if len(c) >= 2 and c[0] == c[-1] == '"' else c for c in cells]


def table_rows(path, encoding=ENCODING):
    """(text, label) of each row: the first non-blank row names the columns (a TSV splits on every tab and
    drops a cell's surrounding quotes; a CSV keeps quoted separators)."""
    quoting = csv.QUOTE_NONE if SEPARATOR == "\\t" else csv.QUOTE_MINIMAL
    with open(path, encoding=encoding, newline="") as fh:
        rows = (unquoted(cells) for cells in csv.reader(fh, delimiter=SEPARATOR, quoting=quoting))
        rows = (cells for cells in rows if any(c.strip() for c in cells))
        header = [c.strip().lstrip("\\ufeff").strip() for c in next(rows)]
        if TEXT_COLUMN not in header or LABEL_COLUMN not in header:
            raise SystemExit(f"{path} has no column {TEXT_COLUMN!r} and {LABEL_COLUMN!r}: its columns are {header}")
        ti, li = header.index(TEXT_COLUMN), header.index(LABEL_COLUMN)
        for cells in rows:
            cells = cells + [""] * (len(header) - len(cells))
            yield cells[ti], cells[li]'''

_JSON_READER = '''def table_rows(path, encoding=ENCODING):
    """(text, label) of each object (JSON lines, or one JSON array of objects); a number label as text."""
    with open(path, encoding=encoding) as fh:
        whole = fh.read()
    if whole.lstrip("\\ufeff \\t\\r\\n").startswith("["):
        objects = json.loads(whole.lstrip("\\ufeff"))
    else:
        objects = (json.loads(line.strip().lstrip("\\ufeff")) for line in whole.splitlines() if line.strip())
    for obj in objects:
        text, label = obj.get(TEXT_COLUMN), obj.get(LABEL_COLUMN)
        yield "" if text is None else str(text), "" if label is None else str(label)'''

SAMPLE_CLASS = '''class Sample:
    """Rows (text, label) offered one by one, or with a size a seeded uniform sample of them (Algorithm R, as
    seqtui's --limit samples while reading) plus one row of each label the sample would miss."""

    def __init__(self, size, seed=0):
        self.size, self.seed, self.seen, self.kept, self.per_label = size, seed, 0, [], {}
        self.rng, self.label_rng = random.Random(seed), random.Random(seed + 1)

    @property
    def partial(self):
        return self.seen > len(self.kept)

    def add(self, text, label):
        self.seen += 1
        if self.size is None or len(self.kept) < self.size:
            self.kept.append((self.seen, text, label))
        elif (slot := int(self.rng.random() * self.seen)) < self.size:
            self.kept[slot] = (self.seen, text, label)
        if self.size is not None:
            count, position, kept_text = self.per_label.get(label, (0, 0, ""))
            if self.label_rng.random() * (count + 1) < 1:
                position, kept_text = self.seen, text
            self.per_label[label] = (count + 1, position, kept_text)

    def take(self, k=None):
        """(texts, labels) in file order; `k` first takes a seeded k of the sample (an own test set's share)."""
        rows = self.kept
        if k is not None and k < len(rows):
            rows = [rows[i] for i in random.Random(self.seed + 2).sample(range(len(rows)), k)]
        have = {label for _, _, label in rows}
        missed = [(pos, text, label) for label, (_, pos, text) in self.per_label.items() if label not in have]
        rows = sorted(rows + (missed if len(missed) <= len(rows) else []))
        return [text for _, text, _ in rows], [label for _, _, label in rows]'''

_SAMPLE = f'''{SAMPLE_CLASS}


def read_sample(path, size, encoding=ENCODING):
    """The rows with both a text and a label, each (text, label) once; with a size, a seeded sample of them."""
    sample, seen = Sample(size), set()
    for text, label in table_rows(path, encoding):
        text, label = text.strip(), label.strip()
        if text and label and (text, label) not in seen:
            seen.add((text, label))
            sample.add(text, label)
    return sample


def labelled_rows(path):
    """Rows with both a text and a label, each (text, label) once (with SAMPLE_ROWS, a sample of them)."""
    return read_sample(path, SAMPLE_ROWS).take()'''

_NAMED = '''def named(rows):
    """(texts, labels) with NSMC's labels named as seqtui names the classes (LABEL_NAMES)."""
    texts, labels = rows
    return texts, [LABEL_NAMES.get(label, label) for label in labels]'''

_NSMC = (
    _NAMED
    + '''


def nsmc_rows(path):
    """(texts, labels) of ratings_train.txt (--data: the file, or the folder holding it), labels named; the run
    had no ratings_test.txt beside it, so TEST_SPLIT of these rows are its test set."""
    path = Path(path) / "ratings_train.txt" if Path(path).is_dir() else Path(path)
    return named(labelled_rows(path))'''
)

_NSMC_OWN_TEST = (
    _NAMED
    + '''


def nsmc_rows(path):
    """(texts, labels) of ratings_train.txt (--data: the file, or the folder holding it) and of ratings_test.txt
    beside it, the run's own test set, labels named; with SAMPLE_ROWS, a seeded sample of the training file
    and of the test file the same share of its rows, as seqtui samples them."""
    path = Path(path) / "ratings_train.txt" if Path(path).is_dir() else Path(path)
    test_path = path.with_name("ratings_test.txt")
    if path.name != "ratings_train.txt" or not test_path.is_file():
        raise SystemExit(f"the run tested on ratings_test.txt beside ratings_train.txt: pass that file ({path})")
    train = read_sample(path, SAMPLE_ROWS)
    if not train.partial:
        test = read_sample(test_path, None, TEST_ENCODING).take()
    else:
        sample = read_sample(test_path, SAMPLE_ROWS, TEST_ENCODING)
        k = max(1, round(sample.seen * len(train.kept) / train.seen))
        if k > len(sample.kept):  # a test file longer than the training file: read again for k rows
            sample = read_sample(test_path, k, TEST_ENCODING)
        test = sample.take(k)
    return named(train.take()), named(test)'''
)
