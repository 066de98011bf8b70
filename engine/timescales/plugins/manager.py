"""Load and check plugins, and gather what the selected council contributes.

Entry points in the ``timescales.plugins`` group are loaded unless
``TIMESCALES_DISABLE_PLUGIN_AUTOLOAD`` is set; ``-p MODULE`` loads one explicitly. After loading,
``check_pending()`` makes a misspelt hook an error. A plugin that fails to import, implements a
hook wrongly or returns something invalid stops the run with its name in the error.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from ..errors import Location, RuleError, TimescalesError, UsageError
from . import hookspecs
from .model import Authority

ENTRY_POINT_GROUP = "timescales.plugins"
DISABLE_AUTOLOAD = "TIMESCALES_DISABLE_PLUGIN_AUTOLOAD"


class PluginError(TimescalesError):
    """A plugin could not be loaded or gave something invalid; ``plugin`` names it."""

    code = "E500"

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(f"plugin {plugin!r}: {message}")
        self.plugin = plugin


@dataclass
class Plugins:
    """A loaded plugin manager and where each plugin came from."""

    pm: pluggy.PluginManager
    distributions: dict[str, str] = field(default_factory=dict)  # plugin name -> "dist version"

    def authorities(self) -> list[tuple[str, Authority]]:
        """(plugin name, authority), sorted by authority name."""
        out: list[tuple[str, Authority]] = []
        for name, plugin in self._named():
            impl = getattr(plugin, "timescales_authorities", None)
            if impl is None:
                continue
            for item in _call(name, impl):
                if not isinstance(item, Authority):
                    raise PluginError(name, "timescales_authorities must return Authority items")
                out.append((name, item))
        seen: dict[str, str] = {}
        for plugin_name, authority in out:
            if authority.name in seen:
                raise PluginError(
                    plugin_name,
                    f"authority {authority.name!r} is also provided by {seen[authority.name]!r}",
                )
            seen[authority.name] = plugin_name
        return sorted(out, key=lambda pair: pair[1].name)

    def collect(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Every plugin's result for ``hook``, as (plugin name, result), in name order."""
        out = []
        for name, plugin in self._named():
            impl = getattr(plugin, hook, None)
            if impl is None:
                continue
            result = _call(name, impl, **kwargs)
            if result is not None:
                out.append((name, result))
        return out

    def _named(self) -> list[tuple[str, Any]]:
        pairs = [(self.pm.get_name(p) or repr(p), p) for p in self.pm.get_plugins()]
        # the built-in national plugin first, then the others by name: deterministic
        return sorted(pairs, key=lambda pair: (pair[0] != "national", pair[0]))


def _call(name: str, impl: Any, **kwargs: Any) -> Any:
    try:
        return impl(**kwargs)
    except TimescalesError:
        raise
    except Exception as exc:  # a broken plugin must not look like our bug
        raise PluginError(name, f"{impl.__name__} failed: {type(exc).__name__}: {exc}") from exc


