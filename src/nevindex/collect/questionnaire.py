"""The brand questionnaire: what it asks (pure) and the workbook that asks it (openpyxl).

One row per raw indicator the methodology collects by submission, with what the brand needs to
answer it: code, name, definition, unit, reference year, the last published value, an input cell
validated as a number within the hard bounds, the evidence and a note. A cover sheet explains it;
the sheets are protected with only the input cells unlocked, the workbook's structure is locked,
and a hidden sheet (also as defined names) carries the edition, the methodology hash and the
template version, which the import checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nevindex import i18n
from nevindex.framework import RawIndicator

__all__ = ["COLUMNS", "FIRST_ROW", "HEADER_ROW", "META_KEYS", "META_SHEET", "TEMPLATE_VERSION", "Context",
           "catalogue", "write_template"]

#: Bumped whenever the layout changes: a file of another version is refused at import.
TEMPLATE_VERSION = "1"
META_SHEET = "_nevindex"
#: The hidden sheet's keys, one a row (column A), values in column B.
META_KEYS = ("template", "template_version", "edition", "methodology_sha256", "brand", "language", "codes")
#: Questionnaire columns, left to right (their headers come from the catalogue: ``column.<key>``).
COLUMNS = ("code", "name", "definition", "unit", "year", "last", "value", "evidence", "note", "required")
LETTER = {key: chr(ord("A") + i) for i, key in enumerate(COLUMNS)}
INPUTS = ("value", "evidence", "note")
#: The header block: label in A, value in B.
EDITION_CELL, BRAND_CELL, YEAR_CELL, METHODOLOGY_CELL = "B2", "B3", "B4", "B5"
HEADER_ROW, FIRST_ROW = 7, 8
#: Far beyond any figure a brand reports; a cell's validation needs some bound.
OPEN_BOUND = 1e15
HERE = Path(__file__).parent / "i18n"


def catalogue(lang: str) -> i18n.Catalogue:
    return i18n.load(HERE, lang)


@dataclass(frozen=True)
class Context:
    """What the store knows about an edition that a questionnaire needs (gathered by the service)."""

    edition: str
    edition_id: int
    index_name: Mapping[str, str]  # language → the index's name
    year: int  # the reference (data) year
    methodology_sha256: str
    raws: tuple[RawIndicator, ...]  # what the methodology collects by submission, in its order
    units: tuple[str, ...]
    public: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (brand, code) → public value
    last: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (brand, code) → last published
    goalposts: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def raw(self, code: str) -> RawIndicator | None:
        return next((r for r in self.raws if r.code == code), None)


def _bounds_text(cat: i18n.Catalogue, raw: RawIndicator) -> str:
    low, high = raw.bounds.min, raw.bounds.max
    if low is not None and high is not None:
        return cat.t("prompt.bounds", low=f"{low:g}", high=f"{high:g}")
    if low is not None:
        return cat.t("prompt.bounds_low", low=f"{low:g}")
    if high is not None:
        return cat.t("prompt.bounds_high", high=f"{high:g}")
    return ""


def _value_validation(cat: i18n.Catalogue, raw: RawIndicator, year: int):  # type: ignore[no-untyped-def]
    from openpyxl.worksheet.datavalidation import DataValidation

    low = raw.bounds.min if raw.bounds.min is not None else -OPEN_BOUND
    high = raw.bounds.max if raw.bounds.max is not None else OPEN_BOUND
    bounds = _bounds_text(cat, raw)
    return DataValidation(type="decimal", operator="between", formula1=repr(float(low)), formula2=repr(float(high)),
                          allow_blank=True, showErrorMessage=True, showInputMessage=True,
                          errorTitle=cat.t("prompt.error_title")[:32], error=cat.t("prompt.error", bounds=bounds)[:255],
                          promptTitle=cat.t("prompt.value_title")[:32],
                          prompt=cat.t("prompt.value", unit=raw.unit, year=year, bounds=bounds)[:255])


def write_template(ctx: Context, out: str | Path, *, brand: str | None = None, lang: str = "en") -> Path:
    """Write the questionnaire for ``brand`` (or any brand of the edition, chosen in the file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    from nevindex.io import atomic_path

    cat = catalogue(lang)
    index = ctx.index_name.get(lang) or ctx.index_name.get("en", "")
    wb = Workbook()
    cover = wb.active
    cover.title = cat.t("sheet.cover")
    sheet = wb.create_sheet(cat.t("sheet.questionnaire"))
    bold, wrap, unlocked = Font(bold=True), Alignment(wrap_text=True, vertical="top"), Protection(locked=False)
    yellow = PatternFill("solid", fgColor="FFF2CC")

    sheet["A1"] = cat.t("title", index=index, edition=ctx.edition)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell, key, value in ((EDITION_CELL, "edition", ctx.edition), (BRAND_CELL, "brand", brand or ""),
                             (YEAR_CELL, "year", ctx.year), (METHODOLOGY_CELL, "methodology", ctx.methodology_sha256)):
        sheet[f"A{cell[1:]}"] = cat.t(f"field.{key}")
        sheet[f"A{cell[1:]}"].font = bold
        sheet[cell] = value
    if brand is None:  # a questionnaire for any brand of the edition: the brand says who it is
        sheet[BRAND_CELL].protection = unlocked
        sheet[BRAND_CELL].fill = yellow
        choice = DataValidation(type="list", formula1=f"={META_SHEET}!$D$1:$D${len(ctx.units)}", allow_blank=False,
                                showInputMessage=True, prompt=cat.t("prompt.brand")[:255])
        sheet.add_data_validation(choice)
        choice.add(BRAND_CELL)
    for key in COLUMNS:
        c = sheet[f"{LETTER[key]}{HEADER_ROW}"]
        c.value, c.font, c.alignment = cat.t(f"column.{key}"), bold, wrap
    evidence_prompt = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="2000", allow_blank=True,
                                     showInputMessage=True, promptTitle=cat.t("prompt.evidence_title")[:32],
                                     prompt=cat.t("prompt.evidence")[:255])
    sheet.add_data_validation(evidence_prompt)
    for i, raw in enumerate(ctx.raws):
        row = FIRST_ROW + i
        names = raw.name.get(lang) if raw.name else raw.code
        last = ctx.last.get((brand, raw.code)) if brand else None
        values = {"code": raw.code, "name": names, "definition": raw.definition.get(lang) if raw.definition else "",
                  "unit": raw.unit, "year": ctx.year, "last": last if last is not None and math.isfinite(last) else None,
                  "required": cat.t(f"evidence.{raw.evidence}")}
        for key, value in values.items():
            sheet[f"{LETTER[key]}{row}"] = value
            sheet[f"{LETTER[key]}{row}"].alignment = wrap
        for key in INPUTS:
            cell = sheet[f"{LETTER[key]}{row}"]
            cell.protection, cell.fill = unlocked, yellow
        check = _value_validation(cat, raw, ctx.year)
        sheet.add_data_validation(check)
        check.add(f"{LETTER['value']}{row}")
        evidence_prompt.add(f"{LETTER['evidence']}{row}")
    for key, width in (("code", 22), ("name", 28), ("definition", 48), ("unit", 12), ("year", 10), ("last", 14),
                       ("value", 16), ("evidence", 36), ("note", 30), ("required", 12)):
        sheet.column_dimensions[LETTER[key]].width = width
    sheet.freeze_panes = f"A{FIRST_ROW}"

    _cover(cover, cat, ctx, brand, index, bold, wrap)
    meta = wb.create_sheet(META_SHEET)
    values = {"template": "nevindex collect template", "template_version": TEMPLATE_VERSION, "edition": ctx.edition,
              "methodology_sha256": ctx.methodology_sha256, "brand": brand or "", "language": lang,
              "codes": ",".join(r.code for r in ctx.raws)}
    for i, key in enumerate(META_KEYS, start=1):
        meta[f"A{i}"], meta[f"B{i}"] = key, values[key]
        wb.defined_names[f"nevindex_{key}"] = DefinedName(f"nevindex_{key}", attr_text=f"{META_SHEET}!$B${i}")
    for i, unit in enumerate(ctx.units, start=1):
        meta[f"D{i}"] = unit  # the brand list of the brand cell's validation
    meta.sheet_state = "veryHidden"
    for ws in (cover, sheet, meta):
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # widening a column is fine; the cells stay locked
    wb.security.lockStructure = True  # no sheet added, removed, renamed or unhidden
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return Path(out)


