"""The workforce: worker records judged against the workforce rules (``kinds.workforce``).

``evaluate`` gives each worker's findings (supervision, induction, training evaluated);
``caseloads`` counts children per worker month by month; ``targets`` counts recruitment;
``summary`` puts them together as the aggregates' ``workforce`` section.
"""

from .caseloads import Caseloads, iro_rows, snapshot_dates
from .evaluate import evaluate, worker_findings
from .summary import Workforce
from .targets import target_rows

__all__ = [
    "Caseloads",
    "Workforce",
    "evaluate",
    "iro_rows",
    "snapshot_dates",
    "target_rows",
    "worker_findings",
]
