"""The statistical audit: statistics, coherence, uncertainty and sensitivity (vectorised).

Entry point: :func:`run_audit` → :class:`AuditResult` (``.tables()``, ``.rank_intervals()``,
``.charts()``). The pieces are plain functions in ``stats``, ``coherence``, ``spec``,
``uncertainty`` and ``sensitivity``.
"""

from nevindex.audit.run import AuditResult, run_audit
from nevindex.audit.spec import UncertaintySpec, load_spec, spec_from_mapping

__all__ = ["AuditResult", "run_audit", "UncertaintySpec", "load_spec", "spec_from_mapping"]
