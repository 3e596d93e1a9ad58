"""A Recipe holds every method choice of a build, so a build is ``f(framework, data, recipe)``.

Settings have dotted addresses (``"normalise.method"``, ``"treat.method"``,
``"aggregate.by_level.2.method"``) so what-if and uncertainty analysis can change one choice
and rebuild. Unknown methods, parameters or addresses are refused with the nearest valid name;
old names of settings are read under their new ones with a warning. Private modules: ``_steps``
(the settings of each step), ``_recipe`` (the recipe, addresses, reading), ``_aliases`` (old names).
"""

from nevindex.recipe._aliases import ALIASES, current_name, upgrade_mapping
from nevindex.recipe._recipe import Recipe, load_recipe, recipe_from_mapping
from nevindex.recipe._steps import (
    AGGREGATE_METHODS,
    AGGREGATE_PARAMS,
    DATA_DRIVEN_WEIGHTS,
    DENOMINATE_METHODS,
    IMPUTE_METHODS,
    NORMALISE_METHODS,
    NORMALISE_PARAMS,
    SCREEN_METHODS,
    TREAT_METHODS,
    WEIGHT_METHODS,
    AggregateSpec,
    AHPSpec,
    DenominateSpec,
    ImputeSpec,
    MethodChoice,
    NormaliseSpec,
    ScreenSpec,
    TreatSpec,
    WeightsSpec,
)
from nevindex.validation import nearest

__all__ = [
    "Recipe", "recipe_from_mapping", "load_recipe", "ALIASES", "current_name", "upgrade_mapping",
    "DenominateSpec", "ScreenSpec", "ImputeSpec", "TreatSpec", "NormaliseSpec", "AHPSpec", "WeightsSpec",
    "MethodChoice", "AggregateSpec",
    "DENOMINATE_METHODS", "SCREEN_METHODS", "IMPUTE_METHODS", "TREAT_METHODS", "NORMALISE_METHODS",
    "NORMALISE_PARAMS", "WEIGHT_METHODS", "DATA_DRIVEN_WEIGHTS", "AGGREGATE_METHODS", "AGGREGATE_PARAMS",
    "nearest",
]
