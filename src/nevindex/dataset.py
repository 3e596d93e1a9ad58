"""Observations ↔ a (years × units × columns) array, with unit attributes and provenance.

Files come wide (one row per unit and year, one column per indicator) or tidy (one row per
value: unit, year, indicator, value, plus any source columns), as CSV, XLSX or Parquet. Every
problem is reported with the file, the row as a spreadsheet shows it (header = row 1) and the
column, so a person can find the cell.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.errors import DataError
from nevindex.tabular import CSV_SUFFIXES, XLSX_SUFFIXES, check_header, read_cells

__all__ = [
    "MISSING_TOKENS", "UNIT_ALIASES", "YEAR_ALIASES", "NAME_ALIASES", "INDICATOR_ALIASES", "VALUE_ALIASES",
    "NO_YEAR", "read_table", "parse_number", "numeric_column", "Dataset", "load_dataset", "dataset_from_frame",
]

MISSING_TOKENS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A", "..", "-"})
UNIT_ALIASES = ("uCode", "unit_code", "unit_id", "brand_id", "brand", "code", "unit")
YEAR_ALIASES = ("year", "Year", "Time", "time")
NAME_ALIASES = ("uName", "name", "unit_name", "brand_name")
INDICATOR_ALIASES = ("indicator", "indicator_id", "iCode", "variable")
VALUE_ALIASES = ("value", "Value")
NO_YEAR = 0  # the year of data that carry no year column


def read_table(path: str | Path) -> pd.DataFrame:
    """Read CSV/XLSX/Parquet as text cells (no silent type guessing), or raise a DataError."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=str(path), hint="check the path")
    if path.is_dir():
        raise DataError("is a folder, not a data file", file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (*CSV_SUFFIXES, *XLSX_SUFFIXES):
            frame = read_cells(path)  # strict: ragged rows, duplicate headers, uncomputed formulas refused
        elif suffix == ".xls":
            frame = pd.read_excel(path, dtype=object)
            frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
            frame = frame.astype(object).where(frame.notna(), "")
        else:
            raise DataError(f"unknown file type '{suffix}'", file=str(path), hint="use .csv, .xlsx or .parquet")
    except DataError:
        raise
    except UnicodeDecodeError:
        raise DataError("is not UTF-8 text", file=str(path), hint="save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise DataError("is empty", file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file, not our bug
        raise DataError(f"cannot be read ({exc.__class__.__name__}: {str(exc)[:120]})", file=str(path)) from None
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise DataError("has no data rows", file=str(path))
    frame.columns = check_header([str(c) for c in frame.columns], str(path))
    return frame


def parse_number(cell: Any, *, file: str | None, row: int, column: str) -> float:
    """A cell as float (NaN for missing tokens); anything else is a DataError naming the cell."""
    if cell is None:
        return math.nan
    if isinstance(cell, bool):
        raise DataError(f"'{cell}' is not a number", file=file, row=row, column=column)
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell)
    text = str(cell).strip()
    if text in MISSING_TOKENS:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"'{text}' is not a number", file=file, row=row, column=column,
                        hint="use a plain number with '.' as decimal point, or leave the cell empty") from None
    if math.isinf(value):
        raise DataError(f"'{text}' is infinite", file=file, row=row, column=column)
    return value


