"""Declared derivations: ratios, conversions and growth rates computed from data columns.

A methodology file lists them under ``derived:`` (in order; later ones may use earlier ones), so
a derived indicator such as R&D intensity is part of the versioned methodology rather than a
number somebody computed by hand. Every derived cell gets a provenance row naming the input
cells it came from (their values, years and sources) and whether any input is flagged: ``SCOPE``
in its notes (a group figure standing in for a brand) or ``PROXY`` (an exchange rate that is a
declared stand-in for a missing sourced rate). Flags travel to everything computed from a
flagged cell. A gap in an input gives a gap in the result: nothing is estimated.

Operations (each entry has ``code``, ``op`` and the keys listed; ``name``, ``unit`` and ``note``
are optional documentation):

``ratio``            ``numerator``, ``denominator``, ``scale`` (default 1): ``num / den × scale``
                     for the same unit and year. Both may be lists of equal length: they are
                     tried as position-wise pairs and the first pair with both values present
                     is used (e.g. net income / revenue in CNY, else in USD, …), so each ratio
                     is currency-free. A zero denominator under a present numerator is an error.
``coalesce``         ``inputs``: the first present value among several columns. An input may be
                     ``{column: c, units: [...]}`` to use it only for the listed units.
``convert_currency`` ``input``, ``rate`` (a column of currency units per target unit, e.g. CNY
                     per USD, annual averages): ``input / rate``. No rate → missing.
``growth``           ``input`` (a column or a list tried in order: the first column present in
                     both years), ``lag`` (default 1), ``scale`` (default 100):
                     ``(x_t / x_{t−lag} − 1) × scale``; missing when year t−lag is not in the
                     data or the base is not positive.
``log10``            ``input``: ``log10(x)``; a non-positive value is an error.
``sum``              ``inputs`` (added), ``subtract`` (optional, subtracted), ``cells`` (optional
                     ``{unit: [years]}``): the sum where every input is present. With ``cells``
                     only the listed unit-years are derived: a sum of two reported figures is only
                     meaningful where the sources say they are on the same basis, which is a
                     judgement per cell (e.g. BEV + PHEV sales of one company and year).
``product``          ``inputs``, ``scale`` (default 1): the product of the inputs × scale where
                     every input is present (e.g. a brand value × the NEV share / 100: the part of
                     the value attributable to the NEV business).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.dataset import Dataset
from nevindex.errors import DataError, MethodologyError

Array = NDArray[np.float64]
#: (column, year index) of one input cell.
Ref = tuple[str, int]

DOC_KEYS = frozenset({"code", "op", "name", "unit", "note"})
OP_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # op: (required keys, optional keys)
    "ratio": (frozenset({"numerator", "denominator"}), frozenset({"scale"})),
    "coalesce": (frozenset({"inputs"}), frozenset()),
    "convert_currency": (frozenset({"input", "rate"}), frozenset()),
    "growth": (frozenset({"input"}), frozenset({"lag", "scale"})),
    "log10": (frozenset({"input"}), frozenset()),
    "sum": (frozenset({"inputs"}), frozenset({"subtract", "cells"})),
    "product": (frozenset({"inputs"}), frozenset({"scale"})),
}

#: Flags a value can carry (provenance column → the word in its notes that sets it).
FLAGS: dict[str, str] = {"scope": "SCOPE", "proxy": "PROXY"}


@dataclass(frozen=True)
class Derived:
    """The outcome of one derivation over a panel: values and, per present cell, its input cells."""

    values: Array  # years × units
    inputs: dict[tuple[int, int], tuple[Ref, ...]]


# --- validation ----------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def input_columns(spec: Mapping[str, Any]) -> list[str]:
    """Every data column a derivation reads (for validation and documentation)."""
    op = spec.get("op")
    if op == "ratio":
        return [*_as_list(spec["numerator"]), *_as_list(spec["denominator"])]
    if op == "coalesce":
        return [i["column"] if isinstance(i, Mapping) else i for i in _as_list(spec["inputs"])]
    if op == "convert_currency":
        return [spec["input"], spec["rate"]]
    if op == "sum":
        return [*_as_list(spec["inputs"]), *_as_list(spec.get("subtract", []))]
    if op == "product":
        return _as_list(spec["inputs"])
    return _as_list(spec["input"])


def validate_derivations(derived: Sequence[Mapping[str, Any]], columns: Sequence[str],
                         units: Sequence[str] = ()) -> None:
    """Refuse a derivation that names an unknown op, setting, column or unit; say which one."""
    available = set(columns)
    for position, spec in enumerate(derived):
        code = spec.get("code") if isinstance(spec, Mapping) else None
        label = f"derivation '{code}'" if code else f"derivation #{position + 1}"
        if not isinstance(spec, Mapping) or not code:
            raise MethodologyError(f"{label}: needs at least 'code' and 'op'")
        op = spec.get("op")
        if op not in OP_KEYS:
            raise MethodologyError(f"{label}: unknown op '{op}'", hint=f"ops: {', '.join(OP_KEYS)}")
        required, optional = OP_KEYS[op]
        missing = sorted(required - set(spec))
        if missing:
            raise MethodologyError(f"{label} ({op}): missing setting '{missing[0]}'")
        unknown = sorted(set(spec) - required - optional - DOC_KEYS)
        if unknown:
            raise MethodologyError(f"{label} ({op}): unknown setting '{unknown[0]}'",
                                   hint=f"allowed: {', '.join(sorted(required | optional | DOC_KEYS))}")
        if op == "ratio" and len(_as_list(spec["numerator"])) != len(_as_list(spec["denominator"])):
            raise MethodologyError(f"{label} (ratio): numerator and denominator lists differ in length")
        if op == "coalesce":
            for item in _as_list(spec["inputs"]):
                if isinstance(item, Mapping):
                    if "column" not in item or set(item) - {"column", "units"}:
                        raise MethodologyError(f"{label} (coalesce): an input mapping takes 'column' and 'units'")
                    bad = [u for u in item.get("units", []) if units and u not in units]
                    if bad:
                        raise MethodologyError(f"{label} (coalesce): unit '{bad[0]}' is not in the data")
        if op == "sum" and "cells" in spec:
            cells = spec["cells"]
            if not isinstance(cells, Mapping) or not all(isinstance(v, (list, tuple)) for v in cells.values()):
                raise MethodologyError(f"{label} (sum): 'cells' maps each unit to a list of years")
            bad = [u for u in cells if units and u not in units]
            if bad:
                raise MethodologyError(f"{label} (sum): unit '{bad[0]}' is not in the data")
        for column in input_columns(spec):
            if column not in available:
                from nevindex.recipe import nearest

                if op == "convert_currency" and column == spec["rate"]:
                    hint = ("the rate column holds currency units per target unit for each year; attach sourced "
                            "rates as columns (nevindex.nev.data.attach_fx_rates), or run `nevindex demo` for the "
                            "shipped NEV editions")
                else:
                    near = nearest(column, available)
                    hint = f"did you mean '{near}'?" if near else "check the column name"
                raise MethodologyError(
                    f"{label} ({op}): input column '{column}' is not in the data or an earlier derivation", hint=hint)
        if code in available:
            raise MethodologyError(f"{label}: code '{code}' already names a data column or derivation")
        available.add(code)


# --- operations (pure, over years × units panels) ----------------------------------------------


def _first_present(candidates: list[Array], shape: tuple[int, int],
                   refs_of: Callable[[int, int, int], tuple[Ref, ...]]) -> Derived:
    """Fill each cell from the first candidate array with a value there; ``refs_of(k, t, u)``
    names the input cells candidate ``k`` used for cell (t, u)."""
    out = np.full(shape, np.nan)
    used: dict[tuple[int, int], tuple[Ref, ...]] = {}
    for k, values in enumerate(candidates):
        take = np.isnan(out) & ~np.isnan(values)
        out[take] = values[take]
        for t, u in zip(*np.nonzero(take), strict=True):
            used[(int(t), int(u))] = refs_of(k, int(t), int(u))
    return Derived(out, used)


def op_ratio(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
             units: Sequence[str], years: Sequence[int]) -> Derived:
    nums, dens = _as_list(spec["numerator"]), _as_list(spec["denominator"])
    scale = float(spec.get("scale", 1.0))
    candidates = []
    for n, d in zip(nums, dens, strict=True):
        num, den = get(n), get(d)
        zero = (den == 0) & ~np.isnan(num)
        if zero.any():
            t, u = (int(i) for i in np.argwhere(zero)[0])
            raise DataError(f"{label}: denominator '{d}' is zero for unit '{units[u]}' in {years[t]}",
                            column=d)
        with np.errstate(invalid="ignore", divide="ignore"):
            candidates.append(num / den * scale)
    return _first_present(candidates, get(nums[0]).shape,
                          lambda k, t, u: ((nums[k], t), (dens[k], t)))


def op_coalesce(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
                units: Sequence[str], years: Sequence[int]) -> Derived:
    items = _as_list(spec["inputs"])
    columns, candidates = [], []
    for item in items:
        column = item["column"] if isinstance(item, Mapping) else item
        values = get(column).copy()
        if isinstance(item, Mapping) and "units" in item:
            allowed = np.array([u in set(item["units"]) for u in units])
            values[:, ~allowed] = np.nan
        columns.append(column)
        candidates.append(values)
    return _first_present(candidates, get(columns[0]).shape, lambda k, t, u: ((columns[k], t),))


def op_convert_currency(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
                        units: Sequence[str], years: Sequence[int]) -> Derived:
    x, rate = get(spec["input"]), get(spec["rate"])
    bad = (rate <= 0) & ~np.isnan(x)
    if bad.any():
        t, u = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{label}: rate '{spec['rate']}' is not positive for unit '{units[u]}' in {years[t]}",
                        column=spec["rate"])
    out = x / rate
    return _first_present([out], out.shape, lambda k, t, u: ((spec["input"], t), (spec["rate"], t)))


def op_growth(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
              units: Sequence[str], years: Sequence[int]) -> Derived:
    lag = int(spec.get("lag", 1))
    scale = float(spec.get("scale", 100.0))
    columns = _as_list(spec["input"])
    index = {y: i for i, y in enumerate(years)}
    candidates = []
    for column in columns:
        x = get(column)
        out = np.full(x.shape, np.nan)
        for t, year in enumerate(years):
            base = index.get(year - lag)
            if base is None:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                out[t] = np.where(x[base] > 0, (x[t] / x[base] - 1.0) * scale, np.nan)
        candidates.append(out)
    return _first_present(candidates, get(columns[0]).shape,
                          lambda k, t, u: ((columns[k], index[years[t] - lag]), (columns[k], t)))


def op_log10(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
             units: Sequence[str], years: Sequence[int]) -> Derived:
    x = get(spec["input"])
    bad = x <= 0
    if bad.any():
        t, u = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{label}: log10 of the non-positive value {x[t, u]:g} (unit '{units[u]}', {years[t]})",
                        column=spec["input"])
    out = portable_log10(x)
    return _first_present([out], out.shape, lambda k, t, u: ((spec["input"], t),))


#: ``math.log10`` element by element (NaN stays NaN).
_LOG10 = np.frompyfunc(math.log10, 1, 1)


def portable_log10(x: Array) -> Array:
    """log10 that gives the same bits on every machine: the C library's, as Python's ``math`` calls it.

    numpy's ``log10`` dispatches on the CPU (its AVX-512 kernel differs from the C library in the last
    bit for about 1.5 % of values), so an edition built on one machine would not rebuild bit for bit
    on another and ``verify`` would call that a changed number. A derivation runs once per build on
    brands × years values, where the Python call per element costs nothing that shows.
    """
    return np.asarray(_LOG10(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def op_sum(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
           units: Sequence[str], years: Sequence[int]) -> Derived:
    plus, minus = _as_list(spec["inputs"]), _as_list(spec.get("subtract", []))
    out = sum((get(c) for c in plus), start=np.zeros_like(get(plus[0])))
    out = out - sum((get(c) for c in minus), start=np.zeros_like(out))
    if "cells" in spec:
        allowed = np.zeros(out.shape, dtype=bool)
        for unit, cell_years in spec["cells"].items():
            for year in cell_years:
                if year in years and unit in units:
                    allowed[list(years).index(year), list(units).index(unit)] = True
        out = np.where(allowed, out, np.nan)
    columns = [*plus, *minus]
    return _first_present([out], out.shape, lambda k, t, u: tuple((c, t) for c in columns))


def op_product(get: Callable[[str], Array], spec: Mapping[str, Any], label: str,
               units: Sequence[str], years: Sequence[int]) -> Derived:
    columns = _as_list(spec["inputs"])
    out = np.full_like(get(columns[0]), float(spec.get("scale", 1.0)))
    for column in columns:
        out = out * get(column)
    return _first_present([out], out.shape, lambda k, t, u: tuple((c, t) for c in columns))


OPS: dict[str, Callable[..., Derived]] = {
    "ratio": op_ratio,
    "coalesce": op_coalesce,
    "convert_currency": op_convert_currency,
    "growth": op_growth,
    "log10": op_log10,
    "sum": op_sum,
    "product": op_product,
}


# --- provenance ---------------------------------------------------------------------------------


def is_scope_flagged(notes: Any) -> bool:
    """A value is scope-flagged when its notes say ``SCOPE`` (group figure standing in for a brand)."""
    return isinstance(notes, str) and "SCOPE" in notes


def is_flagged(record: Mapping[str, Any], flag: str) -> bool:
    """Whether a provenance row carries ``flag`` (a key of :data:`FLAGS`): its own boolean column
    when a derivation set it, else the flag's word in the row's notes (observed values)."""
    value = record.get(flag)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    notes = record.get("notes")
    return isinstance(notes, str) and FLAGS[flag] in notes


class _Provenance:
    """Lookup of provenance rows by (year, unit, column), growing as derivations add rows."""

    def __init__(self, frame: pd.DataFrame | None) -> None:
        self.rows: dict[tuple[int, str, str], dict[str, Any]] = {}
        if frame is not None:
            for rec in frame.to_dict("records"):
                self.rows[(int(rec["year"]), str(rec["unit"]), str(rec["column"]))] = rec

    def flagged(self, key: tuple[int, str, str], flag: str) -> bool:
        rec = self.rows.get(key)
        return rec is not None and is_flagged(rec, flag)


def _derived_rows(code: str, spec: Mapping[str, Any], result: Derived, dataset_units: Sequence[str],
                  years: Sequence[int], get: Callable[[str], Array], prov: _Provenance) -> list[dict[str, Any]]:
    rows = []
    for (t, u), refs in sorted(result.inputs.items()):
        unit = dataset_units[u]
        parts: list[str] = []
        urls: list[str] = []
        flagged: dict[str, list[str]] = {flag: [] for flag in FLAGS}
        carried_rate: tuple[float, Any] | None = None
        for column, ti in refs:
            key = (years[ti], unit, column)
            value = get(column)[ti, u]
            parts.append(f"{column}[{years[ti]}]={value:.10g}")
            src = prov.rows.get(key, {})
            for url in str(src.get("source_url") or "").split("; "):
                if url and url != "None" and url not in urls:
                    urls.append(url)
            for flag, cells in flagged.items():
                if prov.flagged(key, flag):
                    cells.append(f"{column}[{years[ti]}]")
            rate = src.get("fx_rate")
            if isinstance(rate, (int, float)) and not np.isnan(rate):
                carried_rate = (float(rate), src.get("fx_rate_column"))
        row: dict[str, Any] = {
            "year": years[t], "unit": unit, "column": code, "value": float(result.values[t, u]), "row": None,
            "unit_of_measure": spec.get("unit"),
            "source_url": "; ".join(urls) or None,
            "source_title": f"derived ({spec['op']}) by the methodology from {', '.join(c for c, _ in refs)}",
            "excerpt": "; ".join(parts),
            "notes": "; ".join(f"{FLAGS[flag]}: derived from {flag}-flagged input(s) {', '.join(cells)}"
                               for flag, cells in flagged.items() if cells) or None,
            "derivation": spec["op"],
            "inputs": "; ".join(parts),
            **{flag: bool(cells) for flag, cells in flagged.items()},
        }
        if spec["op"] == "convert_currency":
            row["fx_rate"] = float(get(spec["rate"])[t, u])
            row["fx_rate_column"] = spec["rate"]
        elif carried_rate is not None:  # a value resting on a converted input shows the rate too
            row["fx_rate"], row["fx_rate_column"] = carried_rate
        rows.append(row)
    return rows


# --- entry point ------------------------------------------------------------------------------------


def apply_derivations(framework: Any, dataset: Dataset) -> Dataset:
    """The dataset with every derivation of ``framework.derived`` added as a column (with provenance)."""
    derived = list(getattr(framework, "derived", ()) or ())
    if not derived:
        return dataset
    validate_derivations(derived, dataset.columns, dataset.units)
    panel: dict[str, Array] = {}

    def get(column: str) -> Array:
        if column not in panel:
            panel[column] = dataset.values[:, :, dataset.columns.index(column)]
        return panel[column]

    prov = _Provenance(dataset.provenance)
    new_rows: list[dict[str, Any]] = []
    for spec in derived:
        code, op = spec["code"], spec["op"]
        result = OPS[op](get, spec, f"derivation '{code}' ({op})", dataset.units, dataset.years)
        panel[code] = result.values
        rows = _derived_rows(code, spec, result, dataset.units, dataset.years, get, prov)
        for rec in rows:
            prov.rows[(rec["year"], rec["unit"], code)] = rec
        new_rows.extend(rows)
    codes = [spec["code"] for spec in derived]
    values = np.stack([panel[c] for c in codes], axis=2)
    frame = pd.DataFrame(new_rows) if new_rows else None
    return dataset.with_columns(codes, values, frame)


__all__ = ["FLAGS", "OPS", "apply_derivations", "input_columns", "is_flagged", "is_scope_flagged",
           "validate_derivations"]
