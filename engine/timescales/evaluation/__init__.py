"""Evaluation: one child as every rule kind reads it: its timeline (events, cases, conditions),
the context a checker reads (calendars, overrides, known history, the one way findings are
made) and the outcome of an instance."""
