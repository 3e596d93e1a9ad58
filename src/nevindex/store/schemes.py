"""Which definition made a stored methodology or recipe hash, so that a store made by an earlier
release keeps verifying (docs/editions.md, "Compatibility across releases").

From this release on, both hashes are over what was stored (``nevindex.canonical``): the
methodology's YAML mapping and the recipe's JSON mapping, so they check the stored bytes whatever
the engine makes of them. Releases up to 0.1.0 hashed differently, and their hashes are kept as they
were published (the activity log and receipts name them):

- a methodology's hash was a JSON dump of the methodology *model* (every setting, defaults
  included), so it depends on the model of the release that made it. It is reproduced from the
  stored text with this release's model, and, for release 0.1.0, with that dump put back into 0.1.0's
  shape (:func:`_as_release_010`: the recipe settings 0.1.0 had, under the names it had);
- a recipe's hash included the data year (then a method choice).

A hash no definition reproduces means the stored text was changed (or was stored by a release whose
hash this one does not know; the check says so).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from nevindex.canonical import methodology_sha256, recipe_sha256
from nevindex.errors import NevIndexError
from nevindex.framework import Framework, framework_from_mapping

__all__ = ["CONTENT", "methodology_scheme", "recipe_scheme"]

#: The description of this release's definition (the canonical form of what is stored).
CONTENT = "the canonical form of its stored text"
_MODEL = "the dump of this release's methodology model, as releases up to 0.1.0 hashed it"
_MODEL_010 = "the dump of release 0.1.0's methodology model, as release 0.1.0 hashed it"
_RECIPE_010 = "its settings with the data year, as releases up to 0.1.0 hashed them"


def methodology_scheme(text: str, digest: str, framework: Framework | None = None) -> str | None:
    """How ``digest`` was computed from the stored methodology ``text`` (None: no known definition
    gives it). ``framework``: the text as read, when the caller has it."""
    try:
        mapping = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(mapping, Mapping):
        return None
    try:
        if methodology_sha256(mapping) == digest:
            return CONTENT
    except TypeError:
        pass
    try:
        fw = framework if framework is not None else framework_from_mapping(mapping, source="<stored>", quiet=True)
    except NevIndexError:
        return None
    dump = fw.model_dump(mode="json")
    if methodology_sha256(dump) == digest:
        return _MODEL
    old = _as_release_010(dump, fw.recipe.year)
    if old is not None and methodology_sha256(old) == digest:
        return _MODEL_010
    return None


def recipe_scheme(stored: Mapping[str, Any], digest: str) -> str | None:
    """How ``digest`` was computed from an edition's stored recipe mapping (the data year beside the
    method choices); None: no known definition gives it."""
    choices = {k: v for k, v in stored.items() if k != "year"}
    if recipe_sha256(choices) == digest:
        return CONTENT
    if "year" in stored and recipe_sha256(stored) == digest:
        return _RECIPE_010
    return None


# --- release 0.1.0's methodology model ------------------------------------------------------------
# What changed in the recipe model since 0.1.0 (an on/off switch became a method; two settings were
# renamed; settings were added): new name → (0.1.0 name, value for each new value) and the added
# settings with the value that means "as 0.1.0 did".
_SWITCHES = {"denominate": {"divide": True, "none": False}, "screen": {"coverage": True, "none": False},
             "treat": {"winsorise": True, "none": False}}
_ADDED = {"impute": {"level": None, "normalise_first": True}, "weights": {"levels": None, "nodes": None, "sign": "as_is"}}


def _as_release_010(dump: Mapping[str, Any], year: int | None) -> dict[str, Any] | None:
    """A methodology model dump in release 0.1.0's shape (None if it uses a setting 0.1.0 lacked)."""
    out = copy.deepcopy(dict(dump))
    if out.pop("raw_indicators", None):  # how raw columns are collected: added after 0.1.0
        return None
    recipe = out.get("recipe")
    if not isinstance(recipe, dict):
        return None
    for step, values in _SWITCHES.items():
        section = recipe.get(step, {})
        if section.get("method") not in values:
            return None
        section["enabled"] = values[section.pop("method")]
    screen = recipe["screen"]
    screen["min_coverage"] = screen.pop("min_observed", 0.0)
    for step, added in _ADDED.items():
        section = recipe.get(step, {})
        for key, default in added.items():
            if section.pop(key, default) != default:
                return None
    aggregate = recipe.get("aggregate", {})
    for choice in (aggregate, *aggregate.get("by_level", {}).values(), *aggregate.get("by_node", {}).values()):
        choice["threshold"] = choice.pop("min_present", None)
        if choice.pop("missing", None) is not None:  # peer-filled missing children: added after 0.1.0
            return None
    recipe["year"] = year  # a recipe setting then
    return out
