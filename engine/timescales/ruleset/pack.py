"""Loading rule packs: the national pack plus the selected council's, through the strict loader.

Packs come from plugins (the built-in ``national`` plugin supplies the national pack), so the
national rules and a council's local rules load the same way; a council's overrides, targets,
closure days and term dates are applied here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..calendar import ENGLAND, WorkingCalendar
from ..errors import Location, RuleError, UsageError
from ..plugins.manager import Council, Plugins, gather, load_plugins, yaml_files
from ..records import NATIONAL_EVENT_TYPES
from ..rules.loader import load_rule_dir, read_yaml, validate_pack
from ..rules.overrides import Target, activate, read_overrides, read_targets
from ..rules.settings import SETTING_NAME, Settings, Unsettled, check_used
from .ruleset import RuleSet


def load_rules(
    *,
    rules: Iterable[str] | None = None,
    la: str | None = None,
    plugins: Sequence[str] = (),
    autoload: bool | None = None,
    extra_packs: Iterable[Path] = (),
    calendar: WorkingCalendar | None = None,
    settings: Settings | Path | None = None,
) -> RuleSet:
    """Load and compile a rule set once; reuse it for as many checks as you like.

    ``la`` selects a council (its plugin must be installed, or named in ``plugins``);
    ``plugins`` names plugin modules to load explicitly (as ``-p``); ``autoload`` False skips
    installed entry-point plugins (also ``TIMESCALES_DISABLE_PLUGIN_AUTOLOAD=1``); ``rules``
    narrows the set to these IDs; ``settings`` gives the council's values for the rules whose
    numbers no source states (a mapping, or a YAML file: ``rules.settings``). Raises RuleError
    (file and line) for any invalid rule file,
    PluginError (naming the plugin) for a broken plugin, UsageError for an unknown council.
    """
    loaded_plugins = load_plugins(plugins, autoload=autoload)
    council = gather(loaded_plugins, la)
    return build_ruleset(
        council, rules=rules, extra_packs=extra_packs, calendar=calendar, settings=settings
    )


def build_ruleset(
    council: Council,
    *,
    rules: Iterable[str] | None = None,
    extra_packs: Iterable[Path] = (),
    calendar: WorkingCalendar | None = None,
    settings: Settings | Path | None = None,
) -> RuleSet:
    event_types = {**NATIONAL_EVENT_TYPES, **council.event_types}
    values, settings_source = _settings(settings)
    loaded = []
    local: set[str] = set()
    unsettled: list[Unsettled] = []
    used: set[str] = set()
    packs = [
        ("rules/england" if plugin == "national" else f"{plugin}:{pack}", pack, plugin)
        for plugin, pack in council.packs
    ] + [(str(pack), Path(pack), None) for pack in extra_packs]
    for label, pack, plugin in packs:
        found = load_rule_dir(pack, label=label, settings=values, unsettled=unsettled, used=used)
        if plugin is None or plugin in council.local_plugins:
            local.update(rule.id for rule, _ in found)
        loaded.extend(found)
    check_used(values, used, settings_source)
    validated = validate_pack(loaded, event_types)
    overrides = activate(
        (
            (plugin, path, item)
            for plugin, where in council.overrides
            for path in yaml_files([where])
            for item in read_overrides(path)
        ),
        [r for r in validated if r.id not in local],
    )
    targets: list[Target] = []
    for _, where in council.targets:
        for path in yaml_files([where]):
            for target in read_targets(path):
                unknown = [r for r in target.rules if r not in {v.id for v in validated}]
                if unknown:
                    raise RuleError(
                        f"target {target.name}: unknown rule(s) {unknown}",
                        Location(str(path)),
                        code="E206",
                    )
                targets.append(target)
    national_calendar = calendar or ENGLAND
    local_calendar = (
        national_calendar.with_closures(council.closure_days, name=f"{council.la} closures")
        if council.closure_days
        else national_calendar
    )
    ruleset = RuleSet(
        validated,
        calendar_=national_calendar,
        la=council.la,
        event_types=event_types,
        terms=council.terms or None,
        overrides=overrides,
        local_rules=local,
        local_calendar=local_calendar,
        targets=targets,
        unsettled=unsettled,
    )
    if rules is not None:
        wanted = [r.strip() for r in rules if r.strip()]
        try:
            ruleset = ruleset.select(wanted)
        except KeyError as exc:
            raise UsageError(f"unknown rule id(s): {exc.args[0]}") from None
    return ruleset


def read_settings(path: Path) -> dict[str, Any]:
    """A settings file: a YAML mapping of setting name to value (UsageError naming the file and
    line for anything else)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the settings file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = read_yaml(text, str(path))
    except RuleError as exc:
        raise UsageError(f"{exc.location}: {exc.message}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a settings file is a mapping of setting name to value")
    for name in data:
        if not isinstance(name, str) or not SETTING_NAME.match(name):
            raise UsageError(
                f"{path}: {name!r} is not a setting name (dotted lower-case words, "
                "e.g. lancashire.supervision_interval)"
            )
    return dict(data)


def _settings(settings: Settings | Path | None) -> tuple[Settings, str]:
    """The settings' values and where they came from (for errors)."""
    if settings is None:
        return {}, "settings"
    if isinstance(settings, Path):
        return read_settings(settings), str(settings)
    return dict(settings), "settings"


def load_council(
    la: str | None = None, plugins: Sequence[str] = (), autoload: bool | None = None
) -> tuple[Plugins, Council]:
    """The loaded plugins and the selected council's contributions (for the CLI's listings)."""
    loaded = load_plugins(plugins, autoload=autoload)
    return loaded, gather(loaded, la)
