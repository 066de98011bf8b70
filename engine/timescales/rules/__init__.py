"""Rules: the common rule-file model (``model``), limit arithmetic (``limits``), the strict loader
(``loader``), councils' overrides and targets (``overrides``), rules in words (``words``) and the
rule-kind registry (``registry``)."""
