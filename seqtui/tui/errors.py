"""The app's error dialog shows what `seqtui.common.errors.describe_error` says, as the CLI does."""

from seqtui.common.errors import OOM_ADVICE, describe_error, is_out_of_memory

__all__ = ["OOM_ADVICE", "describe_error", "is_out_of_memory"]
