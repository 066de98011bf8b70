"""The HTTP service (``timescales serve``): FastAPI routes over one compiled rule set.

Needs the ``service`` extra: ``pip install "timescales[service]"``.
"""

from __future__ import annotations

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
