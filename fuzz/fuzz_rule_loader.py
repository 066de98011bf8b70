"""Fuzz the strict rule loader: a pack directory of YAML rule files, as a council's plugin or
an extra pack gives it (``load_rule_dir``: read, parse, validate, file name = rule id), then
the checks across files (``validate_pack``: duplicate ids, unknown event types, schedules).

Input: the files of the pack, each starting with a line ``>>> name`` (``>>> LA006.yaml``, a
sub-folder allowed: ``>>> looked-after/LA006.yaml``); text before the first such line is one
rule file named after its ``id:`` line (so that it can pass the file-name check), else
``XX001.yaml``. Bytes are written as they are: a file that is not UTF-8 is part of the test.
Allowed outcomes: rules, or a RuleError naming a file of the pack.

    .venv/bin/python fuzz/fuzz_rule_loader.py fuzz/corpus/rule_loader -max_total_time=600
"""

from __future__ import annotations

import re

import _harness

from timescales import RuleError
from timescales.rules.loader import load_rule_dir, validate_pack

SUFFIXES = (".yaml", ".yml")
ID_LINE = re.compile(rb"(?m)^(?:\xef\xbb\xbf)?id:[ \t]*['\"]?([A-Za-z0-9_\-]{1,40})")


@_harness.guarded("rule_loader")
def TestOneInput(data: bytes) -> None:
    files = []
    for i, (name, content) in enumerate(_harness.split_files(data)):
        default = f"XX{i:03d}.yaml"
        if name is None:
            found = ID_LINE.search(content)
            default = f"{found.group(1).decode()}.yaml" if found else default
        files.append((_harness.safe_name(name, default, SUFFIXES, depth=2), content))
    with _harness.temp_tree(files) as root:
        try:
            validate_pack(load_rule_dir(root))
        except RuleError as exc:
            _harness.check_rule_error(exc, root)


if __name__ == "__main__":
    _harness.main(TestOneInput)
