"""Global NEV Brand Evaluation Index and a general composite-indicator engine."""

__version__ = "0.2.0"

__all__ = ["__version__"]
