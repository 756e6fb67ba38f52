"""Korean morphemes with kiwipiepy (pip-only, no Java): particles and endings split off, as the Naver movie
review lesson tokenises before dropping stopwords ("날씨가 좋네" -> 날씨 / 가 / 좋 / 네).

kiwipiepy loads lazily: importing this module costs nothing; the first analysis loads the model (seconds).
Long inputs are analysed in batches (kiwipiepy's own threads); a progress hook set with `on_progress` sees
each batch and may raise to stop the analysis (Ctrl+C, a cancel button).
"""

from __future__ import annotations

import contextlib
import functools
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from seqtui.datasets.config import KOREAN_STOPWORDS as KOREAN_STOPWORDS  # its home is the data config
from seqtui.datasets.errors import DataError

ANALYSER = "kiwipiepy"
BATCH = 2000
"""Texts per progress report; kiwipiepy analyses them on its own worker threads."""
INSTALL_HINT = "pip install kiwipiepy (or `pip install 'seqtui[korean]'`)"

_LEXICAL_STEMS = ("VV", "VA")
"""Verb and adjective stems: a stopword matches them with 다 added ("하다" drops the 하 of 했다, 한, 하고;
"가" drops the particle but not the verb 가다)."""
_FUNCTION_STEMS = ("VX", "XSV", "XSA", "VCP", "VCN")
"""Auxiliaries, verb/adjective suffixes and the copula: a stopword matches them bare or with 다 (이, 하다)."""
_FUNCTION_TAGS = ("XPN", "XSN", "XSV", "XSA", "XSM", "VCP", "VCN", "VX")
"""Besides particles (J*) and endings (E*): affixes, the copula and auxiliaries, dropped by content_only."""

ProgressHook = Callable[[int, int], None]
"""Called with (texts analysed, texts in all) after each batch; raising stops the analysis."""
_HOOK: ContextVar[ProgressHook | None] = ContextVar("seqtui_morpheme_progress", default=None)


class AnalyserMissing(DataError):
    """kiwipiepy is not installed: morphemes can't be made."""


@contextlib.contextmanager
def on_progress(hook: ProgressHook) -> Iterator[None]:
    """Call `hook` after each batch analysed in this thread (nested hooks all run, outer first)."""
    outer = _HOOK.get()

    def both(done: int, total: int) -> None:
        if outer is not None:
            outer(done, total)
        hook(done, total)

    token = _HOOK.set(both)
    try:
        yield
    finally:
        _HOOK.reset(token)


def installed_version() -> str | None:
    """kiwipiepy's version, or None when it is not installed (checked without loading the model)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(ANALYSER)
    except PackageNotFoundError:
        return None


def analyser_name() -> str:
    """'kiwipiepy X.Y.Z', saved with a morpheme run; AnalyserMissing when it is not installed."""
    found = installed_version()
    if found is None:
        raise AnalyserMissing(f"the morpheme tokenizer needs the Korean analyser kiwipiepy: {INSTALL_HINT}")
    return f"{ANALYSER} {found}"


@functools.lru_cache(maxsize=1)
def _kiwi() -> Any:
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        raise AnalyserMissing(
            f"the morpheme tokenizer needs the Korean analyser kiwipiepy: {INSTALL_HINT}"
        ) from None
    # At least one worker: kiwipiepy's batch analysis needs its thread pool (0 means none at all).
    return Kiwi(num_workers=max(1, min(8, os.cpu_count() or 1)))


def _has_letters(form: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LMN" for ch in form)


def _is_function(tag: str) -> bool:
    return tag[0] in "JE" or tag in _FUNCTION_TAGS


def _stopped(form: str, tag: str, stop: frozenset[str]) -> bool:
    if tag in _LEXICAL_STEMS:
        return form + "다" in stop
    return form in stop or (tag in _FUNCTION_STEMS and form + "다" in stop)


def _keep(tokens: Sequence[Any], content_only: bool, stop: frozenset[str], letters_only: bool) -> list[str]:
    out = []
    for token in tokens:
        form, tag = token.form, token.tag.split("-")[0]  # VV-R / VV-I: regular or irregular stem
        if not form.strip() or (letters_only and not _has_letters(form)):
            continue
        if content_only and _is_function(tag):
            continue
        if stop and _stopped(form, tag, stop):
            continue
        out.append(form)
    return out


def analyse(
    texts: Sequence[str],
    content_only: bool = False,
    stopwords: Iterable[str] = (),
    letters_only: bool = True,
) -> list[list[str]]:
    """Each text's morphemes (forms, in order), particles and endings split off.

    `content_only` keeps nouns, stems, adverbs, roots, foreign words and numbers (no particles, endings,
    affixes, copula). A stopword matches a morpheme's form; a verb or adjective stem matches it with 다
    added ("하다" drops the 하 of 했다, "가" keeps the verb 가다). `letters_only` drops punctuation and emoji
    (what standardising would have removed). Empty texts give empty lists. The progress hook counts
    distinct texts.
    """
    kiwi = _kiwi()
    stop = frozenset(stopwords)
    hook = _HOOK.get()
    unique = list(dict.fromkeys(texts))  # reviews repeat: analyse each distinct text once
    done: dict[str, list[str]] = {}
    for start in range(0, len(unique), BATCH):
        chunk = unique[start : start + BATCH]
        for text, tokens in zip(chunk, kiwi.tokenize(chunk, compatible_jamo=True), strict=True):
            done[text] = _keep(tokens, content_only, stop, letters_only)
        if hook is not None:
            hook(len(done), len(unique))
    return [list(done[text]) for text in texts]


def check_saved(saved: str | None) -> str | None:
    """For a run made with `saved` ("kiwipiepy 0.24.1"): AnalyserMissing when kiwipiepy is not installed, a
    note when another version is (its analyses may differ slightly), None when they match."""
    wanted = (saved or ANALYSER).removeprefix(ANALYSER).strip()
    found = installed_version()
    if found is None:
        pin = f"=={wanted}" if wanted else ""
        raise AnalyserMissing(
            f"this run reads Korean morphemes made by {saved or ANALYSER}, which is not installed here: "
            f"pip install 'kiwipiepy{pin}'"
        )
    if wanted and wanted != found:
        return (
            f"this run was trained with {saved}; kiwipiepy {found} is installed, whose morphemes may differ "
            f"slightly (pip install 'kiwipiepy=={wanted}' matches the training exactly)"
        )
    return None
