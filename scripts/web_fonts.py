"""Make the portal's webfonts (src/nevindex/fonts/web/*.woff2) from the package's vendored fonts.

Why: a browser on a machine without CJK fonts shows every Chinese glyph of the portal, the static
export and the HTML report as a tofu box. The vendored NevSans CJK SC (made by subset_fonts.py) holds
6,763+ hanzi and weighs 1.6 MB per weight: too much for a web page. The web subset keeps only what we
print — every CJK character of the portal's and the report's catalogues and templates, of the shipped
methodologies (names, units, justifications, method notes) and of the demo data (brand ``name_zh``,
source titles) — plus ASCII, CJK punctuation and full-width forms, as WOFF2. The Latin NevSans is
converted to WOFF2 as it is, so no glyph of our pages depends on a system font.

Run after adding strings (tests/web/test_webfonts.py names the missing characters), then commit:

    /work/main/.venv/bin/python scripts/web_fonts.py
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "nevindex"
FONTS = PKG / "fonts"
OUT = FONTS / "web"
#: Columns of the demo CSVs no page prints (verbatim excerpts and compilers' notes: open data only).
UNPRINTED = {"excerpt", "notes"}
#: ASCII, Latin-1, punctuation, arrows, maths (≥), geometric shapes (the sort marks ▲▼: Noto Sans lacks them), CJK
#: punctuation and full-width forms.
BASE_RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF), (0x3000, 0x303F),
               (0xFF00, 0xFFEF)]
FACES = (("NevSans-Regular.ttf", "NevSans-Regular.woff2", False), ("NevSans-Bold.ttf", "NevSans-Bold.woff2", False),
         ("NevSansCJKsc-Regular.otf", "NevSansCJKsc-Regular.woff2", True),
         ("NevSansCJKsc-Bold.otf", "NevSansCJKsc-Bold.woff2", True))


def is_cjk(ch: str) -> bool:
    """A character a CJK font must draw: wide/full-width, or in the CJK blocks and beyond."""
    return ord(ch) >= 0x2E80 or unicodedata.east_asian_width(ch) in "WF"


def text_sources() -> Iterable[str]:
    """Every text the portal, the static export and the HTML report may print."""
    files = [p for d in ("web/i18n", "web/templates", "report/i18n", "report/templates") for p in (PKG / d).rglob("*")
             if p.is_file()]
    files += [PKG / "web" / "static" / "app.js", *sorted((PKG / "frameworks").glob("*.yaml"))]
    for f in files:
        yield f.read_text(encoding="utf-8")
    for path in sorted((PKG / "demo").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield "".join(v for k, v in row.items() if k not in UNPRINTED and v)


def cjk_characters() -> set[str]:
    return {c for text in text_sources() for c in text if is_cjk(c)}


def codepoints() -> set[int]:
    return {cp for lo, hi in BASE_RANGES for cp in range(lo, hi + 1)} | {ord(c) for c in cjk_characters()}


def make(src: Path, out: Path, keep: set[int] | None) -> None:
    font = TTFont(src)
    if keep is not None:
        options = subset.Options()
        options.layout_features = ["kern", "liga", "calt", "ccmp", "palt", "halt", "vert"]
        options.hinting = False
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        sub = subset.Subsetter(options)
        cmap = font.getBestCmap()
        sub.populate(unicodes=[cp for cp in keep if cp in cmap])
        sub.subset(font)
    font.flavor = "woff2"
    font.save(out)
    print(f"{out.name}: {len(font.getGlyphOrder())} glyphs, {out.stat().st_size / 1e3:.0f} kB")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    keep = codepoints()
    print(f"{len(cjk_characters())} CJK characters in our strings and data")
    for src, out, subset_it in FACES:
        make(FONTS / src, OUT / out, keep if subset_it else None)


if __name__ == "__main__":
    main()
