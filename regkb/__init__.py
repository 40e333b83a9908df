"""regkb: regulatory knowledge base for responsible business conduct."""

__version__ = "0.1.0"
