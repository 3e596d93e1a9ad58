"""Errors of a web request, and how every error reads in one line.

Why a module: the library's :class:`~nevindex.errors.DataError` names a file's *column* and puts its
hint on a new line, which suits a terminal. A request has *parameters* and a JSON answer has no
line breaks, so the web edge names the parameter and joins the hint with "; " instead.
"""

from __future__ import annotations

from typing import Any

from nevindex.errors import DataError

__all__ = ["ParameterError", "one_line", "problem"]


class ParameterError(DataError):
    """A query parameter or JSON field of the request is wrong: names it (400, or ``status``)."""

    where_label = "parameter"

    def __init__(self, message: str, *, parameter: str, hint: str | None = None, status: int = 400) -> None:
        super().__init__(message, column=parameter, hint=hint)
        self.status_code = status


def one_line(exc: BaseException) -> str:
    """The error as one sentence: where, what, and the hint after "; " (never a literal line break)."""
    if isinstance(exc, DataError):
        return exc.sentence(hint_separator="; ")
    return " ".join(part.strip().lstrip("→").strip() for part in str(exc).splitlines() if part.strip())


def problem(exc: BaseException) -> dict[str, Any]:
    """Machine-readable fields of the error besides its message: the parameter and hint, when known."""
    out: dict[str, Any] = {}
    if isinstance(exc, DataError):
        if exc.column is not None:
            out["parameter" if isinstance(exc, ParameterError) else exc.where_label] = exc.column
        if exc.hint:
            out["hint"] = exc.hint
    return out
