"""The data part of a `train.py` for a run on the user's own text table (CSV, TSV, JSON lines): the same
columns, the same rows left out (no text or label, exact duplicates), `--limit`'s seeded sample while
reading, the seeded split by `split_seed`, and the run's own vocabulary (encoder.json beside the script),
as `seqtui.datasets.files.load_table` and `text_tables.text_classification_dataset` read it.

The table is opened here once, at export, to write down what seqtui resolved from it (the separator, the
encoding, the text and label columns), so the script names them instead of guessing again.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from seqtui.core.runs.script_parts import DataReader
from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.errors import DataError
from seqtui.datasets.row_limits import classification_rows
from seqtui.datasets.tables import TABLE_SUFFIXES, TableSource, first_line, open_table

TEXT_TABLE_DATASETS = ("file", "sms-spam")
"""Runs read by `load_table` without a test file of their own (NSMC's ratings_test.txt is not yet)."""
TOPIC_DATASETS = {"topics-ko": "korean", "topics-en": "english"}
"""The offline dialog lines by topic, read from chatterbot-corpus' YAML files (`datasets.samples`)."""
SPLITS = ("whitespace", "character", "morpheme")
STANDARDIZE_CODE = {
    "none": '    return unicodedata.normalize("NFC", text)',
    "hangul": '    text = unicodedata.normalize("NFC", text)\n'
    '    return " ".join(re.sub(r"[^\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7a3\\s]", " ", text).split())',
    "lower_punct": '    text = unicodedata.normalize("NFC", text).lower()\n'
    '    kept = (ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)\n'
    '    return " ".join("".join(kept).split())',
}
"""seqtui.datasets.tokenizer.standardize_text, one mode each."""


def is_text_run(config: dict[str, Any]) -> bool:
    """Whether the run classified text of the user's table or of the offline topics (a script reads both)."""
    data = config.get("data", {})
    classifies = config.get("input_kind") == "tokens" and config.get("task") in ("binary", "multiclass")
    return classifies and (
        is_text_table(config) or (data.get("dataset") in TOPIC_DATASETS and not data.get("data_path"))
    )


def is_text_table(config: dict[str, Any]) -> bool:
    """Whether the run read a labelled text table of the user's (`--data`; the script takes one too)."""
    data = config.get("data", {})
    return data.get("dataset") in TEXT_TABLE_DATASETS and bool(data.get("data_path"))


def text_problem(config: dict[str, Any]) -> str | None:
    """Why a script can't yet read this run's text the way seqtui did, or None."""
    data = config["data"]
    if data.get("split") not in SPLITS:
        return f"the {data.get('split')} tokenizer is not yet written into a script"
    if data.get("standardize") not in STANDARDIZE_CODE:
        return f"standardize {data.get('standardize')!r} is not yet written into a script"
    if not is_text_table(config):
        return None
    path = Path(str(data["data_path"])).expanduser()
    if path.is_dir():
        return f"a folder of text files ({path.name}) is not yet read by a script"
    if not path.is_file():
        return f"the run's data {path} is no longer there to read its columns from"
    try:
        _resolved(config)
    except DataError as exc:
        return f"seqtui can't read {path.name} now ({str(exc)[:200]})"
    return None


def _resolved(config: dict[str, Any]) -> tuple[TableSource, str, str, str]:
    """The table as seqtui opens it, its separator ("json" for JSON), and its text and label columns."""
    from seqtui.datasets.columns import profile_columns, text_and_label

    data = config["data"]
    path = Path(str(data["data_path"])).expanduser().resolve()
    if path.suffix.lower() not in TABLE_SUFFIXES and path.suffix.lower() != ".txt":
        raise DataError(f"{path.name} is not a table (.csv, .tsv, .jsonl)")
    source = open_table(path, data.get("encoding"))
    text, label = text_and_label(
        source, profile_columns(source), data.get("text_column"), data.get("label_column")
    )
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        separator = "json"
    elif suffix == ".csv":
        separator = sniffed_separator(path, source.encoding)
    else:
        separator = "\t"
    return source, separator, source.header[text], source.header[label]


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


def text_imports(config: dict[str, Any]) -> tuple[str, ...]:
    """The standard library modules a text run's script uses."""
    data, table = config["data"], is_text_table(config)
    extra = ("csv", "random") if table else ("importlib.util",)
    return ("json", "re", "unicodedata", *extra, *(("os",) if data.get("split") == "morpheme" else ()))


def _table_part(config: dict[str, Any]) -> tuple[str, str]:
    """A table's constants and reader."""
    data = config["data"]
    source, separator, text, label = _resolved(config)
    rows = classification_rows(_limit_config(data), own_test=False)
    reader = _JSON_READER if separator == "json" else _CSV_READER
    return (
        f"""DATA = Path({_q(str(source.path))})  # the run's table; --data PATH reads another with these columns
ENCODING = {_q(source.encoding)}
SEPARATOR = {_q(separator)}
TEXT_COLUMN = {_q(text)}
LABEL_COLUMN = {_q(label)}
SAMPLE_ROWS = {rows!r}  # --limit: labelled rows sampled while reading (None: every row)""",
        f"{reader}\n\n\n{_SAMPLE}",
    )


def text_section(config: dict[str, Any]) -> str:
    """The constants, the reader, the tokenizer and `load_data` of a text classification run."""
    data = config["data"]
    table = is_text_table(config)
    if table:
        constants, reader = _table_part(config)
    else:
        constants = (
            f"LANGUAGE = {_q(TOPIC_DATASETS[data['dataset']])}  # chatterbot-corpus' data/LANGUAGE folder"
        )
        reader = _TOPICS_READER
    load = _LOAD.format(
        signature="path=DATA" if table else "", rows="labelled_rows(path)" if table else "dialog_lines()"
    )
    return f'''{constants}
CLASSES = {json.dumps(config["class_names"], ensure_ascii=False)}
SPLIT_SEED = {int(data.get("split_seed", 0))!r}  # seqtui's split_seed: which rows are train, validation, test
MAXLEN = {data["maxlen"]!r}
PADDING, TRUNCATING = {_q(data["padding"])}, {_q(data["truncating"])}
TOKENIZER = json.loads(Path(__file__).with_name("encoder.json").read_text(encoding="utf-8"))["tokenizer"]
"""The run's vocabulary (word -> id; 0 pads, OOV_ID stands for a word it lacks), fitted on its training rows."""
WORD_INDEX, OOV_ID, NUM_WORDS = TOKENIZER["word_index"], TOKENIZER["oov_id"], TOKENIZER["num_words"]
STOPWORDS = set(TOKENIZER["stopwords"])


{reader}


def standardize(text):
    """NFC, then {data["standardize"]} as seqtui standardises before splitting."""
{STANDARDIZE_CODE[data["standardize"]]}


{_MORPHEMES if data["split"] == "morpheme" else _plain_tokens(data["split"])}


def ids(pieces):
    """Token ids from the run's vocabulary; a word it lacks (or ranked past NUM_WORDS) is OOV_ID."""
    out = []
    for piece in pieces:
        i = WORD_INDEX.get(piece)
        out.append(OOV_ID if i is None or (NUM_WORDS and i >= NUM_WORDS) else i)
    return out


{load}'''


def _plain_tokens(split: str) -> str:
    what = "characters (one space between words)" if split == "character" else "words"
    pieces = 'list(" ".join(clean.split()))' if split == "character" else "clean.split()"
    return f'''def tokenized(texts):
    """Each text's {what} after standardising, stopwords left out."""
    out = []
    for text in texts:
        clean = standardize(text)
        out.append([p for p in {pieces} if p not in STOPWORDS])
    return out'''


def _limit_config(data: dict[str, Any]) -> Any:
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


def table_rows(path):
    """(text, label) of each row: the first non-blank row names the columns (a TSV splits on every tab and
    drops a cell's surrounding quotes; a CSV keeps quoted separators)."""
    quoting = csv.QUOTE_NONE if SEPARATOR == "\\t" else csv.QUOTE_MINIMAL
    with open(path, encoding=ENCODING, newline="") as fh:
        rows = (unquoted(cells) for cells in csv.reader(fh, delimiter=SEPARATOR, quoting=quoting))
        rows = (cells for cells in rows if any(c.strip() for c in cells))
        header = [c.strip().lstrip("\\ufeff").strip() for c in next(rows)]
        if TEXT_COLUMN not in header or LABEL_COLUMN not in header:
            raise SystemExit(f"{path} has no column {TEXT_COLUMN!r} and {LABEL_COLUMN!r}: its columns are {header}")
        ti, li = header.index(TEXT_COLUMN), header.index(LABEL_COLUMN)
        for cells in rows:
            cells = cells + [""] * (len(header) - len(cells))
            yield cells[ti], cells[li]'''

_JSON_READER = '''def table_rows(path):
    """(text, label) of each object (JSON lines, or one JSON array of objects); a number label as text."""
    with open(path, encoding=ENCODING) as fh:
        whole = fh.read()
    if whole.lstrip("\\ufeff \\t\\r\\n").startswith("["):
        objects = json.loads(whole.lstrip("\\ufeff"))
    else:
        objects = (json.loads(line.strip().lstrip("\\ufeff")) for line in whole.splitlines() if line.strip())
    for obj in objects:
        text, label = obj.get(TEXT_COLUMN), obj.get(LABEL_COLUMN)
        yield "" if text is None else str(text), "" if label is None else str(label)'''

_SAMPLE = '''class Sample:
    """The labelled rows, or with SAMPLE_ROWS a seeded uniform sample of them (Algorithm R, as seqtui's
    --limit samples while reading) plus one row of each label the sample would miss."""

    def __init__(self, size, seed=0):
        self.size, self.seen, self.kept, self.per_label = size, 0, [], {}
        self.rng, self.label_rng = random.Random(seed), random.Random(seed + 1)

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

    def take(self):
        """(texts, labels) in file order."""
        have = {label for _, _, label in self.kept}
        missed = [(pos, text, label) for label, (_, pos, text) in self.per_label.items() if label not in have]
        rows = sorted(self.kept + (missed if len(missed) <= len(self.kept) else []))
        return [text for _, text, _ in rows], [label for _, _, label in rows]


def labelled_rows(path):
    """Rows with both a text and a label, each (text, label) once."""
    sample, seen = Sample(SAMPLE_ROWS), set()
    for text, label in table_rows(path):
        text, label = text.strip(), label.strip()
        if text and label and (text, label) not in seen:
            seen.add((text, label))
            sample.add(text, label)
    return sample.take()'''

_TOPICS_READER = '''def dialog_lines():
    """(texts, topics) from chatterbot-corpus' YAML files, as seqtui reads them: a line keeps its first topic.
    The package ships the files; PyYAML, its own dependency, reads them."""
    spec = importlib.util.find_spec("chatterbot_corpus")
    if spec is None:
        raise SystemExit("the topics come with the chatterbot-corpus package: pip install chatterbot-corpus")
    import yaml

    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / LANGUAGE
    pairs = {}
    for path in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topic = (doc.get("categories") or [path.stem])[0]
        for convo in doc.get("conversations") or []:
            for line in convo if isinstance(convo, list) else [convo]:
                if isinstance(line, str) and line.strip():
                    pairs.setdefault(line.strip(), str(topic))
    return list(pairs), list(pairs.values())'''

_MORPHEMES = '''LEXICAL_STEMS = ("VV", "VA")  # a stopword matches a verb or adjective stem with 다 added
FUNCTION_STEMS = ("VX", "XSV", "XSA", "VCP", "VCN")  # ... and these bare or with 다
FUNCTION_TAGS = ("XPN", "XSN", "XSV", "XSA", "XSM", "VCP", "VCN", "VX")  # dropped with particles and endings
CONTENT_ONLY = TOKENIZER["content_only"]
LETTERS_ONLY = TOKENIZER["standardize"] != "none"


def kept(form, tag):
    """Whether a morpheme is a token, as seqtui keeps them."""
    if not form.strip() or (LETTERS_ONLY and not any(unicodedata.category(c)[0] in "LMN" for c in form)):
        return False
    if CONTENT_ONLY and (tag[0] in "JE" or tag in FUNCTION_TAGS):
        return False
    if tag in LEXICAL_STEMS:
        return form + "다" not in STOPWORDS
    return form not in STOPWORDS and not (tag in FUNCTION_STEMS and form + "다" in STOPWORDS)


def tokenized(texts):
    """Each text's Korean morphemes (kiwipiepy, as the run had: see TOKENIZER["analyser"])."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=max(1, min(8, os.cpu_count() or 1)))
    clean = [standardize(text) for text in texts]
    unique = list(dict.fromkeys(clean))
    done = {}
    for text, morphemes in zip(unique, kiwi.tokenize(unique, compatible_jamo=True)):
        done[text] = [m.form for m in morphemes if kept(m.form, m.tag.split("-")[0])]
    return [done[text] for text in clean]'''

_LOAD = '''def load_data({signature}):
    """Tokenise every row, drop those with no tokens, shuffle the rest with SPLIT_SEED, hold out TEST_SPLIT
    for testing, then VALIDATION_SPLIT of what is left for validation; pad to MAXLEN."""
    texts, labels = {rows}
    unknown = sorted(set(labels) - set(CLASSES))
    if unknown:
        raise SystemExit(f"labels the run never saw: {{unknown[:5]}}")
    y = np.array([CLASSES.index(label) for label in labels], dtype="int32")
    pieces = tokenized(texts)
    own = np.flatnonzero([bool(p) for p in pieces])
    order = own[np.random.default_rng(SPLIT_SEED).permutation(len(own))]
    n_test = max(1, int(round(len(order) * TEST_SPLIT)))
    test, order = order[:n_test], order[n_test:]
    n_val = max(1, int(round(len(order) * VALIDATION_SPLIT)))
    val, train = order[:n_val], order[n_val:]
    pad = dict(maxlen=MAXLEN, padding=PADDING, truncating=TRUNCATING)

    def part(rows):
        return keras.utils.pad_sequences([ids(pieces[i]) for i in rows], **pad).astype("int32"), y[rows]

    return part(train), part(val), part(test)'''


TEXT_READER = DataReader(
    what="the offline topics-ko and topics-en and your labelled text tables (CSV, TSV, JSON lines)",
    claims=is_text_run,
    section=text_section,
    imports=text_imports,
    problem=text_problem,
    takes_file=is_text_table,
)
