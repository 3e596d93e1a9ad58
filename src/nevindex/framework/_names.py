"""A label in English and, where known, Chinese (shared by the tree's nodes and the raw indicators)."""

from __future__ import annotations

from typing import Any

from nevindex.validation import StrictModel

__all__ = ["Names", "coerce_names"]


class Names(StrictModel):
    """A label in English and, where known, Chinese."""

    en: str
    zh: str | None = None

    def get(self, lang: str = "en") -> str:
        return (self.zh if lang == "zh" and self.zh else self.en) or ""


def coerce_names(value: Any) -> Any:
    """A plain string is the English label."""
    if isinstance(value, str):
        return {"en": value}
    return value
