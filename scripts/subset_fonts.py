"""Rebuild the report's vendored fonts (src/nevindex/fonts/) from the full Noto fonts.

Why a script: the package must render Chinese offline on a machine with no CJK fonts, but the full
Noto Sans CJK is ~20 MB per weight. We ship subsets: Latin (Noto Sans) and Simplified Chinese
(Noto Sans CJK SC) covering GB2312 levels 1 and 2 (6,763 hanzi), CJK punctuation, full-width forms and
every character used by our templates, catalogues, shipped methodology files and demo data.

Run after adding strings with characters outside GB2312 (tests/report/test_fonts.py tells you when):

    apt-get install -y fonts-noto-cjk fonts-noto-core      # the full fonts (Debian/Ubuntu)
    /work/venv/bin/python scripts/subset_fonts.py [--data /work/shared/data/nev-brands]

The subsets are renamed (family "NevSans" / "NevSans CJK SC"), as the OFL asks of modified fonts and so
that a system-installed Noto can never be confused with ours.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "src" / "nevindex" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
CJK_SC_INDEX = 2  # "Noto Sans CJK SC" inside the .ttc collection

LATIN_RANGES = [
    (0x20, 0x7E), (0xA0, 0x17F), (0x180, 0x24F),  # ASCII, Latin-1, Latin Extended-A/B
    (0x370, 0x3FF),  # Greek (α, λ, σ in the methods text)
    (0x400, 0x4FF),  # Cyrillic (source titles of the NEV data: Russian-language reposts)
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F),  # punctuation, currency, letterlike
    (0x2190, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF),  # arrows, maths, geometric shapes
]
CJK_RANGES = [
    (0x20, 0x7E), (0xA0, 0xFF),
    (0x2000, 0x206F), (0x2160, 0x217F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF),
    (0x25A0, 0x25FF), (0x2600, 0x26FF),
    (0x3000, 0x303F), (0xFF00, 0xFFEF),  # CJK symbols and punctuation, full-width forms
]


def gb2312_hanzi() -> set[str]:
    """The 6,763 hanzi of GB2312 (level 1: rows 16–55, level 2: rows 56–87)."""
    out: set[str] = set()
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                out.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def string_sources(extra: list[Path]) -> list[Path]:
    """Every text file whose characters the report may print."""
    pkg = ROOT / "src" / "nevindex"
    files = [p for d in ("report/i18n", "report/templates") for p in (pkg / d).rglob("*") if p.is_file()]
    files += [p for d in ("frameworks", "demo") if (pkg / d).exists() for p in (pkg / d).rglob("*")
              if p.suffix in {".yaml", ".yml", ".csv", ".json"}]
    for e in extra:
        files += [p for p in e.rglob("*") if p.suffix in {".csv", ".yaml"}] if e.is_dir() else [e]
    return files


def used_characters(files: list[Path]) -> set[str]:
    chars: set[str] = set()
    for f in files:
        chars |= set(f.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if ord(c) >= 0x2E80}  # CJK and beyond; Latin is covered by ranges


def expand(ranges: list[tuple[int, int]]) -> set[int]:
    return {cp for lo, hi in ranges for cp in range(lo, hi + 1)}


def rename(font: TTFont, family: str, style: str) -> None:
    ps = f"{family.replace(' ', '')}-{style}"
    name = font["name"]
    name.names = [n for n in name.names if n.nameID in (0, 7, 13, 14)]  # keep copyright/licence
    for nid, value in ((1, family), (2, style), (3, f"nevindex subset;{ps}"), (4, f"{family} {style}"),
                       (6, ps), (16, family), (17, style)):
        name.setName(value, nid, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{family} {style}", family


def make(src: TTFont, codepoints: set[int], family: str, style: str, out: Path) -> None:
    options = subset.Options()
    options.layout_features = ["kern", "liga", "calt", "ccmp", "mark", "mkmk", "palt", "halt"]
    options.hinting = False
    options.desubroutinize = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    cmap = src.getBestCmap()
    sub.populate(unicodes=[cp for cp in codepoints if cp in cmap])
    sub.subset(src)
    rename(src, family, style)
    src.save(out)
    print(f"{out.name}: {len(src.getGlyphOrder())} glyphs, {out.stat().st_size / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", default=[],
                        help="extra data file/folder whose characters must be covered (repeatable)")
    args = parser.parse_args()
    used = used_characters(string_sources(args.data))
    hanzi = gb2312_hanzi()
    print(f"{len(hanzi)} GB2312 hanzi + {len(used - hanzi)} more used by our strings/data")
    cjk = expand(CJK_RANGES) | {ord(c) for c in hanzi | used}
    latin = expand(LATIN_RANGES)
    for style in ("Regular", "Bold", "Italic"):
        make(TTFont(NOTO / f"NotoSans-{style}.ttf"), latin, "NevSans", style, FONTS / f"NevSans-{style}.ttf")
    for style in ("Regular", "Bold"):
        src = TTCollection(NOTO_CJK / f"NotoSansCJK-{style}.ttc").fonts[CJK_SC_INDEX]
        make(src, cjk, "NevSans CJK SC", style, FONTS / f"NevSansCJKsc-{style}.otf")


if __name__ == "__main__":
    main()
