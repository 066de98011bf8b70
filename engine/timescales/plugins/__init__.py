"""Local-authority plugins: hook specifications (``hookspecs``), the manager that loads and
checks plugins (``manager``), and councils' overrides and targets (``model``, ``overrides``).

A council plugin implements hooks marked with :data:`hookimpl`::

    from timescales.plugins import hookimpl

    @hookimpl
    def timescales_authorities():
        return [Authority(name="lancashire", title="Lancashire County Council")]
"""

import pluggy

from .model import Authority, Override, Target

hookimpl = pluggy.HookimplMarker("timescales")

__all__ = ["Authority", "Override", "Target", "hookimpl"]
