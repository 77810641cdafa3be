"""The version of the ``actionlogkit`` distribution (kept equal to ``pyproject.toml``'s)."""

__version__ = "0.1.0"