def _cover(ws, cat: i18n.Catalogue, ctx: Context, brand: str | None, index: str, bold, wrap) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Font

    ws["A1"] = cat.t("cover.heading")
    ws["A1"].font = Font(bold=True, size=13)
    words = {"index": index, "edition": ctx.edition, "sheet": cat.t("sheet.questionnaire"),
             "value": cat.t("column.value"), "year": ctx.year, "required": cat.t("column.required"),
             "required_word": cat.t("evidence.required"), "last": cat.t("column.last")}
    lines = [cat.t(f"cover.line{i}", **words) for i in range(1, 7)]  # each line takes the words it names
    lines.append(cat.t("cover.brand_given", brand=brand) if brand else
                 cat.t("cover.brand_open", cell=BRAND_CELL, sheet=cat.t("sheet.questionnaire")))
    lines.append(cat.t("cover.version", version=TEMPLATE_VERSION, methodology=ctx.methodology_sha256[:12]))
    for i, line in enumerate(lines, start=3):
        ws[f"A{i}"] = line
        ws[f"A{i}"].alignment = wrap
    row = len(lines) + 4
    ws[f"A{row}"] = cat.t("cover.columns_heading")
    ws[f"A{row}"].font = bold
    ws[f"A{row + 1}"], ws[f"B{row + 1}"] = cat.t("cover.column"), cat.t("cover.meaning")
    for key in COLUMNS:
        row += 1
        ws[f"A{row + 1}"], ws[f"B{row + 1}"] = cat.t(f"column.{key}"), cat.t(f"cover.help.{key}")
    ws.column_dimensions["A"].width = 110
    ws.column_dimensions["B"].width = 70
