"""Aggregates: measures over many children, computed from per-child results in one pass."""
