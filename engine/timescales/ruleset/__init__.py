"""The rule set: rules compiled once into checkers through the kind registry (``ruleset``),
built from the national and council packs (``pack``), and the due-date oracle (``oracle``)."""
