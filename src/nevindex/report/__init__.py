"""The annual NEV Brand Development Report: HTML and PDF, in English and Chinese.

``sources`` gathers an edition's inputs (store, files or the demonstration), ``model`` assembles the
report model (its types in ``types``, its sentences in ``findings``), ``charts`` draws the figures and
``render`` writes HTML or PDF. Submodules load on first use.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=["charts", "findings", "model", "render", "sources", "types"])
