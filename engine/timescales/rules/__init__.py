"""Rules: the rule-file model (``model``), the strict loader (``loader``) and packs (``pack``)."""
