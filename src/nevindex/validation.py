"""Validation of settings files (recipe, methodology, uncertainty spec): one rule for all of them.

Each file is a strict pydantic model (unknown keys refused, values frozen). A validation error
becomes one sentence naming the setting, and an unknown key gets the nearest valid name, found
with one cutoff everywhere so the hints read the same whichever file was wrong.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["NEAREST_CUTOFF", "StrictModel", "nearest", "explain", "fields_at", "validate"]

#: Similarity (difflib ratio) a name needs to be offered as "did you mean …?".
NEAREST_CUTOFF = 0.6

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """A settings model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def nearest(word: Any, options: Iterable[Any]) -> str | None:
    """The closest valid name to ``word``, for "did you mean …?" hints (None if nothing is close)."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=NEAREST_CUTOFF)
    return match[0] if match else None


def fields_at(model: type[BaseModel], loc: Iterable[Any]) -> list[str]:
    """Field names of the model found by following ``loc`` (field names and list positions) down
    from ``model``; empty when the path leaves the models (a free mapping, a plain value)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        candidates = [a for a in (ann, *getattr(ann, "__args__", ())) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return []
        current = candidates[0]
    return list(getattr(current, "model_fields", {}))


def explain(exc: ValidationError, model: type[BaseModel]) -> tuple[list[Any], str]:
    """The location and a one-sentence message of a validation error's first problem (an unknown key first).

    An unknown key reads ``unknown setting 'colour'`` plus ``(did you mean 'color'?)`` when a valid
    name is close; other messages are pydantic's without its ``Value error,`` prefix.
    """
    errors = exc.errors()
    # a mistyped key is both unknown and a required key missing: the unknown one, with its hint, explains both
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = list(err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden" and loc:
        hint = nearest(loc[-1], fields_at(model, loc[:-1]))
        msg = f"unknown setting '{loc[-1]}'" + (f" (did you mean '{hint}'?)" if hint else "")
    elif err["type"] == "missing":
        msg = "this setting is required"
    return loc, msg


def validate(model: type[M], data: Any, *, error: Callable[..., Exception], source: str | None,
             where: Callable[[list[Any]], str] | None = None) -> M:
    """``model`` validated from ``data``, or ``error(message, file=source, column=…)`` naming the
    setting. With ``where``, the location is described in the message instead (``indicator 'x',
    setting 'direction'``) and no column is given."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, msg = explain(exc, model)
        if where is not None:
            place = where(loc)
            raise error(f"{place}: {msg}" if place else msg, file=source) from None
        raise error(msg, file=source, column=".".join(str(p) for p in loc) or None) from None
