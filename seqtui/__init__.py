"""seqtui: a terminal trainer for sequence and image deep-learning models."""

__version__ = "0.1.0"
