"""The statistical audit: statistics, coherence, uncertainty and sensitivity (vectorised).

Entry point: :func:`run_audit` → :class:`AuditResult` (``.tables()``, ``.rank_intervals()``,
``.charts()``). The pieces are plain functions in ``stats``, ``coherence``, ``spec``,
``uncertainty`` and ``sensitivity``.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submod_attrs={
        "run": ["AuditResult", "run_audit"],
        "spec": ["UncertaintySpec", "load_spec", "spec_from_mapping"],
        "sampling": ["RespondentScores"],
    })
