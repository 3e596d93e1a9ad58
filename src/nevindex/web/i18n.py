"""English and Chinese text of the portal: ``i18n/en.yaml`` and ``i18n/zh.yaml`` beside this module.

The files are read by the one catalogue class of :mod:`nevindex.i18n` (the report uses the same).
Templates call ``t("key")``. Unlike the report, the portal is lenient: templates build some keys
from data (``t('group_' ~ column)``) and fall back to the column's own name, so an unknown key
answers itself; a key missing in Chinese falls back to English (a test keeps the two catalogues in
step). Names of brands, indicators and elements come from the data and the methodology
(``name.zh``), not from here.
"""

from __future__ import annotations

from pathlib import Path

from nevindex import i18n
from nevindex.i18n import DEFAULT, LANGUAGES

HERE = Path(__file__).parent / "i18n"

__all__ = ["DEFAULT", "HERE", "LANGUAGES", "catalogue", "lang_prefix", "split_lang", "translate"]


def catalogue(lang: str) -> i18n.Catalogue:
    """The portal catalogue of ``lang`` (read once per process)."""
    return i18n.load(HERE, lang)


def translate(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (else English, else the key itself), formatted with ``values``."""
    text = catalogue(lang).get(key) if lang in LANGUAGES else None
    if text is None:
        text = catalogue(DEFAULT).get(key, key)
    return text.format(**values) if values else text  # type: ignore[union-attr]


def lang_prefix(lang: str) -> str:
    """URL prefix of a language: English at the root, Chinese under ``/zh``."""
    return "" if lang == DEFAULT else f"/{lang}"


def split_lang(path: str) -> tuple[str, str]:
    """(language, path without the language prefix) of a request path."""
    for lang in LANGUAGES:
        if lang != DEFAULT and (path == f"/{lang}" or path.startswith(f"/{lang}/")):
            return lang, path[len(lang) + 1:] or "/"
    return DEFAULT, path or "/"
