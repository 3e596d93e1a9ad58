"""Brand insight: profiles, strengths and weaknesses, improvement levers, target-rank plans, peers.

Pure functions of a :class:`~nevindex.result.Result`; the CLI, report and portal call these.
(:mod:`nevindex.insight.change`, the year-over-year attribution, is imported on its own.)
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submod_attrs={
        "levers": ["Lever", "LeverSet", "LeverTable", "all_levers", "levers"],
        "peers": ["Peers", "similar_units"],
        "plan": ["Plan", "plan_to_rank"],
        "profile": ["Profile", "profile", "profiles", "strengths_weaknesses"],
        "whatif": ["WhatIf"],
    })
