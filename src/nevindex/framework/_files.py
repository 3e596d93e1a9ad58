"""Reading a methodology file by its kind: our YAML, or COINr's iMeta table."""

from __future__ import annotations

from pathlib import Path

from nevindex.errors import MethodologyError
from nevindex.framework._imeta import framework_from_imeta
from nevindex.framework._model import Framework
from nevindex.framework._readers import framework_from_yaml


def load_framework(path: str | Path) -> Framework:
    """Read a methodology file: our YAML format, or a COINr-style iMeta table (.csv/.xlsx)."""
    path = Path(path)
    if not path.exists():
        raise MethodologyError("file not found", file=str(path), hint="check the path to the methodology file")
    if path.suffix.lower() in (".csv", ".xlsx", ".xls", ".parquet"):
        return framework_from_imeta(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MethodologyError(f"cannot read the file ({exc.__class__.__name__})", file=str(path)) from None
    return framework_from_yaml(text, source=str(path))
