"""Chinese translations kept beside their English text in ``meta`` mappings (``key`` / ``key_zh``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRANSLATION_SUFFIX = "_zh"


def meta_text(meta: Mapping[str, Any] | None, key: str, lang: str = "en", default: Any = None) -> Any:
    """``meta[key]`` in ``lang``: the ``key_zh`` translation for Chinese when present, else the English
    ``meta[key]`` (else ``default``). An {en, zh} mapping value is resolved the same way."""
    meta = meta or {}
    if lang == "zh" and meta.get(key + TRANSLATION_SUFFIX):
        return meta[key + TRANSLATION_SUFFIX]
    value = meta.get(key, default)
    if isinstance(value, Mapping) and set(value) <= {"en", "zh"} and "en" in value:
        return value.get(lang) or value.get("en")
    return value


def check_translations(meta: Mapping[str, Any], where: str = "meta") -> None:
    """Every ``*_zh`` entry is non-empty text, or a mapping of non-empty texts whose keys all exist in
    the English sibling mapping (so a typo in a note name cannot hide a translation)."""
    for key, value in meta.items():
        here = f"{where}.{key}"
        if isinstance(key, str) and key.endswith(TRANSLATION_SUFFIX) and len(key) > len(TRANSLATION_SUFFIX):
            base = meta.get(key[: -len(TRANSLATION_SUFFIX)])
            if isinstance(value, Mapping):
                if not isinstance(base, Mapping):
                    raise ValueError(f"{here} is a mapping but {key[:-3]} is not")
                extra = sorted(str(k) for k in value if k not in base)
                if extra:
                    raise ValueError(f"{here} translates {extra}, which {key[:-3]} does not have")
                for k, v in value.items():
                    if not isinstance(v, str) or not v.strip():
                        raise ValueError(f"{here}.{k} must be non-empty text")
            elif not isinstance(value, str) or not value.strip():
                raise ValueError(f"{here} must be non-empty text")
        elif isinstance(value, Mapping):
            check_translations(value, here)


def translations_are_text(meta: dict[str, Any]) -> dict[str, Any]:
    check_translations(meta)
    return meta
