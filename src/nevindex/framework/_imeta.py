"""COINr's indicator metadata table (``iMeta``) as a framework, so COINr indices move here unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nevindex.errors import MethodologyError
from nevindex.framework._model import Framework
from nevindex.framework._readers import framework_from_mapping

IMETA_COLUMNS = ("Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type")


def framework_from_imeta(path: str | Path, *, code: str | None = None, version: str = "1") -> Framework:
    """Read COINr's indicator metadata table (``iMeta``) into a framework.

    Rows of Type ``Indicator`` and ``Aggregate`` form the tree; ``Denominator`` rows become
    denominator columns; ``Group`` rows are data columns and need nothing here. ``Target`` becomes
    the indicator's target. COINr's explicit ``Level`` is checked against the tree's shape.
    """
    from nevindex.dataset import read_table

    path = Path(path)
    table = read_table(path)
    missing = [c for c in IMETA_COLUMNS if c not in table.columns]
    if missing:
        raise MethodologyError(f"missing iMeta column(s) {missing}", file=str(path),
                               hint=f"a COINr iMeta table has columns {list(IMETA_COLUMNS)}")

    def text(value: Any) -> str | None:
        return None if value is None or (isinstance(value, float) and value != value) or value == "" else str(value)

    def number(value: Any, row: int, column: str, default: float | None = None) -> float | None:
        if text(value) is None:
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise MethodologyError(f"'{value}' is not a number", file=str(path), row=row, column=column) from None

    indicators, aggregates, denominators = [], [], []
    declared_levels: dict[str, int] = {}
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2  # header is row 1
        kind = text(rec.get("Type"))
        icode = text(rec.get("iCode"))
        if kind is None or icode is None:
            raise MethodologyError("each row needs Type and iCode", file=str(path), row=row)
        node: dict[str, Any] = {"code": icode, "name": {"en": text(rec.get("iName")) or icode}}
        if kind in ("Indicator", "Aggregate"):
            node["parent"] = text(rec.get("Parent"))
            node["weight"] = number(rec.get("Weight"), row, "Weight", 1.0)
            level = number(rec.get("Level"), row, "Level")
            if level is not None:
                declared_levels[icode] = int(level)
        if kind == "Indicator":
            node["direction"] = number(rec.get("Direction"), row, "Direction", 1.0)
            node["unit"] = text(rec.get("Unit")) or ""
            node["denominator"] = text(rec.get("Denominator"))
            node["target"] = number(rec.get("Target"), row, "Target") if "Target" in rec else None
            indicators.append(node)
        elif kind == "Aggregate":
            aggregates.append(node)
        elif kind == "Denominator":
            node["meta"] = {"unit": text(rec.get("Unit")) or ""}
            denominators.append(node)
        elif kind in ("Group", "Other"):
            continue
        else:
            raise MethodologyError(f"unknown Type '{kind}'", file=str(path), row=row, column="Type",
                                   hint="Type is one of Indicator, Aggregate, Group, Denominator, Other")
    data = {
        "framework": {"code": code or path.stem, "version": version, "name": {"en": code or path.stem}},
        "aggregates": aggregates,
        "indicators": indicators,
        "denominators": denominators,
    }
    fw = framework_from_mapping(data, source=str(path))
    for icode, level in declared_levels.items():
        if fw.levels[icode] != level:
            raise MethodologyError(
                f"'{icode}' is declared at Level {level} but its children put it at level {fw.levels[icode]}",
                file=str(path), column="Level",
            )
    return fw
