"""The scoring stage's error."""

from __future__ import annotations


class ScoringError(ValueError):
    """New logs or a model that cannot be scored; the message says what to fix."""
