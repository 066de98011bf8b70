"""The strict rule loader: the only way rules get in.

YAML is read with ``yaml.SafeLoader`` (no tags, no code), duplicate keys are refused, the result
is validated against the model of the kind it names (the kinds registered in
``rules.registry``), and every error names the file and line. Across files it
refuses duplicate IDs, unknown event types, and schedule followers without their head.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import Location, RuleError
from ..records import NATIONAL_EVENT_TYPES
from .compiled import CompiledPack
from .model import Rule
from .parsed import ParsedPack
from .registry import REGISTRY
from .settings import Settings, Unsettled, apply, declared

if TYPE_CHECKING:
    import yaml


@functools.cache
def _strict_loader() -> Any:
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one). Made when a
    rule file is first parsed: a pack read from the cache (``rules.parsed``) needs no PyYAML."""
    import yaml

    class _StrictLoader(yaml.SafeLoader):
        pass

    mapping = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
    _StrictLoader.add_constructor(mapping, _construct_mapping)
    _StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    return _StrictLoader


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """A YAML date, or an error at its line for an impossible one (2023-02-30)."""
    import yaml

    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, "an impossible date", node.start_mark
        ) from None


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    import yaml

    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict, set)):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a plain value, not a list or mapping",
                key_node.start_mark,
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def read_text(item: Path | resources.abc.Traversable, source: str) -> str:
    """A rule file's text: UTF-8 (a BOM is allowed), or a RuleError naming the file."""
    try:
        return item.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleError(
            f"not UTF-8 text (byte {exc.start}); save the rule file as UTF-8",
            Location(source),
            code="E201",
        ) from None


def read_yaml(text: str, source: str) -> Any:
    """Parse YAML strictly; errors become RuleError with the file and line."""
    import yaml

    try:
        # the strict loader is yaml.SafeLoader plus a duplicate-key check: no tags, no objects,
        # no code. This is what yaml.safe_load does, with that one check added.
        loader = _strict_loader()(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = f"{exc.problem or exc}"
        code = "E203" if problem.startswith("duplicate key") else "E201"
        raise RuleError(problem, Location(source, line), code=code) from None
    except yaml.YAMLError as exc:
        raise RuleError(f"not valid YAML: {exc}", Location(source), code="E201") from None
    except RecursionError:
        raise RuleError(
            "nested too deeply to be a rule file", Location(source), code="E201"
        ) from None


def line_of(text: str, path: Sequence[int | str]) -> int | None:
    """The line (1-based) of the YAML node at ``path`` (keys and indexes), or its nearest parent."""
    import yaml

    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key_node, value_node in node.value:
                if key_node.value == step:
                    found = (key_node, value_node)
                    break
            if found is None:
                return line
            line = found[0].start_mark.line + 1
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def format_validation_error(exc: ValidationError, text: str, source: str) -> RuleError:
    """Turn the first pydantic error into a RuleError at the right line, with all errors listed."""
    lines = []
    first_line = None
    code = None
    for err in exc.errors():
        loc = [part for part in err["loc"] if part not in ("deadline", "schedule")]
        # pydantic puts function-validator names in loc; keep only real keys and indexes
        loc = [p for p in loc if isinstance(p, int) or not str(p).startswith("function-")]
        line = line_of(text, loc)
        where = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ["kind"]
            line = line_of(text, loc)
            first_line = first_line or line
            where = "kind"
            msg = "unknown or missing kind (one of: " + ", ".join(REGISTRY.names()) + ")"
        elif err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}" if loc else "unknown key"
        elif err["type"] == "missing":
            msg = "required key is missing"
        first_line = first_line or line
        code = code or _rule_code(err["type"], msg)
        lines.append(f"line {line}: {where}: {msg}" if line else f"{where}: {msg}")
    message = "invalid rule: " + "; ".join(lines)
    return RuleError(message, Location(source, first_line), code=code or "E200")


def _rule_code(kind: str, message: str) -> str:
    """The error code of one rule-validation problem (the first decides the error's code)."""
    if kind == "extra_forbidden":
        return "E202"
    if kind == "missing":
        return "E204"
    if "unknown event type" in message or "unknown attribute" in message:
        return "E206"
    return "E205"


def parse_rule(
    text: str,
    source: str,
    settings: Settings | None = None,
    parsed: ParsedPack | None = None,
) -> Rule:
    """One rule file, validated; its council settings (``rules.settings``) filled from
    ``settings``; ``parsed`` keeps what YAML made of it (``rules.parsed``). A rule whose setting
    is neither given nor defaulted raises RuleError; use :func:`parse_rule_or_unsettled` to get
    it back as ``Unsettled`` instead."""
    return _settled(parse_rule_or_unsettled(text, source, settings, parsed), source)


def _settled(found: Rule | Unsettled, source: str) -> Rule:
    """The rule, or the error an unsettled one is where unsettled rules are not kept aside."""
    if isinstance(found, Unsettled):
        raise RuleError(f"rule {found.id}: {found.why}", Location(source), code="E204")
    return found


