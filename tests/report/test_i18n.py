"""Both catalogues carry the same keys and placeholders; every key the templates use exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nevindex.report.i18n import (
    LANGS,
    TranslationError,
    fmt_number,
    fmt_percent,
    fmt_signed,
    load_catalogue,
    placeholders,
)
from nevindex.report.render import PACKAGE_TEMPLATES


def test_same_keys_in_both_languages():
    en, zh = (set(load_catalogue(lang).messages) for lang in LANGS)
    assert en == zh, {"only en": sorted(en - zh), "only zh": sorted(zh - en)}


def test_same_placeholders_per_message():
    en, zh = load_catalogue("en"), load_catalogue("zh")
    different = {k: (placeholders(v), placeholders(zh.messages[k])) for k, v in en.messages.items()
                 if placeholders(v) != placeholders(zh.messages[k])}
    assert not different


def test_no_message_left_untranslated_or_empty():
    en, zh = load_catalogue("en"), load_catalogue("zh")
    assert all(v.strip() for v in en.messages.values())
    assert all(v.strip() for v in zh.messages.values())
    # a Chinese message identical to the English one is untranslated, unless it is a symbol/code
    same = [k for k, v in en.messages.items()
            if v == zh.messages[k] and re.search(r"[a-z]{3,}", re.sub(r"\{\w+\}", "", v))]
    assert not same, same


def literal_keys() -> set[str]:
    keys = set()
    for path in Path(PACKAGE_TEMPLATES).glob("*.j2"):
        keys |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    src = Path(PACKAGE_TEMPLATES).parent
    for path in src.glob("*.py"):
        keys |= set(re.findall(r"""\bt\(\s*f?["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    return keys


def test_every_literal_key_used_exists():
    keys = literal_keys()
    assert len(keys) > 80  # the scan itself works
    messages = load_catalogue("en").messages
    missing = sorted(k for k in keys if k not in messages and not k.endswith("."))
    prefixes = [k for k in keys if k.endswith(".") and not any(m.startswith(k) for m in messages)]
    assert not missing and not prefixes


def test_strict_lookup():
    cat = load_catalogue("en")
    with pytest.raises(TranslationError, match="no message"):
        cat.t("no.such.key")
    with pytest.raises(TranslationError, match="needs a value"):
        cat.t("report.title")


def test_number_formats():
    assert fmt_number(3.14159) == "3.1"
    assert fmt_number(-0.04) == "0.0"  # never "-0.0"
    assert fmt_number(float("nan")) == "–"
    assert fmt_number(12345.678, 0) == "12,346"
    # Python's rounding of the binary value: 2.25 is exact, a tie, so to even; 2.35 is a little above
    assert fmt_signed(2.25, 1) == "+2.2" and fmt_signed(2.35, 1) == "+2.4"
    assert fmt_signed(-1.0) == "-1.0"
    # 0.915 × 100 is 91.50000000000001 in binary (up); 0.925 × 100 is exactly 92.5 (a tie, to even)
    assert fmt_percent(0.915) == "92%" and fmt_percent(0.925) == "92%"


def test_join_lists_per_language():
    assert load_catalogue("en").join(["a", "b", "c"]) == "a, b and c"
    assert load_catalogue("zh").join(["甲", "乙", "丙"]) == "甲、乙和丙"
