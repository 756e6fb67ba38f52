"""The data part of a `train.py` for a run that classified the user's own text: a table (CSV, TSV, JSON lines),
NSMC's ratings_train.txt with ratings_test.txt beside it as its own test set, or a folder of text files
(`export_script_folders`); or the offline topics. The same columns, the same rows left out (no text or label,
exact duplicates), `--limit`'s seeded sample while reading (an own test set in the training file's share),
the seeded split by `split_seed`, and the run's own vocabulary (encoder.json beside the script), as
`seqtui.datasets.files.load_table` and `text_tables.text_classification_dataset` read it.

The data is opened here once, at export, to write down what seqtui resolved from it (the separator, the
encoding, the text and label columns, the test file or folder), so the script names them instead of guessing
again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from seqtui.core.runs.export_script_folders import folder_part, folder_problem, own_test_folders
from seqtui.core.runs.export_script_tables import (
    SAMPLE_CLASS,
    DataPart,
    limit_config,
    table_part,
    table_problem,
)
from seqtui.core.runs.export_script_tables import sniffed_separator as sniffed_separator
from seqtui.core.runs.script_parts import DataReader
from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.row_limits import classification_rows

TEXT_TABLE_DATASETS = ("file", "sms-spam", "nsmc")
"""Runs on the user's --data: a table (NSMC's with its own test file beside it), or for "file" a folder."""
TOPIC_DATASETS = {"topics-ko": "korean", "topics-en": "english"}
"""The offline dialog lines by topic, read from chatterbot-corpus' YAML files (`datasets.samples`)."""
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
    """Whether the run classified text of the user's data or of the offline topics (a script reads both)."""
    data = config.get("data", {})
    classifies = config.get("input_kind") == "tokens" and config.get("task") in ("binary", "multiclass")
    return classifies and (
        reads_user_text(config) or (data.get("dataset") in TOPIC_DATASETS and not data.get("data_path"))
    )


def reads_user_text(config: dict[str, Any]) -> bool:
    """Whether the run read labelled text of the user's (`--data`; the script takes one too)."""
    data = config.get("data", {})
    return data.get("dataset") in TEXT_TABLE_DATASETS and bool(data.get("data_path"))


def _text_folder(data: dict[str, Any]) -> Path | None:
    """The folder of text files a "file" run read, or None (a table, NSMC's folder)."""
    path = Path(str(data["data_path"])).expanduser().resolve()
    return path if data.get("dataset") == "file" and path.is_dir() else None


def text_problem(config: dict[str, Any]) -> str | None:
    """Why a script can't yet read this run's text the way seqtui did, or None."""
    data = config["data"]
    if not reads_user_text(config):
        return None
    path = Path(str(data["data_path"])).expanduser()
    if not (path.is_file() or path.is_dir()):
        return f"the run's data {path} is no longer there to read its columns from"
    if (folder := _text_folder(data)) is not None:
        return folder_problem(folder)
    if len(set(config["class_names"])) < len(config["class_names"]):
        return f"two labels of {path.name} became one class name ({config['class_names'][:5]})"
    return table_problem(config)


def text_imports(config: dict[str, Any]) -> tuple[str, ...]:
    """The standard library modules a text run's script uses."""
    data = config["data"]
    if not reads_user_text(config):
        extra: tuple[str, ...] = ("importlib.util",)
    else:
        extra = ("random",) if _text_folder(data) else ("csv", "random")
    return ("json", "re", "unicodedata", *extra, *(("os",) if data.get("split") == "morpheme" else ()))


def _data_part(config: dict[str, Any]) -> DataPart:
    """What reads the run's data: a folder of text files, a table, or the offline topics."""
    data = config["data"]
    if (folder := _text_folder(data)) is not None:
        own_test = own_test_folders(folder)
        size = classification_rows(limit_config(data), own_test=own_test)
        constants, reader, rows = folder_part(folder, own_test, data.get("encoding"), size)
        return DataPart(constants, f"{reader}\n\n\n{SAMPLE_CLASS}", rows, own_test)
    if reads_user_text(config):
        return table_part(config)
    language = TOPIC_DATASETS[data["dataset"]]
    constants = f"LANGUAGE = {_q(language)}  # chatterbot-corpus' data/LANGUAGE folder"
    return DataPart(constants, DIALOG_LINES_CODE, "dialog_lines()", False)


