"""Every catalogue of every area has every key in every language, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

import nevindex
from nevindex import i18n

PACKAGE = Path(nevindex.__file__).parent
#: Every folder of the package that holds a catalogue (found, not listed, so a new area is checked too).
FOLDERS = sorted({p.parent for p in PACKAGE.rglob(f"i18n/{i18n.DEFAULT}.yaml")})


def test_the_areas_are_found() -> None:
    assert {f.parent.name for f in FOLDERS} >= {"web", "report"}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_every_key_in_every_language(folder: Path) -> None:
    cats = {lang: i18n.load(folder, lang).messages for lang in i18n.LANGUAGES}
    keys = set(cats[i18n.DEFAULT])
    assert len(keys) > 50
    for lang, messages in cats.items():
        assert set(messages) == keys, {"missing": sorted(keys - set(messages)), "extra": sorted(set(messages) - keys),
                                       "lang": lang}
        assert all(text.strip() for text in messages.values()), lang
        different = [k for k in keys if i18n.placeholders(messages[k]) != i18n.placeholders(cats[i18n.DEFAULT][k])]
        assert not different, (lang, different)


def test_no_other_catalogue_format_left() -> None:
    """One mechanism: no JSON or gettext catalogue beside the YAML ones."""
    stray = [p for f in FOLDERS for p in f.iterdir() if p.suffix in (".json", ".po", ".mo")]
    assert not stray


def test_strict_and_lenient_lookup(tmp_path: Path) -> None:
    for lang, text in (("en", "a:\n  b: 'Hello {name}'\ncommon: {and: and, list_sep: ', '}\n"),
                       ("zh", "a:\n  b: '你好 {name}'\ncommon: {and: 和, list_sep: 、}\n")):
        (tmp_path / f"{lang}.yaml").write_text(text, encoding="utf-8")
    en, zh = i18n.load(tmp_path, "en"), i18n.load(tmp_path, "zh")
    assert en.t("a.b", name="X") == "Hello X" and zh.t("a.b", name="X") == "你好 X"
    assert en.get("a.c") is None and en.get("a.c", "d") == "d"
    with pytest.raises(i18n.TranslationError, match="no message 'a.c'"):
        en.t("a.c")
    with pytest.raises(i18n.TranslationError, match="needs a value"):
        en.t("a.b")
    with pytest.raises(i18n.TranslationError, match="unknown language 'fr'"):
        i18n.load(tmp_path, "fr")
    assert en.join(["x", "y", "z"]) == "x, y and z" and zh.join(["x", "y", "z"]) == "x、y和z"
