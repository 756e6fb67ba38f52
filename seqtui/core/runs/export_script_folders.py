"""The data part of a `train.py` for a run on a folder of text files, as `seqtui.datasets.text_folders` reads
it: one sub-folder of .txt files per class (the sub-folder names are the classes; 'unsup' is left out), or
aclImdb's layout of train/ and test/ such folders, whose test/ is the run's own test set. Each file is
decoded as seqtui decodes it (the run's --encoding, else a byte-order mark's, else UTF-8, Korean CP949 or
latin-1), <br /> tags become spaces and empty files are left out; with --limit, a seeded sample of the files
spread over the classes is read, and test/ in the share of its files that train/ was.

`export_script_text` writes the rest (the tokenizer, the run's vocabulary, `load_data`) and the `Sample`
class this reader's `picked` uses; the layout is looked at here once, at export, and written down.
"""

from __future__ import annotations

from pathlib import Path

from seqtui.core.runs.script_parts import quoted as _q
from seqtui.datasets.errors import DataError
from seqtui.datasets.text_folders import UNLABELLED, class_folders, is_text_folder


def own_test_folders(folder: Path) -> bool:
    """Whether the folder is aclImdb/ itself: train/ and test/, each of class sub-folders (as seqtui sees it)."""
    train, test = folder / "train", folder / "test"
    return train.is_dir() and test.is_dir() and is_text_folder(train) and is_text_folder(test)


def folder_problem(folder: Path) -> str | None:
    """Why a script can't read this folder of text files as the run did, or None."""
    try:
        if own_test_folders(folder):
            return None
        classes = [c.name for c in class_folders(folder) if c.name not in UNLABELLED]
    except (DataError, OSError) as exc:
        return f"seqtui can't read the folder {folder.name} now ({str(exc)[:200]})"
    if len(classes) < 2:
        return (
            f"the folder {folder.name} no longer holds one sub-folder of .txt files per class (two at least)"
        )
    return None


def folder_part(folder: Path, own_test: bool, encoding: str | None, size: int | None) -> tuple[str, str, str]:
    """The constants, the reader and the call that reads the rows of a folder of text files."""
    layout = "one sub-folder of .txt files per class"
    layout = f"train/ and test/, each {layout}" if own_test else layout
    share = "; test/: train/'s share" if own_test else ""
    constants = f"""# The run's folder: {layout}; --data PATH reads another laid out alike.
DATA = Path({_q(str(folder))})
ENCODING = {None if encoding is None else _q(encoding)}  # None: a BOM's, else UTF-8, else Korean CP949, else latin-1
SAMPLE_FILES = {size!r}  # --limit: .txt files sampled over the classes (None: every file){share}"""
    rows = _OWN_TEST_ROWS if own_test else _FOLDER_ROWS
    return constants, f"{_FILES}\n\n\n{rows}", "folder_rows(path)"


_FILES = r'''UNLABELLED = ("unsup",)  # sub-folders of unlabelled text (aclImdb's unsup/): never a class
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
BOMS = {b"\xef\xbb\xbf": "utf-8-sig", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}


def class_files(folder):
    """(path, class) of every .txt file in the class sub-folders (at any depth), in sorted order."""
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder: the run read one sub-folder of .txt files per class")
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    classes = [p for p in subs if next(p.rglob("*.txt"), None) is not None and p.name not in UNLABELLED]
    if len(classes) < 2:
        raise SystemExit(f"{folder} needs one sub-folder of .txt files per class, two at least")
    listed = [(sorted(p for p in sub.rglob("*.txt") if p.is_file()), sub.name) for sub in classes]
    return [(path, label) for paths, label in listed for path in paths]


def decoded(raw, path):
    """A file's text: ENCODING, else the one its byte-order mark names, else UTF-8, else Korean CP949 when over
    90% of its non-ASCII characters are Hangul (or spaces), else latin-1."""
    encoding = ENCODING
    if encoding is None:
        encoding = next((name for bom, name in BOMS.items() if raw.startswith(bom)), None)
        if encoding is None and b"\x00" in raw[:8192]:
            raise SystemExit(f"{path} looks like a binary file, not text")
    if encoding:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeError) as exc:
            raise SystemExit(f"{path} is not valid {encoding} ({exc})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
    wide = [c for c in text if ord(c) > 127]
    hangul = sum("\uac00" <= c <= "\ud7a3" or c.isspace() for c in wide)
    return text if wide and hangul / len(wide) > 0.9 else raw.decode("latin-1")


def read_texts(files):
    """(texts, labels) of the files, <br /> tags made spaces; an empty file is left out."""
    texts, labels = [], []
    for path, label in files:
        raw = path.read_bytes()
        text = LINE_BREAK.sub(" ", decoded(raw, path)).strip() if raw.strip() else ""
        if text:
            texts.append(text)
            labels.append(label)
    return texts, labels


def picked(files, size):
    """Every file, or a seeded sample of `size` of them (plus one of each class it missed), in listing order."""
    if size is None or len(files) <= size:
        return files
    sample = Sample(size)
    for path, label in files:
        sample.add(str(path), label)
    paths, labels = sample.take()
    return [(Path(p), label) for p, label in zip(paths, labels)]'''

_FOLDER_ROWS = '''def folder_rows(path):
    """(texts, labels) of the class sub-folders' files (with SAMPLE_FILES, of a seeded sample of them)."""
    return read_texts(picked(class_files(Path(path)), SAMPLE_FILES))'''

_OWN_TEST_ROWS = '''def folder_rows(path):
    """(texts, labels) of train/, and of test/: the run's own test set, with SAMPLE_FILES a seeded sample of
    the share of its files that train/ was read in."""
    train_files, test_files = class_files(Path(path) / "train"), class_files(Path(path) / "test")
    train = picked(train_files, SAMPLE_FILES)
    share = None
    if len(train) < len(train_files):
        share = max(1, round(len(test_files) * len(train) / len(train_files)))
    (texts, labels), (test_texts, test_labels) = read_texts(train), read_texts(picked(test_files, share))
    unknown = sorted(set(test_labels) - set(labels))
    if unknown:
        raise SystemExit(f"{Path(path) / 'test'} has classes that train/ lacks: {unknown}")
    return (texts, labels), (test_texts, test_labels)'''
