"""Hook specifications: every way a plugin can change what timescales does, in one module.

Hooks are grouped in the order a run calls them. A council plugin implements the hooks it needs
with ``@timescales.plugins.hookimpl`` and is registered under the ``timescales.plugins`` entry
point (or loaded with ``-p MODULE``). Built-in behaviour (the national pack, the canonical and
DfE importers) is registered through the same manager as the plugin named ``national``.

Council-specific hooks receive ``la``, the council selected for the run (``--la``); a council's
plugin returns its contributions only when ``la`` is its own name, so installing several
councils' plugins never mixes their standards. Every hook here collects all results (none is
first-result): the manager flattens the lists in registration order, then by plugin name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ..contract import Importer
    from .model import Authority

hookspec = pluggy.HookspecMarker("timescales")

# -------------------------------------------------------------------------------------------
# Initialisation: who is installed
# -------------------------------------------------------------------------------------------


@hookspec
def timescales_authorities() -> list[Authority]:
    """Declare the councils (local authorities) this plugin provides.

    Called once when plugins load, for ``--la`` validation and ``timescales plugins list``.

    :returns: a list of :class:`timescales.plugins.Authority` (name, title, description); the
        name is what ``--la`` takes and the namespace of the council's event types.
    """


@hookspec
def timescales_event_types(la: str | None) -> dict[str, dict[str, type]]:
    """Add event types (with their attribute schema) that the council's records carry.

    Called while building the record schema and the rule set.

    :param la: the selected council, or None when no council is selected.
    :returns: ``{"lancashire.iro_agreement": {"iro": str}, ...}``; every name must start with
        the council's own name and a dot (national types are never redefined).
    """


# -------------------------------------------------------------------------------------------
# Rules: packs, overrides, targets
# -------------------------------------------------------------------------------------------


@hookspec
def timescales_rule_packs(la: str | None) -> list[Path]:
    """Directories of rule YAML files to load through the strict loader.

    The built-in ``national`` plugin returns the national pack for every run; a council returns
    its own pack only when ``la`` is its name. A rule ID defined twice stops the run, naming
    both plugins.

    :param la: the selected council, or None.
    :returns: a list of directories.
    """


@hookspec
def timescales_overrides(la: str | None) -> list[Path]:
    """Overrides of national rules, as named, cited exceptions (YAML files or directories).

    Each override names the rule, the parameter (``limit``), the new value, its citation (the
    council's own procedure) and its effective dates. One that makes any due date later than
    the national rule's is refused unless it declares ``relaxes: true`` with a ``reason``.
    Findings made under an override carry ``national_due`` and ``override``.

    :param la: the selected council, or None (then return nothing).
    :returns: a list of files or directories of override YAML.
    """


@hookspec
def timescales_targets(la: str | None) -> list[Path]:
    """Local performance targets for aggregate measures (YAML files or directories), e.g.
    "90% of LA005 on time"; the run compares each with the measured rate.

    :param la: the selected council, or None.
    :returns: a list of files or directories of target YAML.
    """


# -------------------------------------------------------------------------------------------
# Calendar: closure days, school terms
# -------------------------------------------------------------------------------------------


@hookspec
def timescales_closure_days(la: str | None) -> list[dt.date]:
    """Days the council's offices are closed, on top of bank holidays.

    They move only the council's own local rules, never a national rule (statutory working
    days are Monday to Friday less bank holidays).

    :param la: the selected council, or None.
    :returns: a list of dates.
    """


@hookspec
def timescales_term_dates(la: str | None) -> list[tuple[dt.date, dt.date]]:
    """School terms as (first day, last day), for rules counted in terms (LA012).

    Without any, such rules are inactive and the run says so once.

    :param la: the selected council, or None.
    :returns: a list of (first day, last day) pairs.
    """


# -------------------------------------------------------------------------------------------
# Input and output
# -------------------------------------------------------------------------------------------


@hookspec
def timescales_importers(la: str | None) -> dict[str, Importer]:
    """Importers for other input formats (a council's case-system exports).

    :param la: the selected council, or None. Importers are offered whatever the council, so
        that ``--input-format`` can name them; keep names unique (``exampleborough-visits``).
    :returns: ``{format name: importer}``; see :class:`timescales.importers.Importer`.
    """


@hookspec
def timescales_reporters() -> dict[str, Any]:
    """Extra output formats for ``check --format``.

    :returns: ``{format name: callable(findings, out) -> int}`` writing findings to a text
        stream and returning how many it wrote.
    """
