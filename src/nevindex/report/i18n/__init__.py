"""Message catalogues of the report (en, zh): every label and generated sentence lives here.

Strict on purpose: an unknown key or a missing placeholder value raises, so a report can never ship
with a raw key or a ``{placeholder}`` in it. Both catalogues must have the same keys (tested).
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nevindex.errors import NevIndexError

__all__ = ["Catalogue", "HERE", "LANGS", "TranslationError", "fmt_number", "fmt_percent", "fmt_rank",
           "fmt_signed", "load_catalogue", "placeholders"]


LANGS = ("en", "zh")
HERE = Path(__file__).parent


class TranslationError(NevIndexError):
    """A message key or placeholder is missing from a catalogue."""


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


def placeholders(message: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(message) if field}


class Catalogue:
    """Messages of one language: ``t(key, **values)`` and number formatting."""

    def __init__(self, lang: str, messages: Mapping[str, str]):
        self.lang = lang
        self.messages = dict(messages)

    def __contains__(self, key: str) -> bool:
        return key in self.messages

    def t(self, key: str, **values: Any) -> str:
        try:
            message = self.messages[key]
        except KeyError:
            raise TranslationError(f"no message '{key}' in the {self.lang} catalogue") from None
        try:
            return message.format(**values)
        except KeyError as exc:
            raise TranslationError(f"message '{key}' ({self.lang}) needs a value for {exc}") from None

    def reason(self, key: str | None) -> str:
        """Why a part is missing: an ``availability.*`` key, or ``failed:<detail>``."""
        if not key:
            return ""
        key, _, detail = key.partition(":")
        return self.t(f"availability.{key}", detail=detail) if detail else self.t(f"availability.{key}")

    def join(self, items: list[str]) -> str:
        """'a, b and c' / 'a、b和c'."""
        if len(items) <= 1:
            return "".join(items)
        last = f" {self.t('common.and')} " if self.lang == "en" else self.t("common.and")
        return self.t("common.list_sep").join(items[:-1]) + last + items[-1]


def fmt_number(value: Any, digits: int = 1) -> str:
    """Fixed decimals, en dash for missing; same in both languages (Chinese reports use Arabic digits)."""
    if value is None:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "–"
    return f"{round(x, digits) + 0.0:,.{digits}f}"  # + 0.0: never print "-0.0"


def fmt_signed(value: Any, digits: int = 1) -> str:
    text = fmt_number(value, digits)
    return text if text.startswith(("-", "–")) or text.replace("0", "").replace(".", "") == "" else "+" + text


def fmt_rank(value: Any) -> str:
    return fmt_number(value, 0)


def fmt_percent(value: Any, digits: int = 0) -> str:
    text = fmt_number(None if value is None else float(value) * 100, digits)
    return text if text == "–" else text + "%"


@cache
def load_catalogue(lang: str) -> Catalogue:
    if lang not in LANGS:
        raise TranslationError(f"unknown report language '{lang}'; choose one of {', '.join(LANGS)}")
    data = yaml.safe_load((HERE / f"{lang}.yaml").read_text(encoding="utf-8"))
    return Catalogue(lang, _flatten(data))
