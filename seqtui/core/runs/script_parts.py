"""What the parts of a generated train.py share: how a string is written as Python, and `DataReader`, the way
one kind of run's data is read (`export_script` asks each reader in turn whether it reads a run)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Config = dict[str, Any]
"""A run's config.json."""


def quoted(text: str) -> str:
    """A string literal in double quotes, as the lessons write them (Korean kept as it is)."""
    return json.dumps(text, ensure_ascii=False)


def _no_problem(config: Config) -> str | None:
    return None


def _no_file(config: Config) -> bool:
    return False


@dataclass(frozen=True)
class DataReader:
    """How a train.py reads one kind of run's data, the way seqtui read it."""

    what: str
    """The data it reads, for the message that lists what a script can reproduce."""
    claims: Callable[[Config], bool]
    """Whether the run's data is of this kind."""
    section: Callable[[Config], str]
    """The constants, helpers and `load_data` of the script."""
    imports: Callable[[Config], tuple[str, ...]]
    """The standard library modules the section uses."""
    problem: Callable[[Config], str | None] = _no_problem
    """Why this run's data can't yet be read the same way (checked at export), or None."""
    takes_file: Callable[[Config], bool] = _no_file
    """Whether `load_data` takes the data's path (the script then accepts --data PATH)."""
