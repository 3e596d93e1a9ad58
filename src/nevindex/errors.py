"""One exception family, so every edge (CLI, API, report) can turn failures into a sentence.

Each error carries enough context (file, row, column, setting) for a person to fix the input
without reading a traceback. The CLI prints ``str(error)`` and exits 2; the API returns 4xx.
"""

from __future__ import annotations

__all__ = [
    "NevIndexError", "DataError", "MethodologyError", "RecipeError", "ComputationError", "NotFoundError",
    "ImmutableError", "KernelError", "OutputError", "DeprecatedSettingWarning"
]


class NevIndexError(Exception):
    """Base of every error nevindex raises on purpose."""

    #: HTTP status an API edge should answer with.
    status_code: int = 400


class DataError(NevIndexError):
    """The data file is wrong: names the file and, where known, row and column."""

    #: What ``column`` names in this kind of error ("column" of a table, "setting" of a recipe).
    where_label = "column"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message, self.file, self.row, self.column, self.hint = message, file, row, column, hint
        super().__init__(self.sentence())

    def sentence(self, hint_separator: str = "\n  → ") -> str:
        """Where, what, then the hint: on its own line for a terminal, after "; " for a one-line answer."""
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"{self.where_label} '{self.column}'")
        text = (", ".join(where) + ": " if where else "") + self.message
        return text + (f"{hint_separator}{self.hint}" if self.hint else "")


class MethodologyError(DataError):
    """The methodology (framework) file is wrong: names the file and the node or setting."""


class RecipeError(DataError):
    """A method choice is wrong: unknown method or parameter, bad value; names the setting."""

    where_label = "setting"


class ComputationError(NevIndexError):
    """The maths cannot proceed on these data with these choices (e.g. log of a negative)."""


class NotFoundError(NevIndexError):
    """A named thing (edition, brand, indicator) does not exist."""

    status_code = 404


class OutputError(NevIndexError):
    """An output path (``--out``) cannot be written: names the path, why, and what to do.

    Raised before any work where possible (:func:`nevindex.io.prepare_output`), else when the write
    fails; either way nothing is left half-written.
    """

    def __init__(self, path: str, problem: str, todo: str = "give a path you can write to") -> None:
        self.path, self.problem, self.todo = path, problem, todo
        super().__init__(f"cannot write {path}: {problem}; {todo}.")


class ImmutableError(NevIndexError):
    """Something tried to change a published edition."""

    status_code = 409


class KernelError(ComputationError):
    """Raised by pure kernels, which know positions but not names.

    ``units`` and ``columns`` are indices into the arrays the kernel received; the caller
    (``build``) re-raises a :class:`ComputationError` with unit codes and indicator codes.
    """

    def __init__(self, message: str, *, units: list[int] | None = None, columns: list[int] | None = None):
        self.message = message
        self.units = list(units or [])
        self.columns = list(columns or [])
        super().__init__(message)


class DeprecatedSettingWarning(FutureWarning):
    """A setting was written under an old name: it still works, under its new name.

    A ``FutureWarning`` (shown by default, to the people who write the files) rather than a
    ``DeprecationWarning`` (hidden outside the code that triggers it).
    """
