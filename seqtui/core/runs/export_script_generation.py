"""The data part of a `train.py` for a next-token generation run, on the offline `lines-ko` (chatterbot-corpus'
Korean dialog lines) or on the user's own plain-text file: the same lines (a file decoded as seqtui decoded it,
`--limit` reading only its first lines), every prefix predicting the token after it with the run's vocabulary
(encoder.json beside the script), the same split by whole lines (or blocks of examples for a text with few
lines) and the same shuffle, as `seqtui.datasets.generation.generation_dataset` makes them.

After the test metric the script continues a seed line as `seqtui predict` does (`Predictor.generate`): the
next token is the likeliest at temperature 0, else drawn from the model's probabilities sharpened by the
temperature, only ever a token of the run's vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqtui.core.runs.export_script_text import (
    DIALOG_LINES_CODE,
    tokens_code,
    vocabulary,
)
from seqtui.core.runs.script_parts import DataReader
from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.errors import DataError
from seqtui.datasets.generation import MIN_LINES_TO_SPLIT_BY_LINE, PAIR_BUDGET_BYTES, PAIRS_PER_BLOCK
from seqtui.datasets.tables import TABLE_SUFFIXES, looks_like_tab_table

LINES_DATASETS = {"lines-ko": "korean"}
"""The offline lines for generation: chatterbot-corpus' YAML files of this language (`datasets.samples`)."""
NOT_PLAIN_TEXT = (*TABLE_SUFFIXES, ".npz")
"""Files seqtui reads as a table or a Keras archive whatever they hold, never as text for generation."""


def is_generation_run(config: dict[str, Any]) -> bool:
    """Whether the run learnt the next token of lines-ko or of the user's plain-text file."""
    data = config.get("data", {})
    if config.get("task") != "generation" or config.get("input_kind") != "tokens":
        return False
    if data.get("data_path"):
        return data.get("dataset") == "file"
    return data.get("dataset") in LINES_DATASETS


def _reads_file(config: dict[str, Any]) -> bool:
    return bool(config.get("data", {}).get("data_path"))


def generation_problem(config: dict[str, Any]) -> str | None:
    """Why a script can't yet read this run's text the way seqtui did, or None."""
    if not _reads_file(config):
        return None
    try:
        text_encoding(config)
    except DataError as exc:
        return str(exc)
    return None


def text_encoding(config: dict[str, Any]) -> tuple[Path, str]:
    """The run's text file and the encoding seqtui decodes it with (the run's --encoding, else what it finds);
    a DataError when seqtui would not read it as plain text for generation now."""
    from seqtui.datasets.text_files import read_text

    path = Path(str(config["data"]["data_path"])).expanduser()
    if path.is_dir():
        raise DataError(f"the run's data {path} is a folder, not a text file for generation")
    if not path.is_file():
        raise DataError(f"the run's text {path} is no longer there to read its encoding from")
    if path.suffix.lower() in NOT_PLAIN_TEXT:
        raise DataError(f"seqtui reads {path.name} as a table, not as plain text for generation")
    try:
        text, used = read_text(path, config["data"].get("encoding"))
    except DataError as exc:
        raise DataError(f"seqtui can't read {path.name} now ({str(exc)[:200]})") from None
    if looks_like_tab_table(text):
        raise DataError(f"{path.name} now reads as a tab-separated table, not as plain text for generation")
    return path.resolve(), used


def generation_imports(config: dict[str, Any]) -> tuple[str, ...]:
    """The standard library modules a generation run's script uses."""
    morphemes = ("os",) if config["data"].get("split") == "morpheme" else ()
    source = () if _reads_file(config) else ("importlib.util",)
    return ("json", "math", "re", "unicodedata", *source, *morphemes)


def _examples_wanted(data: dict[str, Any]) -> float | None:
    """seqtui.datasets.files._lines_for: with --limit, lines are read until they hold this many examples."""
    limit = data.get("sample_limit")
    if not limit:
        return None
    kept = (1 - data["test_split"]) * (1 - data["validation_split"])
    return 4 * limit / max(kept, 1e-3)  # a margin: the splits go by whole lines


