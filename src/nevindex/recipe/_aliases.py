"""Old names of recipe settings, still read (with a warning) so older recipes, methodology files,
stored editions (in silence: ``quiet``) and published audit designs keep working. docs/engine.md lists them.

Every alias keeps its section: only the key (and for on/off switches, the value) changes.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nevindex.errors import DeprecatedSettingWarning, RecipeError

__all__ = ["ALIASES", "Alias", "upgrade_mapping", "current_name", "new_address", "old_value", "warn_year"]


@dataclass(frozen=True)
class Alias:
    """``section.old`` is now ``section.new``; ``values`` maps an old value to the new one."""

    section: tuple[str, ...]  # "*" stands for any one key (a level, a node code)
    old: str
    new: str
    values: Mapping[bool, str] | None = None

    def describe(self, section: tuple[str, ...]) -> str:
        return ".".join((*section, self.old))


ALIASES: tuple[Alias, ...] = (
    Alias(("denominate",), "enabled", "method", {True: "divide", False: "none"}),
    Alias(("screen",), "enabled", "method", {True: "coverage", False: "none"}),
    Alias(("screen",), "min_coverage", "min_observed"),
    Alias(("treat",), "enabled", "method", {True: "winsorise", False: "none"}),
    Alias(("aggregate",), "threshold", "min_present"),
    Alias(("aggregate", "by_level", "*"), "threshold", "min_present"),
    Alias(("aggregate", "by_node", "*"), "threshold", "min_present"),
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _convert(alias: Alias, value: Any, where: str, source: str) -> Any:
    if alias.values is None:
        return value
    if not isinstance(value, bool) or value not in alias.values:
        raise RecipeError(f"'{where}' is true or false, got {value!r}", file=source, column=where)
    return alias.values[value]


def _warn(source: str, where: str, old_value: Any, new_where: str, new_value: Any) -> None:
    warnings.warn(f"{source}: '{where}: {_text(old_value)}' is an old name; write '{new_where}: {_text(new_value)}' "
                  "(the old name still works for now)", DeprecatedSettingWarning, stacklevel=4)


def warn_year(source: str) -> None:
    warnings.warn(f"{source}: 'year' in a recipe is an old setting: the year chooses data, not a method; "
                  "give it to build(..., year=) or the --year option instead (it still works for now)",
                  DeprecatedSettingWarning, stacklevel=4)


def _sections(node: Any, pattern: tuple[str, ...], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every mapping at ``pattern`` below ``node``, with its concrete path."""
    if not pattern:
        if isinstance(node, dict):
            yield path, node
        return
    if not isinstance(node, dict):
        return
    head, rest = pattern[0], pattern[1:]
    keys = list(node) if head == "*" else [head] if head in node else []
    for key in keys:
        yield from _sections(node[key], rest, (*path, str(key)))


def upgrade_mapping(data: Mapping[str, Any], source: str, *, quiet: bool = False) -> dict[str, Any]:
    """A copy of a recipe mapping with every old name replaced by its new one (each warned about,
    unless ``quiet``: a stored recipe is read in silence, it is not the user's file to fix)."""
    out = copy.deepcopy(dict(data))
    for alias in ALIASES:
        for path, section in _sections(out, alias.section):
            if alias.old not in section:
                continue
            where, new_where = ".".join((*path, alias.old)), ".".join((*path, alias.new))
            if alias.new in section:
                raise RecipeError(f"'{where}' is the old name of '{new_where}': give only '{new_where}'",
                                  file=source, column=where)
            value = section.pop(alias.old)
            section[alias.new] = _convert(alias, value, where, source)
            if not quiet:
                _warn(source, where, value, new_where, section[alias.new])
    return out


def _alias_of(parts: list[str]) -> Alias | None:
    for alias in ALIASES:
        if len(parts) == len(alias.section) + 1 and parts[-1] == alias.old and all(
                p == "*" or p == q for p, q in zip(alias.section, parts, strict=False)):
            return alias
    return None


def current_name(parts: list[str], value: Any = None, *, source: str = "setting") -> tuple[list[str], Any, bool]:
    """The current address and value of a possibly old one, and whether it was old (no warning)."""
    alias = _alias_of(parts)
    if alias is None:
        return parts, value, False
    return [*parts[:-1], alias.new], _convert(alias, value, ".".join(parts), source), True


def new_address(parts: list[str], value: Any = None, *, source: str = "setting",
                writing: bool = True) -> tuple[list[str], Any]:
    """The new address (and value, when ``writing``) of an old one, with a warning; other
    addresses unchanged."""
    alias = _alias_of(parts)
    if alias is None:
        return parts, value
    new = [*parts[:-1], alias.new]
    if writing:
        converted = _convert(alias, value, ".".join(parts), source)
        _warn(source, ".".join(parts), value, ".".join(new), converted)
        return new, converted
    warnings.warn(f"{source}: '{'.'.join(parts)}' is an old name; read '{'.'.join(new)}'",
                  DeprecatedSettingWarning, stacklevel=3)
    return new, None


def old_value(parts: list[str], new_value: Any) -> Any:
    """A value read at an old address, in the old form (true/false for the old switches)."""
    alias = _alias_of(parts)
    if alias is None or alias.values is None:
        return new_value
    return new_value != "none"
