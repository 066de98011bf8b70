"""A cache of what ``rules list`` and ``rules show`` print, so that they start fast.

Loading a rule pack parses and validates every rule file (pydantic models, the kind registry,
the council's overrides): most of a quarter of a second before anything is printed. The rows
``rules list`` prints and the pages ``rules show`` prints are a function of

- this package's version and its own source files (size and modification time of each),
- the plugin set: the ``-p`` modules named and the source files of each (size and
  modification time), and unless autoloading is off the installed ``timescales.plugins``
  entry points (name, module, distribution and version) and the source files of each
  plugin's package,
- the council asked for (``--la``),
- the content of every file under the rule packs, override and target paths the plugins gave
  (a SHA-256 of each, with its path), recorded when the entry was written and checked again
  on every use.

So an entry is found by a key over the package, the ``-p`` modules, the council and the state
of the directories on ``sys.path`` (the modification time of each: installing, upgrading or
removing a distribution adds or removes its metadata directory there, which is how entry points
are found; reading them costs more than the rest of a hit), and used only while the
installed plugins' source files and the digest of the rule files still match what the entry
recorded; a council's edit to a rule file, a new rule file, an edited or newly installed
plugin or a new version is a miss, and the command loads the packs as it always did and writes
the entry again. An entry that cannot be read or does not parse (a corrupt or truncated file)
is a miss too; a cache directory that cannot be written is only slower. Errors are never
cached: a miss that fails says so as before. A plugin's hooks are taken to depend on its code
and files alone (they are given the council's name and nothing else).

Entries live in the user's cache directory (``usercache``: ``$TIMESCALES_CACHE_DIR``, else
``$XDG_CACHE_HOME/timescales``, else ``~/.cache/timescales``; never inside the package), one JSON
file each; the oldest entries beyond ``KEEP`` are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import usercache
from .version import __version__

__all__ = [
    "CACHE_DIR_ENV",
    "Entry",
    "cache_dir",
    "key",
    "lookup",
    "save",
    "sources_digest",
]

CACHE_DIR_ENV = usercache.CACHE_DIR_ENV
# as plugins.manager: installed plugins are not loaded when this is set
DISABLE_AUTOLOAD = "TIMESCALES_DISABLE_PLUGIN_AUTOLOAD"
ENTRY_POINT_GROUP = "timescales.plugins"
FORMAT = 1  # the entry's own layout; a change makes every older entry a miss
KEEP = 32  # entries kept; the least recently written beyond this are removed
PREFIX = "rules-"

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Where entries live (``usercache.cache_dir``)."""
    return usercache.cache_dir()


@dataclass
class Entry:
    """What the commands print, for one key: the council's own name (``--la`` as the plugin
    spells it), the rows of ``rules list`` (``api.rule_rows``), the pages of ``rules show``
    printed so far (rule id -> text), the pack, override and target paths and their digest."""

    la: str | None
    rows: list[dict[str, Any]]
    sources: list[str]
    digest: str
    shown: dict[str, str] = field(default_factory=dict)
    plugins: list[Any] = field(default_factory=list)  # the installed plugins when written


