"""The Recipe, its dotted setting addresses, and reading it from mappings and files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from nevindex.canonical import recipe_sha256
from nevindex.errors import RecipeError
from nevindex.io import read_yaml_mapping
from nevindex.recipe._aliases import new_address, old_value, upgrade_mapping, warn_year
from nevindex.recipe._steps import (
    AggregateSpec,
    DenominateSpec,
    ImputeSpec,
    NormaliseSpec,
    ScreenSpec,
    TreatSpec,
    WeightsSpec,
)
from nevindex.validation import StrictModel, nearest, validate


class Recipe(StrictModel):
    """Every method choice of one build. The default is a plain, documented baseline."""

    #: Old setting: the year of data to build is an argument of ``build`` (``year=``), not a method
    #: choice. Still read from old files (with a warning); never written, not in the hash.
    year: int | None = Field(default=None, exclude=True)
    denominate: DenominateSpec = Field(default_factory=DenominateSpec)
    screen: ScreenSpec = Field(default_factory=ScreenSpec)
    impute: ImputeSpec = Field(default_factory=ImputeSpec)
    treat: TreatSpec = Field(default_factory=TreatSpec)
    normalise: NormaliseSpec = Field(default_factory=NormaliseSpec)
    weights: WeightsSpec = Field(default_factory=WeightsSpec)
    aggregate: AggregateSpec = Field(default_factory=AggregateSpec)

    def sha256(self) -> str:
        """Hash of every method choice as the store keeps them (``nevindex.canonical.recipe_sha256``)."""
        return recipe_sha256(self.model_dump(mode="json"))

    def get(self, address: str) -> Any:
        """Value at a dotted address, e.g. ``recipe.get("normalise.method")``."""
        parts = _split(address)
        if parts == ["year"]:
            return self.year
        new, _ = new_address(parts, writing=False)
        node: Any = self.model_dump(mode="python")
        for part in new:
            node = _descend(node, part, address)
        return old_value(parts, node)

    def with_setting(self, address: str, value: Any) -> Recipe:
        """A new recipe with one setting changed (validated like a file)."""
        return self.with_settings({address: value})

    def with_settings(self, settings: Mapping[str, Any]) -> Recipe:
        data: dict[str, Any] = self.model_dump(mode="python")
        year = self.year
        for address, value in settings.items():
            parts = _split(address)
            if parts == ["year"]:
                warn_year("setting 'year'")
                year = value
                continue
            parts, value = new_address(parts, value)
            node = data
            for part in parts[:-1]:
                node = _descend(node, part, address, create=True)
            last = parts[-1]
            if isinstance(node, dict) and last not in node and not _open_mapping(parts[:-1]):
                hint = nearest(last, node)
                raise RecipeError(f"unknown setting address '{address}'"
                                  + (f"; did you mean '{'.'.join([*parts[:-1], hint])}'?" if hint else ""))
            node[last] = value
        out = recipe_from_mapping(data, source="recipe")
        return out.model_copy(update={"year": year}) if year is not None else out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=True), sort_keys=False)


# Mappings whose keys are free (node codes, levels, parameter names), not fixed settings.
_OPEN = {("normalise", "params"), ("aggregate", "params"), ("aggregate", "by_level"),
         ("aggregate", "by_node"), ("weights", "ahp")}


def _open_mapping(parts: list[str]) -> bool:
    return tuple(parts[:2]) in _OPEN or (len(parts) >= 3 and parts[0] == "aggregate" and parts[1] in ("by_level", "by_node"))


def _split(address: str) -> list[str]:
    parts = [p for p in str(address).split(".") if p]
    if not parts:
        raise RecipeError("empty setting address")
    return parts


def _descend(node: Any, part: str, address: str, create: bool = False) -> Any:
    if isinstance(node, dict):
        for key in (part, _as_int(part)):
            if key is not None and key in node:
                return node[key]
        if create:
            node[part] = {}
            return node[part]
        hint = nearest(part, node)
        raise RecipeError(f"unknown setting address '{address}'" + (f" ('{part}': did you mean '{hint}'?)" if hint else ""))
    raise RecipeError(f"unknown setting address '{address}' ('{part}' is inside a value, not a section)")


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def recipe_from_mapping(data: Mapping[str, Any] | None, *, source: str = "<recipe>", quiet: bool = False) -> Recipe:
    """Validate a recipe mapping; errors name the setting and suggest the nearest valid one.

    Old setting names are read under their new names, with a :class:`~nevindex.errors.DeprecatedSettingWarning`
    (none when ``quiet``: the store reads its own recipes so, they are not the user's files to fix).
    """
    body = upgrade_mapping(data or {}, source, quiet=quiet)
    if "year" in body and not quiet:
        warn_year(source)
    return validate(Recipe, body, error=RecipeError, source=source)


def load_recipe(path: str | Path) -> Recipe:
    data = read_yaml_mapping(path, what="recipe", error=RecipeError)
    if "recipe" in data and isinstance(data["recipe"], Mapping) and len(data) == 1:
        data = data["recipe"]
    return recipe_from_mapping(data, source=str(path))
