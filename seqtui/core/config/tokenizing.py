"""The tokenizer choices as users name them (`--tokenizer`, `--stopwords`, the Setup form), turned into
config values: shared by the CLI and the app so both read the same words the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqtui.common.names import suggest
from seqtui.core.config.run_config import DataConfig, UnknownName

TOKENIZERS: dict[str, str] = {"words": "whitespace", "characters": "character", "morphemes": "morpheme"}
"""User-facing tokenizer name -> DataConfig.split."""
STOPWORD_CHOICES = ("ko", "none", "FILE")


def tokenizer_name(split: str) -> str:
    """'words', 'characters' or 'morphemes' for a config's split."""
    return next((name for name, value in TOKENIZERS.items() if value == split), split)


def split_for(tokenizer: str) -> str:
    """The config split for a tokenizer name (the config's own spelling is accepted too)."""
    if tokenizer in TOKENIZERS:
        return TOKENIZERS[tokenizer]
    if tokenizer in TOKENIZERS.values():
        return tokenizer
    raise UnknownName(f"unknown tokenizer {tokenizer!r}." + suggest(tokenizer, tuple(TOKENIZERS)))


def read_stopwords(choice: str) -> tuple[str, ...]:
    """'ko' (the lesson's Korean list), 'none', or a UTF-8 file of stopwords (whitespace or comma
    separated, '#' starts a comment)."""
    from seqtui.datasets.config import KOREAN_STOPWORDS

    if choice == "ko":
        return KOREAN_STOPWORDS
    if choice == "none":
        return ()
    from seqtui.datasets.errors import DataError
    from seqtui.datasets.text_files import read_text

    path = Path(choice).expanduser()
    if not path.exists() and "/" not in choice and "." not in choice:
        raise DataError(f"--stopwords {choice!r} is neither ko, none nor an existing file of stopwords")
    text, _ = read_text(path)
    words = [w for line in text.splitlines() for w in line.split("#", 1)[0].replace(",", " ").split()]
    if not words:
        raise DataError(f"{path} holds no stopwords (only comments or blank lines)")
    return tuple(dict.fromkeys(words))


def tokenizer_overrides(
    data: DataConfig, tokenizer: str | None, stopwords: str | None, content_morphemes: bool | None = None
) -> dict[str, Any]:
    """Flat overrides (split, stopwords, content_morphemes) for the choices given (None: keep the config's).

    Without --stopwords, changing the tokenizer changes the default with it: the lesson's Korean list for
    morphemes, none for characters (single letters are no stopwords) and for words.
    """
    out: dict[str, Any] = {}
    if tokenizer is not None:
        out["split"] = split_for(tokenizer)
    if stopwords is not None:
        out["stopwords"] = read_stopwords(stopwords)
    elif out.get("split", data.split) != data.split:
        out["stopwords"] = read_stopwords("ko" if out["split"] == "morpheme" else "none")
    if content_morphemes is not None:
        out["content_morphemes"] = content_morphemes
    return out
