"""What the council's own codes mean, for the SSD importer: involvement roles and health checks.

``ssd_involvements.invo_professional_role_id`` holds the case system's own involvement type: a
code (Liquidlogic's ``CW``, ``IRO``, ``16PLUS``...) or, from the deployed Liquidlogic script,
its description (``ALLOCATED CASE WORKER``). The SSD fixes no code list, so the meaning of each
value is configuration: ``DEFAULT_ROLES`` holds Liquidlogic's common codes and descriptions, and
a council gives its own map as a mapping (``SsdImporter(roles=...)``, e.g. from a plugin) or in
the ``TIMESCALES_SSD_ROLES`` environment variable: a path to a JSON or YAML file holding
``{"code": "meaning"}``, or inline ``CODE=meaning;CODE=meaning``. Codes are compared
case-insensitively with runs of spaces collapsed. Meanings:

* ``iro``: an independent reviewing officer: each involvement is an ``iro_assigned`` event;
* ``social_worker``: the allocated social worker: the one open at as_of gives ``worker`` and
  ``team`` on the record;
* ``team_manager``, ``family_support_worker``: a worker of that role (``records.WORKER_ROLES``):
  the involvement is an ``allocation`` on the worker's record, and nothing on the child's;
* ``ignore``: a known role no rule uses (a personal adviser...): not reported, and no allocation.

Every involvement of a mapped role (all but ``ignore``) with a professional id is also an
``allocation`` event on that professional's worker record, in that role (docs/importers/ssd.md,
"Worker records"). A professional's own role is the job title's meaning when the council maps
job titles (``SsdImporter(job_titles=...)`` or ``TIMESCALES_SSD_JOB_TITLES``, in the same forms
as the role map; ``prof_professional_job_title`` is free text, so there is no default), else the
role of most of their involvements.

Any other value is reported once per run with its row count (DATA044), so that a council can see
which codes its map lacks. ``ssd_cla_health.clah_health_check_type`` is free text: the patterns
in ``HEALTH_TYPES`` sort it into health assessments (initial, review, or not said) and dental
checks; other checks (optician, immunisation...) are not events.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..errors import UsageError
from ..records import ROLE_PATTERN, WORKER_ROLES

ROLES_ENV = "TIMESCALES_SSD_ROLES"
JOB_TITLES_ENV = "TIMESCALES_SSD_JOB_TITLES"
# the worker roles an involvement can stand for, and ``ignore``
MEANINGS = frozenset({*WORKER_ROLES, "ignore"})
_ROLE = re.compile(ROLE_PATTERN)

# Liquidlogic (LCS) involvement types: the codes (FACT_INVOLVEMENTS.
# DIM_LOOKUP_INVOLVEMENT_TYPE_CODE) and the descriptions the deployed SSD script writes (..._DESC)
DEFAULT_ROLES: Mapping[str, str] = {
    "IRO": "iro",
    "INDEPENDENT REVIEWING OFFICER": "iro",
    "CW": "social_worker",
    "ALLOCATED CASE WORKER": "social_worker",
    "ALLOCATED SOCIAL WORKER": "social_worker",
    "16PLUS": "ignore",  # leaving-care personal adviser
}

_SPACES = re.compile(r"\s+")


def normalise(code: str) -> str:
    return _SPACES.sub(" ", code.strip()).upper()


def role_map(roles: Mapping[str, str] | None = None) -> dict[str, str]:
    """The role map in force: the given mapping, else ``TIMESCALES_SSD_ROLES``, else the default.
    Raises UsageError for a meaning that is no worker role (``MEANINGS``) nor ignore."""
    if roles is None:
        text = os.environ.get(ROLES_ENV, "").strip()
        roles = _from_env(text) if text else DEFAULT_ROLES
    out: dict[str, str] = {}
    for code, meaning in roles.items():
        want = str(meaning).strip().lower()
        if want not in MEANINGS:
            raise UsageError(
                f"SSD role map: {code!r} maps to {meaning!r}; a meaning is one of "
                + ", ".join(sorted(MEANINGS))
            )
        out[normalise(str(code))] = want
    return out


def job_title_map(titles: Mapping[str, str] | None = None) -> dict[str, str]:
    """The council's job title -> worker role map: the given mapping, else
    ``TIMESCALES_SSD_JOB_TITLES``, else none. A role is a worker role (``social_worker``,
    ``iro``...) or a council's own (lower case, ``a-z0-9_.``); UsageError otherwise."""
    if titles is None:
        text = os.environ.get(JOB_TITLES_ENV, "").strip()
        titles = _from_env(text, JOB_TITLES_ENV) if text else {}
    out: dict[str, str] = {}
    for title, role in titles.items():
        want = str(role).strip().lower()
        if not _ROLE.fullmatch(want):
            raise UsageError(
                f"SSD job title map: {title!r} maps to {role!r}; a role is lower case letters, "
                "digits, '_' and '.' (social_worker, iro, team_manager...)"
            )
        out[normalise(str(title))] = want
    return out


def _from_env(text: str, env: str = ROLES_ENV) -> Mapping[str, str]:
    path = Path(text)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise UsageError(f"{env}: cannot read {text!r}: {exc.strerror}") from None
        try:
            data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
        except (ValueError, yaml.YAMLError):
            raise UsageError(f"{env}: {text!r} is not valid JSON/YAML") from None
        if not isinstance(data, dict):
            raise UsageError(f"{env}: {text!r} must hold a mapping of code to meaning")
        return {str(k): str(v) for k, v in data.items()}
    out: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        code, sep, meaning = part.partition("=")
        if not sep or not code.strip():
            raise UsageError(f"{env}: expected CODE=meaning;CODE=meaning, or a .json/.yaml file")
        out[code] = meaning
    return out


# ----------------------------------------------------------------------------- health checks

# (pattern, event type, kind): the first match wins; kind None = not said (inferred by order)
HEALTH_TYPES: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"dental|dentist", re.I), "dental_check", None),
    (re.compile(r"\bIHA\b|initial\s+health", re.I), "health_assessment", "initial"),
    (re.compile(r"\bRHA\b|review\s+health|health\s+review", re.I), "health_assessment", "review"),
    (re.compile(r"health\s*(assessment|check)|medical", re.I), "health_assessment", None),
)

# clah_health_check_status values that mean the check took place (blank counts too)
DONE_STATUS = re.compile(r"^\s*(complete|completed|done|held|attended)\s*$", re.I)


def health_event(check_type: str | None) -> tuple[str, str | None] | None:
    """(event type, kind) for a health check type, or None when it is neither a health
    assessment nor a dental check."""
    if not check_type:
        return None
    for pattern, etype, kind in HEALTH_TYPES:
        if pattern.search(check_type):
            return etype, kind
    return None