def _tree_stat(root: Path, suffixes: tuple[str, ...] = (".py",)) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of each file under ``root`` with one of ``suffixes``,
    sorted; a module that is one file gives that file alone."""
    out: list[tuple[str, int, int]] = []
    if root.is_file():
        st = root.stat()
        return [(root.name, st.st_size, st.st_mtime_ns)]
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in files:
            if name.endswith(suffixes):
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    st = os.stat(path)
                    out.append((os.path.relpath(path, root), st.st_size, st.st_mtime_ns))
    return sorted(out)


class _Unknown(Exception):
    """A plugin whose source cannot be found on disk (a module built in memory): what its
    hooks give cannot be keyed, so nothing is cached for that plugin set."""


def _module_files(module: str) -> list[Any]:
    """Where a plugin module's top-level package is and the state of its source files, found
    without importing it (``importlib.util.find_spec`` on a top-level name imports nothing)."""
    import importlib.util

    top = module.split(".", 1)[0]
    if top in sys.modules and getattr(sys.modules[top], "__spec__", None) is None:
        raise _Unknown(top)  # put there by hand: its source is not known
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        # not importable: loading the plugins says so (never cached: an error)
        return [top, "not found"]
    if spec.submodule_search_locations:
        roots = [Path(p) for p in spec.submodule_search_locations]
    elif spec.origin and os.path.isfile(spec.origin):
        roots = [Path(spec.origin)]
    else:
        raise _Unknown(top)
    return [top, *([str(r.resolve()), _tree_stat(r)] for r in roots)]


def _entry_points() -> list[Any]:
    from importlib import metadata

    out: list[Any] = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else None
        out.append([ep.name, ep.value, dist, _module_files(ep.value)])
    return out


def key(la: str | None, plugins: Sequence[str], autoload: bool | None = None) -> str | None:
    """The key of the entry for ``--la`` ``la`` with the ``-p`` modules ``plugins``: the
    package's version and source files, the plugin set and the council (see the module's
    docstring); None when a plugin's source is not on disk (then nothing is cached). Reading
    it imports no plugin."""
    if autoload is None:
        autoload = not os.environ.get(DISABLE_AUTOLOAD)
    try:
        parts = [
            FORMAT,
            __version__,
            sys.version_info[:2],
            str(PACKAGE_DIR),
            _tree_stat(PACKAGE_DIR, (".py", ".pyi")),
            la.casefold() if la is not None else None,
            ["autoload", _path_state()] if autoload else "no autoload",
            [[name, _module_files(name)] for name in plugins],
        ]
    except (_Unknown, OSError):
        return None
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


def _path_state() -> list[Any]:
    """Each ``sys.path`` entry with its modification time (None where there is none)."""
    out: list[Any] = []
    for entry in sys.path:
        try:
            out.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            out.append([entry, None])
    return out


def _installed(autoload: bool | None) -> list[Any]:
    """The installed plugins as the entry records them (none when autoloading is off)."""
    if autoload is None:
        autoload = not os.environ.get(DISABLE_AUTOLOAD)
    return orjson.loads(orjson.dumps(_entry_points())) if autoload else []


def _same_plugins(recorded: Any) -> bool:
    """The installed plugins' source files are as the entry recorded them."""
    if not isinstance(recorded, list):
        return False
    try:
        for name, value, dist, files in recorded:
            del name, dist
            now = orjson.loads(orjson.dumps(_module_files(value)))
            if now != files:
                return False
    except (_Unknown, OSError, TypeError, ValueError):
        return False
    return True


def sources_digest(paths: Iterable[str | Path]) -> str:
    """A SHA-256 over every file under ``paths`` (rule packs, override and target paths): each
    file's path and content, in a fixed order; a path that is missing counts as missing."""
    digest = hashlib.sha256()
    for given in paths:
        root = Path(given)
        digest.update(f"\0source {root}\0".encode())
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(
                p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
        else:
            digest.update(b"missing")
            continue
        for path in files:
            digest.update(f"\0file {path.relative_to(root) if path != root else ''}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _name(cache_key: str) -> str:
    return f"{PREFIX}{cache_key[:40]}.json"


def lookup(cache_key: str) -> Entry | None:
    """The entry for ``cache_key`` if there is one, it reads as one, and the files it was made
    from are unchanged; otherwise None (the caller loads the packs and calls ``save``)."""
    data = usercache.read(_name(cache_key))
    try:
        if data.get("format") != FORMAT or data.get("key") != cache_key:
            return None
        entry = Entry(
            la=data["la"],
            rows=data["rows"],
            sources=data["sources"],
            digest=data["digest"],
            shown=data["shown"],
            plugins=data["plugins"],
        )
        if not (
            (entry.la is None or isinstance(entry.la, str))
            and isinstance(entry.rows, list)
            and all(isinstance(row, dict) for row in entry.rows)
            and isinstance(entry.sources, list)
            and all(isinstance(s, str) for s in entry.sources)
            and isinstance(entry.shown, dict)
            and all(isinstance(v, str) for v in entry.shown.values())
        ):
            return None
        if not _same_plugins(entry.plugins):
            return None
        if sources_digest(entry.sources) != entry.digest:
            return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return entry


def save(cache_key: str, entry: Entry, autoload: bool | None = None) -> bool:
    """Write the entry, with the installed plugins as they are now (best effort: False when
    the cache directory cannot be written, or a plugin's source cannot be found)."""
    try:
        entry.plugins = _installed(autoload)
    except (_Unknown, OSError):
        return False
    data = {
        "format": FORMAT,
        "key": cache_key,
        "la": entry.la,
        "rows": entry.rows,
        "sources": entry.sources,
        "digest": entry.digest,
        "shown": entry.shown,
        "plugins": entry.plugins,
    }
    if not usercache.write(_name(cache_key), data):
        return False
    usercache.prune(PREFIX, KEEP)
    return True
