"""Small shared pieces of the insight package: finding a unit, tree lookups, JSON-safe values."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nevindex.errors import DataError, NotFoundError
from nevindex.framework import Framework
from nevindex.recipe import nearest
from nevindex.result import Result
from nevindex.values import finite_or_none, rank_or_none


def _slug(text: str) -> str:
    """"Xiaomi Auto", "xiaomi-auto" and "xiaomi_auto" all fold to "xiaomiauto" (letters and digits only)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def unit_row(result: Result, unit: str) -> int:
    """Row of ``unit`` in ``result.units``, found as the portal's search ``q=`` finds it: by code, by
    name in English or Chinese (the data's ``name_zh`` column), case-insensitive, ignoring spaces,
    hyphens and underscores ("比亚迪", "BYD" and "byd" are one brand)."""
    if unit in result.units:
        return result.units.index(unit)
    names = result.unit_names()
    zh = (dict(zip(result.dataset.units, result.dataset.attribute("name_zh"), strict=True))
          if "name_zh" in result.dataset.attributes else {})
    wanted = _slug(unit)
    for i, (code, name) in enumerate(zip(result.units, names, strict=True)):
        if wanted and wanted in {_slug(code), _slug(name), _slug(str(zh.get(code) or ""))}:
            return i
    if unit in result.all_units:
        raise NotFoundError(f"unit '{unit}' was screened out of the {result.year} build and has no scores")
    hint = nearest(unit, [*result.units, *names])
    raise NotFoundError(f"no unit '{unit}' in the {result.year} build"
                        + (f"; did you mean '{hint}'?" if hint else ""))


def element_of(framework: Framework, code: str) -> str:
    """The top-level element (child of the root) a node belongs to; the root itself maps to itself."""
    chain = (code, *framework.ancestors(code))
    return chain[-2] if len(chain) >= 2 else chain[-1]


def elements(framework: Framework) -> tuple[str, ...]:
    return framework.children[framework.root]


def node_name(framework: Framework, code: str, lang: str = "en") -> str:
    return framework.nodes[code].name.get(lang) if framework.nodes[code].name else code


def peer_mask(result: Result, row: int, column: str) -> tuple[np.ndarray, str | None]:
    """Units sharing ``column``'s value with the unit at ``row`` (the unit included), and that value."""
    labels = result.dataset.attribute(column)
    lookup = dict(zip(result.dataset.units, labels, strict=True))
    values = [lookup[u] for u in result.units]
    own = values[row]
    if own is None:
        return np.zeros(len(values), dtype=bool), None
    return np.array([v == own for v in values]), own


def check_group_column(result: Result, column: str | None) -> None:
    if column is not None and column not in result.dataset.attributes:
        hint = nearest(column, result.dataset.attributes)
        raise DataError(f"no group column '{column}'", file=result.dataset.source,
                        hint=(f"did you mean '{hint}'? " if hint else "")
                        + f"group columns: {', '.join(result.dataset.attributes) or 'none'}")


def jsonable(value: Any) -> Any:
    """Dataclasses, mappings, sequences and numpy scalars → plain JSON types; NaN → None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (str, bytes)):
        return value if isinstance(value, str) else value.decode()
    if isinstance(value, Sequence):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return finite_or_none(value)
    return value


def fields_dict(obj: Any) -> dict[str, Any]:
    """``to_dict`` body shared by the insight dataclasses."""
    return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


class RankedRecord:
    """Mixin for the insight dataclasses that carry a ``rank``: JSON with the rank as a whole number."""

    def to_dict(self) -> dict[str, Any]:
        out = fields_dict(self)
        out["rank"] = rank_or_none(self.rank)  # type: ignore[attr-defined]
        return out
