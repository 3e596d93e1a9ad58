"""Global NEV Brand Evaluation Index and a general composite-indicator engine."""

__version__ = "0.1.0"
