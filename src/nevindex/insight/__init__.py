"""Brand insight: profiles, strengths and weaknesses, improvement levers, target-rank plans, peers.

Pure functions of a :class:`~nevindex.result.Result`; the CLI, report and portal call these.
(:mod:`nevindex.insight.change`, the year-over-year attribution, is imported on its own.)
"""

from nevindex.insight.levers import Lever, LeverSet, LeverTable, all_levers, levers
from nevindex.insight.peers import Peers, similar_units
from nevindex.insight.plan import Plan, plan_to_rank
from nevindex.insight.profile import Profile, profile, profiles, strengths_weaknesses
from nevindex.insight.whatif import WhatIf

__all__ = ["Lever", "LeverSet", "LeverTable", "Peers", "Plan", "Profile", "WhatIf", "all_levers", "levers",
           "plan_to_rank", "profile", "profiles", "similar_units", "strengths_weaknesses"]