def parse_rule_or_unsettled(
    text: str,
    source: str,
    settings: Settings | None = None,
    parsed: ParsedPack | None = None,
    used: set[str] | None = None,
    compiled: CompiledPack | None = None,
) -> Rule | Unsettled:
    """One rule file, or the ``Unsettled`` it is while a setting it needs is not given;
    ``used`` gathers the setting names the file declares; ``compiled`` keeps the model it
    gives (``rules.compiled``)."""
    data = parsed.get(text) if parsed is not None else None
    if data is None:
        data = read_yaml(text, source)
        if parsed is not None:
            parsed.put(text, data)
    if not isinstance(data, dict):
        raise RuleError("a rule file must be a YAML mapping", Location(source, 1), code="E205")
    wanted = declared(data, source)
    names = wanted.values()
    if used is not None:
        used.update(names)
    entry = None
    if compiled is not None:
        entry = compiled.entry(text, wanted, settings or {}, source)
        kept = compiled.get(entry)
        if kept is not None:
            return kept  # type: ignore[no-any-return]
    data, unsettled = apply(data, settings or {}, source)
    try:
        # with a setting unset, only an optional field can be missing: it stays out
        rule: Rule = REGISTRY.adapter().validate_python(data)
        if compiled is not None:
            compiled.put(entry, rule)
        return rule
    except ValidationError as exc:
        if unsettled is not None:
            needed = _needs(exc, unsettled.fields)
            if needed:  # only the settings the rule cannot do without are named
                left = dataclasses.replace(
                    unsettled,
                    fields=needed,
                    missing=tuple(
                        m
                        for f, m in zip(unsettled.fields, unsettled.missing, strict=True)
                        if f in needed
                    ),
                )
                if compiled is not None:
                    compiled.put(entry, left)
                return left
        error = format_validation_error(exc, text, source)
        given = [n for n in names if n in (settings or {})]
        if given:
            error.message += f" (with the council's setting(s) {', '.join(given)})"
        raise error from None


def _needs(exc: ValidationError, fields: Sequence[str]) -> tuple[str, ...]:
    """Those of ``fields`` the rule cannot do without (pydantic says they are missing)."""
    missing = {
        err["loc"][1] for err in exc.errors() if err["type"] == "missing" and len(err["loc"]) >= 2
    }
    return tuple(f for f in fields if f in missing)


def rule_files(directory: Path | resources.abc.Traversable) -> list[Any]:
    """Every ``*.yaml`` under a directory, sorted by path (deterministic order)."""
    found: list[tuple[str, Any]] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith((".yaml", ".yml")):
                found.append((f"{prefix}{child.name}", child))

    walk(directory, "")
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def national_pack_dir() -> resources.abc.Traversable:
    """The national rule pack shipped inside the package (``rules/england`` in the source)."""
    return resources.files("timescales.packs") / "england"


def load_rule_dir(
    directory: Path | resources.abc.Traversable,
    label: str | None = None,
    *,
    settings: Settings | None = None,
    unsettled: list[Unsettled] | None = None,
    used: set[str] | None = None,
) -> list[tuple[Rule, Location]]:
    """Parse every rule file of one directory (a pack); file name must equal the rule ID.
    Rules whose council setting is not given go to ``unsettled`` (an error without it);
    ``used`` gathers the setting names the files declare."""
    out: list[tuple[Rule, Location]] = []
    base = label or str(directory)
    parsed = ParsedPack(directory)
    compiled = CompiledPack(directory)
    for item in rule_files(directory):
        source = os.path.join(base, _relative(directory, item))
        text = read_text(item, source)
        found = parse_rule_or_unsettled(text, source, settings, parsed, used, compiled)
        if isinstance(found, Unsettled) and unsettled is not None:
            unsettled.append(found)
            continue
        rule = _settled(found, source)
        stem = item.name.rsplit(".", 1)[0]
        if stem != rule.id:
            raise RuleError(
                f"file name {item.name!r} does not match rule id {rule.id!r}",
                Location(source, line_of(text, ["id"])),
                code="E205",
            )
        out.append((rule, Location(source)))
    parsed.save()
    compiled.save()
    return out


def _relative(directory: Any, item: Any) -> str:
    try:
        return str(Path(str(item)).relative_to(Path(str(directory))))
    except ValueError:
        return str(item.name)


def validate_pack(
    rules: Iterable[tuple[Rule, Location]],
    event_types: Mapping[str, Mapping[str, type]] = NATIONAL_EVENT_TYPES,
) -> list[Rule]:
    """Checks across files: unique IDs and names, known event types and attributes, schedule
    followers that name an existing head and do not overlap."""
    by_id: dict[str, tuple[Rule, Location]] = {}
    names: dict[str, str] = {}
    ordered: list[Rule] = []
    for rule, where in rules:
        if rule.id in by_id:
            raise RuleError(
                f"duplicate rule id {rule.id} (also defined in {by_id[rule.id][1].source})",
                where,
                code="E207",
            )
        if rule.name in names:
            raise RuleError(
                f"duplicate rule name {rule.name!r} (also {names[rule.name]})", where, code="E207"
            )
        by_id[rule.id] = (rule, where)
        names[rule.name] = rule.id
        for event_type in sorted(rule.context_types()):
            if event_type not in event_types:
                raise RuleError(
                    f"rule {rule.id}: a condition reads unknown event type {event_type!r}",
                    where,
                    code="E206",
                )
        for attr in sorted(rule.placement_attrs()):
            if attr not in event_types.get("placement_started", {}):
                raise RuleError(
                    f"rule {rule.id}: a placement condition reads unknown attribute {attr!r}",
                    where,
                    code="E206",
                )
        for selector in rule.selectors():
            if selector.type not in event_types:
                raise RuleError(
                    f"rule {rule.id}: unknown event type {selector.type!r}", where, code="E206"
                )
            attrs = event_types[selector.type]
            for attr in (*selector.where, *selector.unless):
                if attr not in attrs:
                    raise RuleError(
                        f"rule {rule.id}: event type {selector.type!r} has no attribute {attr!r}",
                        where,
                        code="E206",
                    )
        ordered.append(rule)
    rules_by_id = {rule_id: rule for rule_id, (rule, _) in by_id.items()}
    for rule in ordered:
        problem = REGISTRY.of(rule).validate(rule, rules_by_id)
        if problem is not None:
            raise RuleError(problem, by_id[rule.id][1], code="E206")
    return ordered
