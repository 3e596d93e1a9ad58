"""Message catalogues of the report (en, zh): every label and generated sentence lives here.

The files are ``en.yaml`` and ``zh.yaml`` beside this module, read by the one catalogue class of
:mod:`nevindex.i18n` (the portal uses the same). Strict on purpose: an unknown key or a missing
placeholder value raises, so a report can never ship with a raw key or a ``{placeholder}`` in it.
Both catalogues must have the same keys (tested). Numbers come from :mod:`nevindex.i18n.numbers`,
with the report's en dash for a missing value.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from nevindex import i18n
from nevindex.i18n import LANGUAGES as LANGS
from nevindex.i18n import TranslationError, placeholders
from nevindex.i18n import numbers as _numbers

HERE = Path(__file__).parent
#: The report's sign for a missing number.
MISSING = "–"

__all__ = ["HERE", "LANGS", "MISSING", "Catalogue", "TranslationError", "fmt_number", "fmt_percent", "fmt_rank",
           "fmt_signed", "load_catalogue", "placeholders"]

fmt_number = partial(_numbers.number, missing=MISSING)
fmt_signed = partial(_numbers.signed, missing=MISSING)
fmt_rank = partial(_numbers.rank, missing=MISSING)
fmt_percent = partial(_numbers.percent, missing=MISSING)


class Catalogue(i18n.Catalogue):
    """The report's messages, with the sentence for a part of the report that could not be made."""

    def reason(self, key: str | None) -> str:
        """Why a part is missing: an ``availability.*`` key, or ``failed:<detail>``."""
        if not key:  # never "Not available:" and nothing after it
            return self.t("availability.unknown")
        key, _, detail = key.partition(":")
        return self.t(f"availability.{key}", detail=detail) if detail else self.t(f"availability.{key}")


def load_catalogue(lang: str) -> Catalogue:
    """The report catalogue of ``lang`` (read once per process)."""
    if lang not in LANGS:
        raise TranslationError(f"unknown report language '{lang}'; choose one of {', '.join(LANGS)}")
    return i18n.load(HERE, lang, Catalogue)
