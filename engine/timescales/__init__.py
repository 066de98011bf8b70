"""timescales: check English children's social care case records against statutory timescales."""

__version__ = "0.1.0"