def _file_part(config: dict[str, Any]) -> tuple[str, str]:
    """A text file's constants and line reader."""
    path, encoding = text_encoding(config)
    wanted = _examples_wanted(config["data"])
    return (
        f"""DATA = Path({_q(str(path))})  # the run's text; --data PATH reads another (in the same encoding)
ENCODING = {_q(encoding)}  # how seqtui decoded it
EXAMPLES_WANTED = {wanted!r}  # --limit: only the first lines, until they hold this many examples (None: all)""",
        _FILE_LINES,
    )


def generation_section(config: dict[str, Any]) -> str:
    """The constants, the line reader, the tokenizer, `load_data` and `generate` of a generation run."""
    data = config["data"]
    if _reads_file(config):
        constants, reader = _file_part(config)
    else:
        constants = (
            f"LANGUAGE = {_q(LINES_DATASETS[data['dataset']])}  # chatterbot-corpus' data/LANGUAGE folder"
        )
        reader = f"{DIALOG_LINES_CODE}\n\n\n{_DIALOG_LINES}"
    return f"""{constants}
MAXLEN = {data["maxlen"]!r}  # the context: up to MAXLEN tokens before the one to predict, padded in front
MIN_LINES_TO_SPLIT_BY_LINE = {MIN_LINES_TO_SPLIT_BY_LINE!r}  # fewer lines: split by blocks of examples
PAIRS_PER_BLOCK = {PAIRS_PER_BLOCK!r}
PAIR_BUDGET_BYTES = {PAIR_BUDGET_BYTES!r}  # a longer text keeps every k-th example to stay under this
{vocabulary("the whole text")}


{reader}


{tokens_code(data)}


{_LOAD.format(signature="path=DATA" if _reads_file(config) else "", lines="text_lines(path)" if _reads_file(config) else "text_lines()")}


{_GENERATE}"""


def generation_main(data_file: bool) -> tuple[str, str]:
    """What `main` adds for a generation run: its options, and the lines after the test metric that continue
    a seed line (the first line of the text unless --seed-text says another)."""
    options = """    parser.add_argument("--seed-text", help="the line to continue (default: the text's first line)")
    parser.add_argument("--words", type=word_count, default=10, help="tokens to generate (default: 10)")
    parser.add_argument("--temperature", type=temperature_option, default=0.7, help="0: the likeliest each time")
"""
    lines = "text_lines(args.data)" if data_file else "text_lines()"
    after = f"""
    seed = args.seed_text or {lines}[0]
    rng = np.random.default_rng(SEED)
    generated = generate(model, seed, args.words, args.temperature, rng)
    print(f"seed: {{shown(seed)}}")
    print(f"generated (temperature {{args.temperature:g}}): {{shown(generated)}}")
"""
    return options, after


_FILE_LINES = '''def text_lines(path):
    """The text's non-empty lines, stripped (only "\\\\n" ends a line, as seqtui reads it); with --limit only the
    first ones, until they hold EXAMPLES_WANTED examples and at least 4 * MIN_LINES_TO_SPLIT_BY_LINE lines."""
    try:
        text = Path(path).read_bytes().decode(ENCODING)
    except (OSError, UnicodeError) as exc:
        raise SystemExit(f"can't read {path} as {ENCODING} text: {exc}")
    lines, examples = [], 0
    for line in text.split("\\n"):
        line = line.strip()
        if not line:
            continue
        enough = EXAMPLES_WANTED is not None and examples >= EXAMPLES_WANTED
        if enough and len(lines) >= 4 * MIN_LINES_TO_SPLIT_BY_LINE:
            break
        lines.append(line)
        examples += max(0, (len(line) if TOKENIZER["split"] == "character" else len(line.split())) - 1)
    return lines'''

_DIALOG_LINES = '''def text_lines():
    """Every dialog line, once, in the files' order."""
    return dialog_lines()[0]'''

