"""The user's own files (placeholder: the full readers land with the datasets work)."""

from __future__ import annotations

from seqtui.core.config import DataConfig
from seqtui.datasets.base import DataError, Dataset
from seqtui.datasets.registry import DatasetInfo


def load_user_file(config: DataConfig, info: DatasetInfo) -> Dataset:
    raise DataError("reading your own files is not available yet")


load_sms_spam = load_nsmc = load_user_file
