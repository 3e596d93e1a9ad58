"""``build(framework, dataset, recipe) -> Result``: the whole pipeline, one plain function.

Steps run in the order of METHODS.md (denominate → screen → impute → treat → normalise →
weights → aggregate → rank). The arithmetic lives in :mod:`nevindex.methods`; this package
chooses what to call on which columns, turns kernel errors (positions) into errors that name
units and indicators, and records every choice in the log. One job per private module:
``_pipeline`` (the order of the steps), ``_steps`` (denominate … normalise), ``_weights``,
``_tree`` (aggregation), ``_checks`` (input checks, preflight, error names).
"""

from nevindex.build._checks import Preflight, check_inputs, preflight
from nevindex.build._pipeline import build
from nevindex.build._steps import indicator_groups, normalise_matrix, treat_settings
from nevindex.build._tree import aggregate_tree, observed_shares
from nevindex.build._weights import resolve_weights

__all__ = ["build", "check_inputs", "preflight", "Preflight", "normalise_matrix", "resolve_weights",
           "aggregate_tree", "observed_shares", "treat_settings", "indicator_groups"]
