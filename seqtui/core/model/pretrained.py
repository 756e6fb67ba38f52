"""Pretrained word vectors for a run (`--embeddings FILE`): the checks of the file before anything loads,
the embedding size it sets, and the matrix built for the fitted vocabulary (what the Embedding layer starts
from). Reading the file is `datasets.word_vectors`; nothing here imports Keras."""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Any

from seqtui.core.config.errors import Cancelled
from seqtui.core.config.run_config import RunConfig
from seqtui.core.config.validation import Problem
from seqtui.datasets.errors import DataError
from seqtui.datasets.word_vectors import PretrainedVectors, build_matrix, probe

if TYPE_CHECKING:
    from seqtui.datasets.base import Dataset


def file_dimension(path: str) -> int | None:
    """The dimension of the vectors in `path`, or None when the file can't tell it (the checks say why)."""
    try:
        return probe(path).dim
    except DataError:
        return None


def embedding_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Command-line or form overrides with embedding_dim taken from the --embeddings file when it was not
    given (a conflicting one given is left for `embedding_file_problems` to report)."""
    path = overrides.get("embeddings")
    if not path or overrides.get("embedding_dim") is not None:
        return overrides
    dim = file_dimension(str(path))
    return {**overrides, "embedding_dim": dim} if dim else overrides


def embedding_file_problems(config: RunConfig, input_kind: str | None) -> list[Problem]:
    """The --embeddings file is one seqtui reads, for text input, with the embedding size the model has."""
    m = config.model
    if not isinstance(m.embeddings, str) or not m.embeddings.strip():
        return []
    if input_kind in ("image", "series"):
        return [
            Problem(
                "embeddings", f"pretrained word vectors are for text; {config.data.dataset} is {input_kind}"
            )
        ]
    try:
        file = probe(m.embeddings)
    except DataError as exc:
        return [Problem("embeddings", str(exc))]
    if m.embedding_dim != file.dim:
        return [
            Problem(
                "embedding_dim",
                f"is {m.embedding_dim}, but {file.name} holds {file.dim}-dimensional vectors; drop "
                f"--embedding-dim (the file sets it) or give a file of {m.embedding_dim}-dimensional vectors",
            )
        ]
    return []


def pretrained_vectors(
    config: RunConfig, data: Dataset, cancel: threading.Event | None = None
) -> tuple[PretrainedVectors | None, Dataset]:
    """The Embedding matrix from --embeddings for the data's fitted vocabulary (None without the option),
    and the data with the coverage line added to its notes (the run's log shows it). A cancel stops the
    reading between batches of lines."""
    path = config.model.embeddings
    if not path:
        return None, data
    tokenizer = getattr(data.encoder, "tokenizer", None)
    if tokenizer is None:
        raise DataError(f"pretrained word vectors are for text; {data.name} is {data.input_kind}")

    def check(lines: int) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"stopped while reading the word vectors (line {lines:,})")

    vectors = build_matrix(path, tokenizer, config.data.vocab_size, config.train.seed, check)
    return vectors, dataclasses.replace(data, notes=[*data.notes, vectors.line()])