def text_section(config: dict[str, Any]) -> str:
    """The constants, the reader, the tokenizer and `load_data` of a text classification run."""
    data = config["data"]
    constants, reader, rows, own_test = _data_part(config)
    load = _LOAD.format(
        signature="path=DATA" if reads_user_text(config) else "",
        held=_OWN_HELD if own_test else _HELD,
        read=_OWN_READ.format(rows=rows) if own_test else f"    texts, labels = {rows}",
        own="[:n_own]" if own_test else "",
        hold_out=_OWN_HOLD if own_test else _HOLD,
    )
    return f"""{constants}
CLASSES = {json.dumps(config["class_names"], ensure_ascii=False)}
SPLIT_SEED = {int(data.get("split_seed", 0))!r}  # seqtui's split_seed: which rows are train, validation, test
MAXLEN = {data["maxlen"]!r}
PADDING, TRUNCATING = {_q(data["padding"])}, {_q(data["truncating"])}
{vocabulary("its training rows")}


{reader}


{tokens_code(data)}


{load}"""


def vocabulary(fitted_on: str) -> str:
    """The script's constants for the run's vocabulary, read from encoder.json beside it."""
    return f'''TOKENIZER = json.loads(Path(__file__).with_name("encoder.json").read_text(encoding="utf-8"))["tokenizer"]
"""The run's vocabulary (word -> id; 0 pads, OOV_ID stands for a word it lacks), fitted on {fitted_on}."""
WORD_INDEX, OOV_ID, NUM_WORDS = TOKENIZER["word_index"], TOKENIZER["oov_id"], TOKENIZER["num_words"]
STOPWORDS = set(TOKENIZER["stopwords"])'''


def tokens_code(data: dict[str, Any]) -> str:
    """The script's `standardize`, `tokenized` and `ids`: text to the run's token ids, as seqtui's Tokenizer."""
    return f'''def standardize(text):
    """NFC, then {data["standardize"]} as seqtui standardises before splitting."""
{STANDARDIZE_CODE[data["standardize"]]}


{_MORPHEMES if data["split"] == "morpheme" else _plain_tokens(data["split"])}


def ids(pieces):
    """Token ids from the run's vocabulary; a word it lacks (or ranked past NUM_WORDS) is OOV_ID."""
    out = []
    for piece in pieces:
        i = WORD_INDEX.get(piece)
        out.append(OOV_ID if i is None or (NUM_WORDS and i >= NUM_WORDS) else i)
    return out'''


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


DIALOG_LINES_CODE = '''def dialog_lines():
    """(texts, topics) from chatterbot-corpus' YAML files, as seqtui reads them: a line keeps its first topic.
    The package ships the files; PyYAML, its own dependency, reads them."""
    spec = importlib.util.find_spec("chatterbot_corpus")
    if spec is None:
        raise SystemExit("the dialog lines come with the chatterbot-corpus package: pip install chatterbot-corpus")
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
    """Tokenise every row, drop those with no tokens, {held}; pad to MAXLEN."""
{read}
    unknown = sorted(set(labels) - set(CLASSES))
    if unknown:
        raise SystemExit(f"labels the run never saw: {{unknown[:5]}}")
    y = np.array([CLASSES.index(label) for label in labels], dtype="int32")
    pieces = tokenized(texts)
    own = np.flatnonzero([bool(p) for p in pieces{own}])
    order = own[np.random.default_rng(SPLIT_SEED).permutation(len(own))]
{hold_out}
    n_val = max(1, int(round(len(order) * VALIDATION_SPLIT)))
    val, train = order[:n_val], order[n_val:]
    pad = dict(maxlen=MAXLEN, padding=PADDING, truncating=TRUNCATING)

    def part(rows):
        return keras.utils.pad_sequences([ids(pieces[i]) for i in rows], **pad).astype("int32"), y[rows]

    return part(train), part(val), part(test)'''
_HELD = """shuffle the rest with SPLIT_SEED, hold out TEST_SPLIT
    for testing, then VALIDATION_SPLIT of what is left for validation"""
_OWN_HELD = """shuffle the training rows with SPLIT_SEED and hold
    out VALIDATION_SPLIT of them for validation; the data's own test set is tested on"""
_HOLD = """    n_test = max(1, int(round(len(order) * TEST_SPLIT)))
    test, order = order[:n_test], order[n_test:]"""
_OWN_READ = """    (texts, labels), (test_texts, test_labels) = {rows}
    n_own = len(texts)  # the training rows; the test set's rows follow them
    texts, labels = texts + test_texts, labels + test_labels"""
_OWN_HOLD = """    test = n_own + np.flatnonzero([bool(p) for p in pieces[n_own:]])
    test = np.random.default_rng(SPLIT_SEED + 1).permutation(test)  # a test set may come sorted by class"""


TEXT_READER = DataReader(
    what="the offline topics-ko and topics-en, your labelled text tables (CSV, TSV, JSON lines; NSMC with its "
    "ratings_test.txt) and your folders of text files (aclImdb's layout included)",
    claims=is_text_run,
    section=text_section,
    imports=text_imports,
    problem=text_problem,
    takes_file=reads_user_text,
)
