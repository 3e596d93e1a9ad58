"""Text in several languages, for every edge (portal, report, CLI): one catalogue class, one file format.

Each area ships its messages as one YAML file per language in a folder of its own
(``web/i18n/``, ``report/i18n/``); nested keys are flattened to dotted ones (``finding.leader``).
Messages are ``str.format`` templates with named placeholders. Numbers are formatted by
:mod:`nevindex.i18n.numbers` (Babel's locale data), never by hand.

This package sits in the lowest layer beside :mod:`nevindex.errors` so that web, report and cli can
all use it; it reads files, but knows nothing of the areas that own them.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from nevindex.errors import NevIndexError

#: The languages every catalogue must have, the default first.
LANGUAGES: tuple[str, ...] = ("en", "zh")
DEFAULT = "en"

__all__ = ["DEFAULT", "LANGUAGES", "Catalogue", "TranslationError", "flatten", "load", "placeholders"]


class TranslationError(NevIndexError):
    """A message key or placeholder is missing from a catalogue, or a language is unknown."""


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": "x"}}`` → ``{"a.b": "x"}`` (the catalogue files nest keys by topic)."""
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


def placeholders(message: str) -> set[str]:
    """The named ``{placeholders}`` of a message (both languages of a key must have the same)."""
    return {field for _, field, _, _ in string.Formatter().parse(message) if field}


class Catalogue:
    """The messages of one language: strict ``t(key, **values)``, lenient ``get``, and list joining.

    ``t`` raises on an unknown key or a missing value, so a document can never ship a raw key or a
    ``{placeholder}``; ``get`` answers None for callers that build keys from data (a group column
    may or may not have a translated label)."""

    def __init__(self, lang: str, messages: Mapping[str, str], *, source: str = ""):
        self.lang = lang
        self.messages = dict(messages)
        self.source = source

    def __contains__(self, key: str) -> bool:
        return key in self.messages

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.messages.get(key, default)

    def t(self, key: str, **values: Any) -> str:
        try:
            message = self.messages[key]
        except KeyError:
            raise TranslationError(f"no message '{key}' in the {self.lang} catalogue {self.source}".rstrip()) \
                from None
        try:
            return message.format(**values)
        except KeyError as exc:
            raise TranslationError(f"message '{key}' ({self.lang}) needs a value for {exc}") from None

    def join(self, items: Iterable[str]) -> str:
        """'a, b and c' / 'a、b和c' (needs ``common.and`` and ``common.list_sep``)."""
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        last = f" {self.t('common.and')} " if self.lang == "en" else self.t("common.and")
        return self.t("common.list_sep").join(items[:-1]) + last + items[-1]


C = TypeVar("C", bound=Catalogue)


@cache
def load(folder: Path, lang: str, kind: type[C] = Catalogue) -> C:  # type: ignore[assignment]
    """The catalogue ``folder/<lang>.yaml`` as a ``kind`` (read once per process)."""
    if lang not in LANGUAGES:
        raise TranslationError(f"unknown language '{lang}'; choose one of {', '.join(LANGUAGES)}")
    import yaml  # here, not at the top: the CLI imports this package for its number formats alone

    path = Path(folder) / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return kind(lang, flatten(data), source=f"({path.parent.parent.name}/{path.parent.name}/{path.name})")
