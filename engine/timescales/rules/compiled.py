"""A pack's validated rules, kept in the user's cache: a rule file whose text and council
settings are unchanged is not validated again (the precompiled pack).

Validating a file's data into its kind's pydantic model first builds the validators of every
kind (the rule models are built on first use), which is most of what loading the national pack
costs once its YAML is cached (``rules.parsed``). The model a file gives is a function of its
text, the values of the settings it declares, its source label, and the models' code. So each
pack directory has one file here mapping (SHA-256 of the text, those setting values, the label)
to the model object, stored under a key naming pydantic's version, the Python version and the
source of every module that defines a registered kind's model (place, size and modification
time); a changed kind, plugin kind or pydantic is a miss for the whole pack. Only a validated
rule or an unsettled one is kept: a file that fails is validated (and fails) every time, so
its error and line are what they were.

The objects are kept with ``pickle``, which runs code when read. So the file is read only if
nobody but the user could have written it: on POSIX, a regular file owned by the user and
writable by nobody else, in a directory owned by the user and writable by nobody else.
Anything else (another owner, loose permissions, a corrupt or stale file) is a miss, and the
rules are validated as always.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import usercache
from .parsed import _NotPlain, _parser_key, _stat, encode

__all__ = ["CompiledPack"]

FORMAT = 1
PREFIX = "rules-"
SUFFIX = ".pickle"
KEEP = 32


def _model_sources() -> list[Any] | None:
    """Place, size and modification time of this package's rule modules and of every module
    defining a registered kind's model (and its bases); None when one cannot be read."""
    from .registry import REGISTRY

    here = Path(__file__).parent
    files = {str(here / name) for name in os.listdir(here) if name.endswith(".py")}
    for kind in REGISTRY:
        for cls in kind.model.__mro__:
            path = getattr(sys.modules.get(cls.__module__), "__file__", None)
            if path:
                files.add(str(path))
    try:
        return [_stat(path) for path in sorted(files)]
    except OSError:
        return None


def _pack_key() -> list[Any] | None:
    """What the models depend on besides a file's text: the parser's key (the loader's source
    and PyYAML's, ``rules.parsed``), pydantic, Python, the kinds and their models' sources."""
    import pydantic

    from .registry import REGISTRY

    parser = _parser_key()
    sources = _model_sources()
    if parser is None or sources is None:
        return None
    version = list(sys.version_info[:3])
    return [FORMAT, pydantic.VERSION, version, list(REGISTRY.names()), parser, sources]


def _private(path: Path) -> bool:
    """True when ``path`` is a regular file that only the user could have written."""
    if os.name != "posix":
        return False
    try:
        uid = os.getuid()
        for node, regular in ((path, True), (path.parent, False)):
            st = os.lstat(node)
            if st.st_uid != uid or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
            if regular and not stat.S_ISREG(st.st_mode):
                return False
    except OSError:
        return False
    return True


def _read(name: str) -> Any:
    path = usercache.cache_dir() / name
    if not _private(path):
        return None
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - the user's own file (see _private)
    except Exception:  # any unreadable cache file is only a miss
        return None


def _write(name: str, data: Any) -> bool:
    try:
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an object that does not pickle is not kept
        return False
    directory = usercache.cache_dir()
    with contextlib.suppress(OSError):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return usercache.write_bytes(name, blob)


class CompiledPack:
    """The validated rules of one pack directory: ``get`` before validating a file's data,
    ``put`` after, ``save`` when the directory has been read (written only if it changed)."""

    def __init__(self, directory: object) -> None:
        self._key = _pack_key()
        digest = hashlib.sha256(str(directory).encode("utf-8", "surrogatepass")).hexdigest()
        self._name = PREFIX + digest[:32] + SUFFIX
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        if self._key is None:
            return
        data = _read(self._name)
        if isinstance(data, dict) and data.get("key") == self._key:
            rules = data.get("rules")
            if isinstance(rules, dict):
                self._old = rules

    @staticmethod
    def entry(
        text: str, names: Mapping[str, str], settings: Mapping[str, Any], source: str
    ) -> str | None:
        """The key of a file's model: its text, the values of the settings it declares (given
        or not), and its source label; None when a value is not plain data."""
        try:
            given = [
                [n, encode(settings[n])] if n in settings else [n] for n in sorted(names.values())
            ]
        except (_NotPlain, RecursionError):
            return None
        blob = repr((text, given, source)).encode("utf-8", "surrogatepass")
        return hashlib.sha256(blob).hexdigest()

    def get(self, entry: str | None) -> Any:
        """The model (or ``Unsettled``) kept for ``entry``, or None."""
        if self._key is None or entry is None:
            return None
        found = self._old.get(entry)
        if found is not None:
            self._new[entry] = found
        return found

    def put(self, entry: str | None, rule: Any) -> None:
        if self._key is None or entry is None:
            return
        self._new[entry] = rule

    def save(self) -> None:
        """Keep the models of the files read this time (written only when they changed)."""
        if self._key is None or self._new.keys() == self._old.keys():
            return
        if _write(self._name, {"key": self._key, "rules": self._new}):
            usercache.prune(PREFIX, KEEP, suffix=SUFFIX)
