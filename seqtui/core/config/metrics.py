"""What a task's headline metric means: which way is better."""

from __future__ import annotations


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of a task's headline metric is better: accuracy yes, mae (an error) no."""
    return metric != "mae"
