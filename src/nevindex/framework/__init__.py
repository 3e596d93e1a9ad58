"""The methodology file (the "standard"): a validated tree of indicators and aggregates.

A framework says *what* is measured and how it hangs together; a :class:`~nevindex.recipe.Recipe`
says *how* it is computed. A framework may embed its default recipe, so one versioned YAML file
is the whole methodology. Two readers produce the same :class:`Framework`: our YAML format and
COINr's ``iMeta`` table, so indices built with that tool can move here unchanged. One job per
private module: ``_model`` (the model and its derived views), ``_tree`` (structural rules),
``_readers`` (YAML and mappings), ``_imeta`` (COINr), ``_files`` (a file of either kind), ``_collection`` (how raw columns are collected), ``_translations`` (``key_zh`` texts).
"""

from nevindex.framework._collection import COLLECTIONS, Bounds, Computed, RawIndicator
from nevindex.framework._files import load_framework
from nevindex.framework._imeta import IMETA_COLUMNS, framework_from_imeta
from nevindex.framework._model import (
    CODE_PATTERN,
    Aggregate,
    Framework,
    FrameworkInfo,
    Indicator,
    Names,
    Node,
    RatingBand,
)
from nevindex.framework._readers import framework_from_mapping, framework_from_yaml
from nevindex.framework._translations import TRANSLATION_SUFFIX, meta_text

__all__ = [
    "Aggregate", "Bounds", "COLLECTIONS", "Computed", "Framework", "FrameworkInfo", "Indicator", "Names", "Node", "RatingBand", "RawIndicator",
    "CODE_PATTERN", "IMETA_COLUMNS", "TRANSLATION_SUFFIX",
    "framework_from_imeta", "framework_from_mapping", "framework_from_yaml", "load_framework", "meta_text",
]
