"""The portal's only door to the data: editions from the store, profiles from insight, what-if by
the engine. Routes and templates call this module and nothing below it.

The work is split by job into private modules (scikit-learn's pattern); this facade keeps the
import path every caller uses:

- :mod:`~nevindex.web._caching`: bounded in-memory caches (cachetools) and HTTP cache headers;
- :mod:`~nevindex.web._views`: one edition prepared for display (:class:`EditionView`, ranking rows);
- :mod:`~nevindex.web._ranking`: filter, sort and page the ranking;
- :mod:`~nevindex.web._editions`: which edition a reference means, and its cached view;
- :mod:`~nevindex.web._reads`: what the public portal and API read;
- :mod:`~nevindex.web._admin`: what analysts change.
"""

from __future__ import annotations

from nevindex.web._admin import AdminWrites, methodology_source
from nevindex.web._caching import REF_TTL, Memo
from nevindex.web._editions import LATEST
from nevindex.web._ranking import SORT_KEYS, RankingQuery, ranking_page
from nevindex.web._reads import DOWNLOAD_TYPES, MAX_WHATIF_CHANGES, PER_RUN_TABLES
from nevindex.web._views import NOT_GROUPS, EditionView, group_columns, names, num, rank_int, ranking_rows

__all__ = ["DOWNLOAD_TYPES", "LATEST", "MAX_WHATIF_CHANGES", "NOT_GROUPS", "PER_RUN_TABLES", "REF_TTL", "SORT_KEYS",
           "EditionView", "Memo", "Portal", "RankingQuery", "group_columns", "methodology_source", "names", "num",
           "rank_int", "ranking_page", "ranking_rows"]


class Portal(AdminWrites):
    """Read and administer editions in one store; the only object routes talk to."""