def load_plugins(explicit: Sequence[str] = (), autoload: bool | None = None) -> Plugins:
    """The manager with the built-in plugin, entry-point plugins (unless disabled) and the
    modules named in ``explicit`` (as ``-p`` does)."""
    from . import builtin

    pm = pluggy.PluginManager("timescales")
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm)
    pm.register(builtin, name="national")
    if autoload is None:
        autoload = not os.environ.get(DISABLE_AUTOLOAD)
    if autoload:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
                continue
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginError(
                    ep.name, f"cannot be loaded: {type(exc).__name__}: {exc}"
                ) from exc
            _register(pm, module, ep.name)
            if ep.dist is not None:
                plugins.distributions[ep.name] = f"{ep.dist.name} {ep.dist.version}"
    for module_name in explicit:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise PluginError(
                module_name, f"cannot be imported: {type(exc).__name__}: {exc}"
            ) from exc
        if pm.get_plugin(module_name) is None and module not in pm.get_plugins():
            _register(pm, module, module_name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(name, str(exc)) from exc
    return plugins


def _register(pm: pluggy.PluginManager, module: Any, name: str) -> None:
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(name, str(exc)) from exc
    except ValueError as exc:
        raise PluginError(name, str(exc)) from exc


@dataclass
class Council:
    """Everything the selected council (or none) contributes to a run."""

    la: str | None
    packs: list[tuple[str, Path]] = field(default_factory=list)  # (plugin, directory)
    overrides: list[tuple[str, Path]] = field(default_factory=list)
    targets: list[tuple[str, Path]] = field(default_factory=list)
    closure_days: list[dt.date] = field(default_factory=list)
    terms: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    importers: dict[str, Any] = field(default_factory=dict)
    importer_plugins: dict[str, str] = field(default_factory=dict)  # format name -> plugin
    reporters: dict[str, Any] = field(default_factory=dict)
    event_types: dict[str, dict[str, type]] = field(default_factory=dict)
    local_plugins: set[str] = field(default_factory=set)  # plugins whose packs are local rules


def gather(plugins: Plugins, la: str | None) -> Council:
    """Ask every hook for the selected council's contributions, checking what comes back."""
    authorities = plugins.authorities()
    if la is not None:
        # a council's name ignores case (--la LANCASHIRE, Lancashire): hooks get its own name
        names = {a.name.casefold(): a.name for _, a in authorities}
        if la.casefold() not in names:
            known = ", ".join(a.name for _, a in authorities) or "none installed"
            raise UsageError(f"unknown local authority {la!r} (installed: {known})")
        la = names[la.casefold()]
    council = Council(la)
    for plugin, paths in plugins.collect("timescales_rule_packs", la=la):
        for path in _paths(plugin, paths, "timescales_rule_packs"):
            council.packs.append((plugin, path))
            if plugin != "national":
                council.local_plugins.add(plugin)
    for plugin, paths in plugins.collect("timescales_overrides", la=la):
        council.overrides += [(plugin, p) for p in _paths(plugin, paths, "timescales_overrides")]
    for plugin, paths in plugins.collect("timescales_targets", la=la):
        council.targets += [(plugin, p) for p in _paths(plugin, paths, "timescales_targets")]
    for plugin, days in plugins.collect("timescales_closure_days", la=la):
        council.closure_days += _dates(plugin, days)
    for plugin, terms in plugins.collect("timescales_term_dates", la=la):
        council.terms += _terms(plugin, terms)
    for plugin, importers in plugins.collect("timescales_importers", la=la):
        for name, importer in _mapping(plugin, importers, "timescales_importers").items():
            if name in council.importers:
                raise PluginError(
                    plugin,
                    f"input format {name!r} is also offered by {council.importer_plugins[name]!r}",
                )
            council.importers[name] = importer
            council.importer_plugins[name] = plugin
    for plugin, reporters in plugins.collect("timescales_reporters"):
        council.reporters.update(_mapping(plugin, reporters, "timescales_reporters"))
    owners = {a.name: p for p, a in authorities}
    for plugin, types in plugins.collect("timescales_event_types", la=la):
        for name, spec in _mapping(plugin, types, "timescales_event_types").items():
            prefix = name.split(".", 1)[0]
            if "." not in name or owners.get(prefix) != plugin:
                raise PluginError(
                    plugin, f"event type {name!r} must be namespaced with its own council name"
                )
            council.event_types[name] = dict(spec)
    return council


def _paths(plugin: str, value: Any, hook: str) -> list[Path]:
    if not isinstance(value, (list, tuple)):
        raise PluginError(plugin, f"{hook} must return a list of paths")
    out = []
    for item in value:
        path = Path(item)
        if not path.exists():
            raise PluginError(plugin, f"{hook} gave a path that does not exist: {path}")
        out.append(path)
    return out


def _dates(plugin: str, value: Any) -> list[dt.date]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in value
    ):
        raise PluginError(plugin, "timescales_closure_days must return a list of dates")
    return list(value)


def _terms(plugin: str, value: Any) -> list[tuple[dt.date, dt.date]]:
    out = []
    for item in value if isinstance(value, (list, tuple)) else [None]:
        if (
            not isinstance(item, (list, tuple))
            or len(item) != 2
            or not all(isinstance(d, dt.date) for d in item)
            or item[0] > item[1]
        ):
            raise PluginError(plugin, "timescales_term_dates must return (first, last) date pairs")
        out.append((item[0], item[1]))
    return out


def _mapping(plugin: str, value: Any, hook: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PluginError(plugin, f"{hook} must return a dict")
    return value


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            out.append(path)
    return out


def where(path: Path) -> Location:
    return Location(str(path))


__all__ = ["Council", "PluginError", "Plugins", "RuleError", "gather", "load_plugins"]
