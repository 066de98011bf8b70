"""The built-in rule kinds, one module each, registered here in the order the loader lists
them. A new kind is one module with a ``Kind`` (``rules.registry``) and one line below."""

from ..rules.registry import REGISTRY
from . import attribute, deadline, milestone, rolling, schedule, workforce

__all__ = ["REGISTRY"]

REGISTRY.register(deadline.KIND)
REGISTRY.register(schedule.KIND)
REGISTRY.register(milestone.KIND)
REGISTRY.register(attribute.KIND)
REGISTRY.register(rolling.KIND)
for _kind in workforce.KINDS:
    REGISTRY.register(_kind)
