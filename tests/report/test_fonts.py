"""The vendored fonts cover every character the report prints, are small, and are licensed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from nevindex.report.charts import FONT_DIR
from nevindex.report.i18n import LANGS, load_catalogue
from nevindex.report.render import FONT_FACES, PACKAGE_TEMPLATES

SHARED_BRANDS = Path("/work/shared/data/nev-brands/brands.csv")
PACKAGE = Path(FONT_DIR).parent  # the nevindex package (the fonts are nevindex/fonts)
UNPRINTED = {"excerpt", "notes"}  # columns of the demo CSVs that no report template prints


def covered() -> set[int]:
    cps: set[int] = set()
    for _family, _w, _s, file in FONT_FACES:
        if "Italic" not in file:
            cps |= set(TTFont(FONT_DIR / file).getBestCmap())
    return cps


def report_strings(names: str) -> str:
    parts = [m for lang in LANGS for m in load_catalogue(lang).messages.values()]
    parts += [p.read_text(encoding="utf-8") for p in PACKAGE_TEMPLATES.glob("*")]
    parts.append(names)  # the test panel's brands, elements and indicators
    parts += [path.read_text(encoding="utf-8") for path in PACKAGE.glob("frameworks/*.yaml")]
    for path in PACKAGE.glob("demo/**/*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            # every column the report may print; the verbatim excerpts and compilers' notes are only shown in
            # the open data (they hold e.g. an emoji from a Taiwanese press title that no shipped font has)
            parts += [v for row in csv.DictReader(fh) for k, v in row.items() if k not in UNPRINTED and v]
    if SHARED_BRANDS.exists():
        with SHARED_BRANDS.open(encoding="utf-8") as fh:
            parts += [row["name_zh"] + row["name"] for row in csv.DictReader(fh)]
    return "".join(parts)


def test_every_printed_character_has_a_glyph(report_text):
    have = covered()
    text = report_strings(report_text)
    missing = sorted({c for c in text if ord(c) >= 0x20 and ord(c) not in have and c not in "\n\t\r"})
    assert not missing, f"rerun scripts/subset_fonts.py: {''.join(missing)!r}"


def test_common_hanzi_are_covered():
    have = covered()
    level1 = [bytes([r, c]).decode("gb2312") for r in range(0xB0, 0xD8) for c in range(0xA1, 0xFF)
              if not (r == 0xD7 and c > 0xF9)]
    assert len(level1) == 3755
    assert all(ord(ch) in have for ch in level1)


def test_fonts_are_small_and_licensed():
    total = sum(p.stat().st_size for p in FONT_DIR.glob("*.[ot]tf"))
    assert total < 5_000_000
    text = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text


@pytest.mark.parametrize("file", [f for *_x, f in FONT_FACES])
def test_fonts_carry_our_family_name(file):
    name = TTFont(FONT_DIR / file)["name"].getDebugName(1)
    assert name.startswith("NevSans")


def test_an_html_report_on_disk_has_its_webfonts_beside_it(tmp_path):
    """The HTML links fonts/…woff2: writing it without them would leave Chinese as tofu in a browser
    on a machine without CJK fonts."""
    import re

    from nevindex.report.files import write_html_report
    from nevindex.report.render import font_css

    html = f"<html><head><style>{font_css(embed=False)}</style></head><body>比亚迪</body></html>"
    written = write_html_report(tmp_path / "out" / "report-zh.html", html)
    linked = set(re.findall(r'url\("(fonts/[^"]+)"\)', html))
    assert linked and all((tmp_path / "out" / link).is_file() for link in linked)
    assert {p.relative_to(tmp_path / "out").as_posix() for p in written} == linked | {"report-zh.html"}
