"""The one canonical form the methodology and recipe hashes are computed over.

A stored hash must mean the same thing to every later release, so it is a hash of what the user
gave (the methodology's YAML mapping, the recipe's JSON mapping), never of a model's dump, which
grows a key whenever a release adds a setting. docs/editions.md ("Hashes") defines the form:

- ``methodology_sha256``: SHA-256 of ``json.dumps(mapping, sort_keys=True, ensure_ascii=False)``
  (UTF-8) of the methodology mapping as stored (``yaml.safe_load`` of the stored text);
- ``recipe_sha256``: SHA-256 of ``json.dumps(mapping, sort_keys=True)`` (ASCII) of the stored
  method choices without the data year.

The mapping is first made plain JSON data: keys become text, tuples lists, dates ISO text. (The two
serialisations differ only by ``ensure_ascii``, as the releases before this one wrote them, so a
recipe hashed then is hashed the same now.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["methodology_sha256", "plain", "recipe_sha256"]


def plain(value: Any) -> Any:
    """``value`` as plain JSON data (a copy): mappings with text keys, lists, text, numbers, None."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"a methodology or recipe holds {type(value).__name__} {value!r}, which has no canonical form")


def methodology_sha256(mapping: Mapping[str, Any]) -> str:
    """The hash of a methodology mapping as given (its own keys; no model defaults)."""
    text = json.dumps(plain(mapping), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recipe_sha256(mapping: Mapping[str, Any]) -> str:
    """The hash of a recipe mapping (the method choices, without the data year)."""
    text = json.dumps(plain(mapping), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
