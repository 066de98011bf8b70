"""The former home of the checking run: the pipeline's names, kept for existing imports."""

from __future__ import annotations

from .guard import too_many_events
from .pipeline import Pipeline, Run, Summary, check

__all__ = ["Pipeline", "Run", "Summary", "check", "too_many_events"]
