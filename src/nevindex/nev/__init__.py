"""The Global NEV Brand Evaluation Index: shipped methodology, data, editions and coverage rules.

``build_edition(year)`` / ``demo_editions()`` are the entry points other areas (store, report,
web) reuse: each returns the engine's Result plus the published coverage/rating table.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submod_attrs={
        "edition": ["EDITIONS", "Edition", "build_edition", "demo_editions", "nev_dataset", "nev_framework"],
    })
