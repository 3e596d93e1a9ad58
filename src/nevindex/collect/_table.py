"""Reading respondent and rating files (CSV, XLSX, SPSS .sav) and reporting bad cells by row and column.

Only the columns a spec names are read, text columns as text (``007`` stays ``007``), number
columns as numbers, so a million rows load in well under a second. Row numbers are the ones a
person sees: in CSV and XLSX the header is row 1 and the first respondent row 2; in a ``.sav``
file rows are SPSS case numbers (the first case is row 1).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.dataset import MISSING_TOKENS, UNIT_ALIASES, read_table
from nevindex.errors import DataError
from nevindex.recipe import nearest
from nevindex.tabular import XLSX_SUFFIXES, check_header, read_csv_cells, read_xlsx_cells

#: How many further problems an error message lists after the first.
SHOWN_PROBLEMS = 5
#: How many problems are kept to pick the first ones (by row) from; the rest are only counted.
KEPT_PROBLEMS = 10_000


@dataclass(frozen=True)
class Table:
    """The requested columns of one file: text as str arrays ('' = empty), numbers as float (NaN = empty)."""

    file: str
    text: dict[str, NDArray[np.object_]]
    numbers: dict[str, NDArray[np.float64]]
    #: Row number (as the user sees it) of the first data row.
    first_row: int
    sha256: str
    n_rows: int

    def row(self, position: int) -> int:
        return self.first_row + int(position)


@dataclass
class Problems:
    """Bad cells found while checking a table; raised together as one DataError naming the first (by row)."""

    file: str
    first_row: int
    found: list[tuple[int, str, str]] = field(default_factory=list)
    total: int = 0

    def add(self, positions: Sequence[int] | NDArray[np.intp], column: str, message: str | Callable[[int], str]
            ) -> None:
        """Record problems at data ``positions`` (0 = first data row) of ``column``; ``message`` is shared
        text or a function of the position (called only for the problems kept for the message)."""
        positions = np.asarray(positions, dtype=np.intp)
        self.total += len(positions)
        kept = positions[:max(KEPT_PROBLEMS - len(self.found), 0)]
        self.found.extend((self.first_row + int(i), column, message(int(i)) if callable(message) else message)
                          for i in kept)

    def raise_if_any(self, what_to_do: str) -> None:
        if not self.found:
            return
        ordered = sorted(self.found, key=lambda p: p[0])
        row, column, message = ordered[0]
        others = [f"row {r} column '{c}': {m}" for r, c, m in ordered[1:SHOWN_PROBLEMS + 1]]
        hint = what_to_do
        if self.total > 1:
            more = self.total - 1 - len(others)
            hint = (f"{self.total} problems in all; also " + "; ".join(others)
                    + (f"; and {more} more" if more > 0 else "") + f"\n  → {what_to_do}")
        raise DataError(message, file=self.file, row=row, column=column, hint=hint)


def read_columns(path: str | Path, *, text: Sequence[str], numbers: Sequence[str]) -> Table:
    """Read only ``text`` and ``numbers`` columns of a CSV/XLSX/SAV file; a missing column is an error
    naming the nearest header, a non-number in a number column is an error naming its cells."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise DataError("file not found", file=name, hint="check the path")
    if path.is_dir():
        raise DataError("is a folder, not a data file", file=name)
    suffix = path.suffix.lower()
    wanted = list(dict.fromkeys([*text, *numbers]))
    try:
        if suffix in (".csv", ".txt"):
            frame, labels, first_row = _read_csv(path, wanted, text, numbers), {}, 2
        elif suffix in XLSX_SUFFIXES:
            frame, labels, first_row = _read_xlsx(path, wanted), {}, 2
        elif suffix == ".sav":
            frame, labels, first_row = *_read_sav(path, wanted), 1
        else:
            raise DataError(f"unknown file type '{suffix}'", file=name, hint="use .csv, .xlsx or SPSS .sav")
    except DataError:
        raise
    except UnicodeDecodeError:
        raise DataError("is not UTF-8 text", file=name, hint="save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise DataError("is empty", file=name) from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file, not our bug
        raise DataError(f"cannot be read ({exc.__class__.__name__}: {str(exc)[:120]})", file=name) from None
    if len(frame) == 0:
        raise DataError("has no data rows", file=name)
    problems = Problems(name, first_row)
    parsed = {c: _number_column(frame[c], c, problems) for c in numbers}
    problems.raise_if_any("use plain numbers with '.' as decimal point, or leave the cell empty")
    texts = {c: _text_column(frame[c], labels.get(c)) for c in text}
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Table(name, texts, parsed, first_row, sha, len(frame))


def _check_header(header: Sequence[str], wanted: Sequence[str], file: str) -> None:
    for column in wanted:
        if column not in header:
            hint = nearest(column, header)
            raise DataError(f"no column '{column}'", file=file, row=1,
                            hint=(f"did you mean '{hint}'? " if hint else "") + f"columns: {', '.join(header)}")
    check_header(header, file, wanted)


def _read_csv(path: Path, wanted: list[str], text: Sequence[str], numbers: Sequence[str]) -> pd.DataFrame:
    """Through the strict reader (nevindex.tabular: ragged rows and duplicate headers refused), only the
    wanted columns, number columns parsed by pandas' C parser (a million rows in well under a second)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    _check_header(header, wanted, str(path))
    return read_csv_cells(path, columns=wanted, usecols=wanted, dtype={c: str for c in text},
                          na_values={c: sorted(MISSING_TOKENS) for c in numbers})


def _read_xlsx(path: Path, wanted: list[str]) -> pd.DataFrame:
    """Through the strict reader (duplicate headers and formula cells without a value refused)."""
    frame = read_xlsx_cells(path, columns=wanted)
    _check_header(list(frame.columns), wanted, str(path))
    return frame[wanted]


def _read_sav(path: Path, wanted: list[str]) -> tuple[pd.DataFrame, dict[str, dict]]:
    """SPSS: user-missing codes become empty; value labels are used for text columns (brand 1 = 'byd')."""
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    _check_header(list(meta.column_names), wanted, str(path))
    frame, meta = pyreadstat.read_sav(str(path), usecols=wanted)
    return frame, dict(meta.variable_value_labels)


def _number_column(cells: pd.Series, column: str, problems: Problems) -> NDArray[np.float64]:
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        values = cells.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.isinf(values)
    else:
        raw = cells.astype(object)
        blank = raw.isna() | raw.astype(str).str.strip().isin(MISSING_TOKENS)
        values = pd.to_numeric(raw.mask(blank), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = (np.isnan(values) & ~blank.to_numpy()) | np.isinf(values)
    raw = cells.to_numpy()
    problems.add(np.flatnonzero(bad), column, lambda i: f"'{raw[i]}' is not a number")
    return values


def _text_column(cells: pd.Series, labels: dict | None) -> NDArray[np.object_]:
    """Text cells stripped, empty as ''; numbers written as people write codes (1, not 1.0)."""
    if labels:
        cells = cells.map(lambda v: labels.get(v, v))
    if pd.api.types.is_numeric_dtype(cells.dtype):
        values = cells.to_numpy(dtype=np.float64, na_value=np.nan)
        out = np.array(["" if np.isnan(v) else (str(int(v)) if float(v).is_integer() else str(v)) for v in values],
                       dtype=object)
        return out
    text = cells.astype(object).where(cells.notna(), "")
    if pd.api.types.infer_dtype(text, skipna=False) != "string":
        text = text.map(_code_text)  # XLSX cells hold numbers as numbers: a code 7 is '7', not '7.0'
    return text.astype(str).str.strip().to_numpy(dtype=object)


def _code_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_codes(table: Table, column: str, what: str, problems: Problems, known: Collection[str] | None) -> None:
    """Empty codes, and codes not in ``known`` (when given), with the nearest known code as a hint."""
    codes = table.text[column]
    problems.add(np.flatnonzero(codes == ""), column, f"empty {what} code")
    if known is None:
        return
    known_list = sorted(set(known))
    unknown_mask = ~pd.Series(codes).isin(known_list).to_numpy() & (codes != "")
    if not unknown_mask.any():
        return
    advice = {}
    for code in pd.unique(codes[unknown_mask]):
        hint = nearest(str(code), known_list)
        advice[code] = f"unknown {what} '{code}'" + (f"; did you mean '{hint}'?" if hint else "")
    problems.add(np.flatnonzero(unknown_mask), column, lambda i: advice[codes[i]])


def repeated(keys: NDArray[np.object_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Positions of keys seen before, and the position where each was first seen (hashing, no sort)."""
    codes, _ = pd.factorize(keys)
    first_seen = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())  # in order of first appearance
    again = np.flatnonzero(first_seen[codes] != np.arange(len(keys)))
    return again, first_seen[codes[again]]


def sorted_codes(values: NDArray[np.object_]) -> tuple[tuple[str, ...], NDArray[np.intp]]:
    """(distinct values sorted, index of each value in them): ``np.unique`` by hashing, for text."""
    codes, uniques = pd.factorize(values, sort=True)
    return tuple(str(u) for u in uniques), codes.astype(np.intp)


def read_unit_codes(path: str | Path) -> list[str]:
    """The unit codes of a units table (``brands.csv``: a ``brand_id``, ``code``, … column)."""
    table = read_table(path)
    column = next((c for c in UNIT_ALIASES if c in table.columns), None)
    if column is None:
        raise DataError("cannot find the unit code column", file=str(path), row=1,
                        hint=f"name it one of {', '.join(UNIT_ALIASES)}; columns: {', '.join(table.columns)}")
    return [code for code in (str(v).strip() for v in table[column]) if code]
