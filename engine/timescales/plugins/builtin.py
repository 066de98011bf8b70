"""The built-in plugin (registered as ``national``): the national rule pack, through the same
hooks a council plugin uses."""

from __future__ import annotations

from pathlib import Path

from ..rules.loader import national_pack_dir
from . import hookimpl


@hookimpl
def timescales_rule_packs(la: str | None) -> list[Path]:
    return [Path(str(national_pack_dir()))]