def _numbers(cells: pd.Series) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Vectorised parse: (values, missing mask, bad mask) of a column of cells."""
    text = pd.Series(cells, dtype=object).astype(str).str.strip()
    missing = text.isin(MISSING_TOKENS).to_numpy(dtype=bool)
    numbers = pd.to_numeric(text.mask(missing), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = (np.isnan(numbers) & ~missing) | np.isinf(numbers)
    return numbers, missing, bad


def numeric_column(cells: pd.Series, *, file: str | None, column: str) -> NDArray[np.float64]:
    """A column of cells as floats; the first bad cell is reported with its row and column."""
    numbers, _missing, bad = _numbers(cells)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        parse_number(cells.iloc[i], file=file, row=i + 2, column=column)  # raises, naming the cell
        raise DataError(f"'{cells.iloc[i]}' is not a number", file=file, row=i + 2, column=column)
    return numbers


def _is_missing(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or str(cell).strip() in MISSING_TOKENS


def _numeric_column(values: pd.Series) -> bool:
    """A column is numeric data if it has a value and every value is a number."""
    _, missing, bad = _numbers(values)
    return bool((~missing).any() and not bad.any())


def _pick(columns: Sequence[str], explicit: str | None, aliases: Sequence[str], what: str, file: str | None,
          required: bool = True, exclude: Iterable[str] = ()) -> str | None:
    if explicit is not None:
        if explicit not in columns:
            from nevindex.recipe import nearest

            hint = nearest(explicit, columns)
            raise DataError(f"no {what} column '{explicit}'", file=file,
                            hint=(f"did you mean '{hint}'? " if hint else "") + f"columns: {', '.join(columns)}")
        return explicit
    for alias in aliases:
        if alias in columns and alias not in exclude:
            return alias
    if required:
        raise DataError(f"cannot find the {what} column", file=file,
                        hint=f"name it one of {', '.join(aliases)}, or pass it explicitly; columns: {', '.join(columns)}")
    return None


@dataclass(frozen=True, eq=False)
class Dataset:
    """Indicator and denominator data for a set of units over one or more years.

    ``values[t, u, c]`` is column ``columns[c]`` of unit ``units[u]`` in year ``years[t]``
    (NaN = missing). ``attributes`` holds text columns per unit (names, groups, …).
    ``provenance`` has one row per observed cell with its source fields, when the file had them.
    """

    units: tuple[str, ...]
    columns: tuple[str, ...]
    years: tuple[int, ...]
    values: NDArray[np.float64]
    names: tuple[str, ...]
    attributes: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    provenance: pd.DataFrame | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64, copy=True)
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        expected = (len(self.years), len(self.units), len(self.columns))
        if values.shape != expected:
            raise ValueError(f"values has shape {values.shape}, expected {expected}")

    # --- lookup ------------------------------------------------------------------------------
    @property
    def is_panel(self) -> bool:
        return len(self.years) > 1

    @property
    def latest_year(self) -> int:
        return self.years[-1]

    def year_index(self, year: int | None) -> int:
        if year is None:
            return len(self.years) - 1
        if year not in self.years:
            raise DataError(f"no data for year {year}", file=self.source,
                            hint=f"years in the data: {', '.join(map(str, self.years))}")
        return self.years.index(year)

    def column_index(self, code: str) -> int:
        try:
            return self.columns.index(code)
        except ValueError:
            raise DataError(f"no data column '{code}'", file=self.source) from None

    def matrix(self, codes: Sequence[str], year: int | None = None) -> NDArray[np.float64]:
        """units × codes at one year (a copy)."""
        t = self.year_index(year)
        return self.values[t][:, [self.column_index(c) for c in codes]].copy()

    def panel(self, codes: Sequence[str]) -> NDArray[np.float64]:
        """years × units × codes (a copy)."""
        return self.values[:, :, [self.column_index(c) for c in codes]].copy()

    def attribute(self, name: str) -> tuple[str | None, ...]:
        if name not in self.attributes:
            raise DataError(f"no group column '{name}'", file=self.source,
                            hint=f"text columns in the data: {', '.join(self.attributes) or 'none'}")
        return self.attributes[name]

    def units_present(self, year: int | None = None) -> NDArray[np.bool_]:
        """Units with at least one value in that year (panel units may join or leave)."""
        return ~np.all(np.isnan(self.values[self.year_index(year)]), axis=1)

    # --- derived datasets ------------------------------------------------------------------
    def with_columns(self, codes: Sequence[str], values: NDArray[np.float64],
                     provenance: pd.DataFrame | None = None) -> Dataset:
        """A new dataset with extra (or replaced) columns; values shaped years × units × len(codes)."""
        values = np.asarray(values, dtype=np.float64)
        keep = [i for i, c in enumerate(self.columns) if c not in codes]
        new_values = np.concatenate([self.values[:, :, keep], values], axis=2)
        prov = self.provenance
        if provenance is not None:
            prov = provenance if prov is None else pd.concat(
                [prov[~prov["column"].isin(list(codes))], provenance], ignore_index=True)
        return Dataset(self.units, tuple(self.columns[i] for i in keep) + tuple(codes), self.years,
                       new_values, self.names, self.attributes, prov, self.source)

    def with_value(self, unit: str, column: str, value: float, year: int | None = None) -> Dataset:
        """A new dataset with one cell changed (what-if analysis)."""
        values = self.values.copy()
        values[self.year_index(year), self.units.index(unit), self.column_index(column)] = value
        return Dataset(self.units, self.columns, self.years, values, self.names, self.attributes,
                       self.provenance, self.source)

    # --- identity ----------------------------------------------------------------------------
    def sha256(self) -> str:
        """Hash of the content: same numbers, codes and attributes → same hash, whatever the file."""
        h = hashlib.sha256()
        header = {"units": self.units, "columns": self.columns, "years": self.years, "names": self.names,
                  "attributes": {k: list(v) for k, v in sorted(self.attributes.items())}}
        h.update(json.dumps(header, sort_keys=True, ensure_ascii=False).encode())
        canonical = np.where(np.isnan(self.values), np.nan, self.values).astype("<f8")
        h.update(canonical.tobytes())
        return h.hexdigest()

    # --- pandas views --------------------------------------------------------------------------
    def to_frame(self, year: int | None = None) -> pd.DataFrame:
        t = self.year_index(year)
        frame = pd.DataFrame(self.values[t], index=pd.Index(self.units, name="unit"), columns=list(self.columns))
        frame.insert(0, "name", list(self.names))
        return frame

    def to_long(self) -> pd.DataFrame:
        t, u, c = np.nonzero(~np.isnan(self.values))
        return pd.DataFrame({
            "unit": np.asarray(self.units, dtype=object)[u],
            "year": np.asarray(self.years)[t],
            "column": np.asarray(self.columns, dtype=object)[c],
            "value": self.values[t, u, c],
        })


# --- loading ---------------------------------------------------------------------------------


def load_dataset(
    path: str | Path,
    *,
    numeric: Iterable[str] | None = None,
    units_file: str | Path | None = None,
    unit_col: str | None = None,
    year_col: str | None = None,
    name_col: str | None = None,
) -> Dataset:
    """Load data, wide or tidy (detected from an ``indicator``/``value`` column pair).

    ``numeric`` names the columns that must be numbers (the framework's indicators and
    denominators); a non-number there is an error naming the cell. Other columns are numeric if
    all their cells are numbers, else text attributes (groups). ``units_file`` is an optional
    table of units (code, name, group columns), required to know names in tidy data.
    """
    path = Path(path)
    frame = read_table(path)
    required = set(numeric or ())
    if any(c in frame.columns for c in INDICATOR_ALIASES) and any(c in frame.columns for c in VALUE_ALIASES):
        data = _from_tidy(frame, file=str(path), unit_col=unit_col, year_col=year_col)
    else:
        data = _from_wide(frame, file=str(path), required=required, unit_col=unit_col, year_col=year_col,
                          name_col=name_col)
    if units_file is not None:
        data = _attach_units(data, read_table(units_file), file=str(units_file), unit_col=unit_col,
                             name_col=name_col)
    return data


def _year_of(cell: Any, *, file: str, row: int, column: str) -> int:
    try:
        value = float(str(cell).strip())
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value) or value != int(value):
        raise DataError(f"'{cell}' is not a year", file=file, row=row, column=column)
    return int(value)


def _from_wide(frame: pd.DataFrame, *, file: str, required: set[str], unit_col: str | None,
               year_col: str | None, name_col: str | None) -> Dataset:
    cols = list(frame.columns)
    ucol = _pick(cols, unit_col, UNIT_ALIASES, "unit code", file)
    ycol = _pick(cols, year_col, YEAR_ALIASES, "year", file, required=False)
    ncol = _pick(cols, name_col, NAME_ALIASES, "unit name", file, required=False, exclude=(ucol,))
    rest = [c for c in cols if c not in (ucol, ycol, ncol)]
    numeric = [c for c in rest if c in required or _numeric_column(frame[c])]
    text = [c for c in rest if c not in numeric]
    records = frame.to_dict("records")
    years_of_row = [(_year_of(r[ycol], file=file, row=i + 2, column=ycol) if ycol else NO_YEAR)
                    for i, r in enumerate(records)]
    units: list[str] = []
    names: dict[str, str] = {}
    attrs: dict[str, dict[str, str | None]] = {c: {} for c in text}
    seen: dict[tuple[str, int], int] = {}
    for i, rec in enumerate(records):
        row = i + 2
        code = str(rec[ucol]).strip()
        if _is_missing(code):
            raise DataError("empty unit code", file=file, row=row, column=ucol)
        key = (code, years_of_row[i])
        if key in seen:
            raise DataError(f"duplicate unit '{code}'" + (f" for year {key[1]}" if ycol else "")
                            + f" (also on row {seen[key]})", file=file, row=row, column=ucol)
        seen[key] = row
        if code not in names:
            units.append(code)
            names[code] = str(rec[ncol]).strip() if ncol and not _is_missing(rec[ncol]) else code
        for c in text:
            if not _is_missing(rec[c]):
                attrs[c][code] = str(rec[c]).strip()
    years = sorted(set(years_of_row))
    values = np.full((len(years), len(units), len(numeric)), np.nan)
    uindex = {u: k for k, u in enumerate(units)}
    yindex = {y: k for k, y in enumerate(years)}
    t_of_row = np.array([yindex[y] for y in years_of_row], dtype=np.intp)
    u_of_row = np.array([uindex[str(rec[ucol]).strip()] for rec in records], dtype=np.intp)
    for c, col in enumerate(numeric):
        values[t_of_row, u_of_row, c] = numeric_column(frame[col], file=file, column=col)
    return Dataset(tuple(units), tuple(numeric), tuple(years), values, tuple(names[u] for u in units),
                   {c: tuple(attrs[c].get(u) for u in units) for c in text}, None, file)


def _from_tidy(frame: pd.DataFrame, *, file: str, unit_col: str | None, year_col: str | None) -> Dataset:
    cols = list(frame.columns)
    icol = _pick(cols, None, INDICATOR_ALIASES, "indicator", file)
    vcol = _pick(cols, None, VALUE_ALIASES, "value", file)
    ucol = _pick(cols, unit_col, UNIT_ALIASES, "unit code", file, exclude=(icol, vcol))
    ycol = _pick(cols, year_col, YEAR_ALIASES, "year", file, required=False)
    extra = [c for c in cols if c not in (ucol, ycol, icol, vcol)]
    units: list[str] = []
    columns: list[str] = []
    cells: dict[tuple[int, str, str], tuple[float, int]] = {}
    prov_rows: list[dict[str, Any]] = []
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2
        code = str(rec[ucol]).strip()
        ind = str(rec[icol]).strip()
        if _is_missing(code):
            raise DataError("empty unit code", file=file, row=row, column=ucol)
        if _is_missing(ind):
            raise DataError("empty indicator code", file=file, row=row, column=icol)
        year = _year_of(rec[ycol], file=file, row=row, column=ycol) if ycol else NO_YEAR
        value = parse_number(rec[vcol], file=file, row=row, column=vcol)
        key = (year, code, ind)
        if key in cells:
            raise DataError(f"duplicate value for unit '{code}', indicator '{ind}', year {year} "
                            f"(also on row {cells[key][1]})", file=file, row=row)
        cells[key] = (value, row)
        if code not in units:
            units.append(code)
        if ind not in columns:
            columns.append(ind)
        if not math.isnan(value):
            prov_rows.append({"year": year, "unit": code, "column": ind, "value": value, "row": row,
                              **{_provenance_key(c): (None if _is_missing(rec[c]) else str(rec[c])) for c in extra}})
    years = sorted({k[0] for k in cells})
    values = np.full((len(years), len(units), len(columns)), np.nan)
    yi = {y: k for k, y in enumerate(years)}
    ui = {u: k for k, u in enumerate(units)}
    ci = {c: k for k, c in enumerate(columns)}
    for (year, code, ind), (value, _row) in cells.items():
        values[yi[year], ui[code], ci[ind]] = value
    provenance = pd.DataFrame(prov_rows) if prov_rows else None
    return Dataset(tuple(units), tuple(columns), tuple(years), values, tuple(units), {}, provenance, file)


_RESERVED = ("year", "unit", "column", "value", "row")


def _provenance_key(column: str) -> str:
    """Source columns keep their names, except those that would shadow our own keys
    (a tidy file's ``unit`` is usually the unit of measurement)."""
    if column == "unit":
        return "unit_of_measure"
    return f"{column}_original" if column in _RESERVED else column


def _attach_units(data: Dataset, table: pd.DataFrame, *, file: str, unit_col: str | None,
                  name_col: str | None) -> Dataset:
    """Give tidy data its unit names and group columns; units with no data are kept (all missing)."""
    cols = list(table.columns)
    ucol = _pick(cols, unit_col, UNIT_ALIASES, "unit code", file)
    ncol = _pick(cols, name_col, NAME_ALIASES, "unit name", file, required=False, exclude=(ucol,))
    records = table.to_dict("records")
    order: list[str] = []
    for i, rec in enumerate(records):
        code = str(rec[ucol]).strip()
        if _is_missing(code):
            raise DataError("empty unit code", file=file, row=i + 2, column=ucol)
        if code in order:
            raise DataError(f"duplicate unit '{code}' (also on row {order.index(code) + 2})", file=file,
                            row=i + 2, column=ucol)
        order.append(code)
    unknown = [u for u in data.units if u not in order]
    if unknown:
        raise DataError(f"unit '{unknown[0]}' in the data is not in the units table", file=data.source,
                        hint=f"add it to {file}")
    by_code = {str(r[ucol]).strip(): r for r in records}
    values = np.full((len(data.years), len(order), len(data.columns)), np.nan)
    for k, u in enumerate(data.units):
        values[:, order.index(u), :] = data.values[:, k, :]
    names = tuple(str(by_code[u][ncol]).strip() if ncol and not _is_missing(by_code[u][ncol]) else u for u in order)
    attrs = {c: tuple(None if _is_missing(by_code[u][c]) else str(by_code[u][c]).strip() for u in order)
             for c in cols if c not in (ucol, ncol)}
    return Dataset(tuple(order), data.columns, data.years, values, names, attrs, data.provenance, data.source)


def dataset_from_frame(frame: pd.DataFrame, **kwargs: Any) -> Dataset:
    """Build a Dataset from an in-memory wide DataFrame (notebook use)."""
    frame = frame.reset_index() if frame.index.name else frame
    return _from_wide(frame.astype(object), file="<DataFrame>", required=set(kwargs.pop("numeric", ()) or ()),
                      unit_col=kwargs.get("unit_col"), year_col=kwargs.get("year_col"),
                      name_col=kwargs.get("name_col"))
