"""Use cases over stored editions: the steps that read an edition's inputs from the store, compute
with the engine, the audit and insight, and (for the audit) store what they computed.

They sit directly above the store in the layers: they use it, and the NEV index, the portal, the
report and the CLI use them. The store itself only keeps and hands out rows.

- :func:`audit_edition`: run the statistical audit of a built draft and store its tables.
- :func:`compare_editions`: what changed between two editions and why.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submod_attrs={"audit": ["AUDIT_MAX_CELLS", "audit_edition"], "compare": ["compare_editions"]})