_LOAD = '''def examples(encoded):
    """(prefixes, next tokens, the line of each): every prefix of every line predicts the token after it (a
    long text keeps every k-th to stay under PAIR_BUDGET_BYTES, as seqtui does)."""
    pairs = sum(max(0, len(line) - 1) for line in encoded)
    stride = max(1, math.ceil(pairs * MAXLEN * 4 / PAIR_BUDGET_BYTES))
    prefixes, targets, line_of, n = [], [], [], 0
    for line_no, line in enumerate(encoded):
        for k in range(1, len(line)):
            n += 1
            if n % stride == 0:
                prefixes.append(line[max(0, k - MAXLEN) : k])
                targets.append(line[k])
                line_of.append(line_no)
    if len(prefixes) < 10:
        raise SystemExit(f"too little text to learn from ({{len(prefixes)}} next-token examples); add lines")
    return prefixes, targets, np.asarray(line_of)


def split_by_group(groups):
    """(train, validation, test) masks that keep each group (a line, or a block of examples) in one part;
    seqtui splits generation text with seed 0, whatever its --split-seed."""
    unique = np.random.default_rng(0).permutation(np.unique(groups))
    n_test = max(1, round(len(unique) * TEST_SPLIT))
    n_val = max(1, round((len(unique) - n_test) * VALIDATION_SPLIT))
    if len(unique) - n_test - n_val < 1:
        raise SystemExit(f"only {{len(unique)}} lines/blocks of text: too few to split; lower the splits or add text")
    in_test, in_val = np.isin(groups, unique[:n_test]), np.isin(groups, unique[n_test : n_test + n_val])
    return ~(in_test | in_val), in_val, in_test


def load_data({signature}):
    """The (context, next token) examples of the text's lines; whole lines (blocks of examples when there are
    fewer than MIN_LINES_TO_SPLIT_BY_LINE lines) go to test, then validation; training examples shuffled."""
    encoded = [ids(pieces) for pieces in tokenized({lines})]
    prefixes, targets, line_of = examples(encoded)
    x = keras.utils.pad_sequences(prefixes, maxlen=MAXLEN, padding="pre", truncating="pre").astype("int32")
    y = np.asarray(targets, dtype="int32")
    if len(set(line_of.tolist())) >= MIN_LINES_TO_SPLIT_BY_LINE:
        groups = line_of
    else:  # blocks of consecutive examples (single examples for a tiny text)
        groups = np.arange(len(y)) // max(1, min(PAIRS_PER_BLOCK, len(y) // MIN_LINES_TO_SPLIT_BY_LINE))
    train, val, test = split_by_group(groups)
    order = np.random.default_rng(1).permutation(int(train.sum()))
    return (x[train][order], y[train][order]), (x[val], y[val]), (x[test], y[test])'''

_GENERATE = '''INDEX_WORD = {i: word for word, i in WORD_INDEX.items()}
VOCAB_END = min(max(WORD_INDEX.values(), default=OOV_ID) + 1, NUM_WORDS or math.inf)
"""Generated ids are OOV_ID + 1 .. VOCAB_END - 1: never padding, the OOV id, or ids the text never had."""
JOINER = "" if TOKENIZER["split"] == "character" else " "


def word_count(text):
    """A number of tokens, 1 or more (--words)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def temperature_option(text):
    """A sampling temperature, 0 or more (--temperature)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # NaN too
        raise argparse.ArgumentTypeError(f"{text!r} is not a temperature of 0 or more")
    return value


def generate(model, seed, words, temperature, rng):
    """`seed` continued by `words` tokens, as seqtui predict continues it: each step reads the last MAXLEN
    tokens and takes the likeliest next one (temperature 0) or draws it from the probabilities sharpened by the
    temperature (log p / temperature, softmax), among the vocabulary's ids only."""
    context = ids(tokenized([seed])[0])
    allowed = np.zeros(model.output_shape[-1], dtype=bool)
    allowed[OOV_ID + 1 : VOCAB_END] = True
    out = []
    for _ in range(words):
        x = keras.utils.pad_sequences([context], maxlen=MAXLEN, padding="pre", truncating="pre")
        probs = np.asarray(model.predict(x, verbose=0)[0], dtype="float64")
        probs[~allowed] = 0.0
        if probs.sum() <= 0:
            break
        if temperature == 0:
            nxt = int(probs.argmax())
        else:
            logits = np.where(allowed, np.log(probs + 1e-12) / temperature, -np.inf)
            p = np.exp(logits - logits.max())
            nxt = int(rng.choice(len(p), p=p / p.sum()))
        context.append(nxt)
        out.append(INDEX_WORD.get(nxt, "<oov>"))
    return JOINER.join(out)


def shown(text):
    """Text for the terminal: control characters written as escapes, never sent raw."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)'''


GENERATION_READER = DataReader(
    what="next-token generation on the offline lines-ko and on your plain-text file",
    claims=is_generation_run,
    section=generation_section,
    imports=generation_imports,
    problem=generation_problem,
    takes_file=_reads_file,
)
