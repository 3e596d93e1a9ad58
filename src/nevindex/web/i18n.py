"""English and Chinese text of the portal: one JSON catalogue per language in ``i18n/``.

Templates call ``t("key")``; a key missing in Chinese falls back to English (a test keeps the two
catalogues in step). Names of brands, indicators and elements come from the data and the
methodology (``name.zh``), not from here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
DEFAULT = "en"
HERE = Path(__file__).parent / "i18n"


@cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((HERE / f"{lang}.json").read_text(encoding="utf-8"))


def translate(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (else English, else the key itself), formatted with ``values``."""
    text = catalogue(lang).get(key) if lang in LANGUAGES else None
    if text is None:
        text = catalogue(DEFAULT).get(key, key)
    return text.format(**values) if values else text


def lang_prefix(lang: str) -> str:
    """URL prefix of a language: English at the root, Chinese under ``/zh``."""
    return "" if lang == DEFAULT else f"/{lang}"


def split_lang(path: str) -> tuple[str, str]:
    """(language, path without the language prefix) of a request path."""
    for lang in LANGUAGES:
        if lang != DEFAULT and (path == f"/{lang}" or path.startswith(f"/{lang}/")):
            return lang, path[len(lang) + 1:] or "/"
    return DEFAULT, path or "/"
