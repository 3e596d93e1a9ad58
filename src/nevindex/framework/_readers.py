"""Reading a methodology: our YAML format (and any parsed mapping), errors as one sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from nevindex.canonical import plain
from nevindex.errors import MethodologyError
from nevindex.framework._model import SOURCE_KEY, Framework
from nevindex.framework._tree import validate_depth
from nevindex.io import load_yaml
from nevindex.recipe import upgrade_mapping
from nevindex.validation import validate


def framework_from_mapping(data: Mapping[str, Any], *, source: str = "<framework>", quiet: bool = False) -> Framework:
    """Validate a parsed YAML mapping, turning pydantic's errors into one readable sentence.

    Old names of recipe settings (in ``recipe`` and in indicators' ``params``) are read under their
    new names, with a warning naming this file (none when ``quiet``, as the store reads its own).
    """
    body = _upgrade(data, source, quiet)
    _check_depth(body, source)
    fw = validate(Framework, body, error=MethodologyError, source=source,
                  where=lambda loc: _describe_location(loc, body))
    try:
        fw.__dict__[SOURCE_KEY] = plain(data)  # the author's own keys: what the hash covers
    except TypeError:  # a mapping built in code with objects in it: its settings are the content
        pass
    return fw


def _check_depth(body: Mapping[str, Any], source: str) -> None:
    """The tree's depth from the raw mapping, before the model is built: a tree 20,000 levels deep is
    refused in milliseconds, naming the node (the model's own check, ``validate_tree``, says the same)."""
    parent_of: dict[str, str | None] = {}
    for section in ("aggregates", "indicators"):
        for node in body.get(section) or ():
            if not isinstance(node, Mapping) or not isinstance(node.get("code"), str):
                return  # malformed: the model's validation names the problem
            parent = node.get("parent")
            parent_of[node["code"]] = parent if isinstance(parent, str) else None
    try:
        validate_depth(parent_of)
    except ValueError as exc:
        raise MethodologyError(str(exc), file=source) from None


def _upgrade(data: Mapping[str, Any], source: str, quiet: bool) -> dict[str, Any]:
    body = dict(data)
    if isinstance(body.get("recipe"), Mapping):
        body["recipe"] = upgrade_mapping(body["recipe"], f"{source} (recipe)", quiet=quiet)
    if isinstance(body.get("indicators"), list):
        inds = []
        for ind in body["indicators"]:
            if isinstance(ind, Mapping) and isinstance(ind.get("params"), Mapping):
                where = f"{source} (indicator '{ind.get('code')}', params)"
                ind = {**ind, "params": upgrade_mapping(ind["params"], where, quiet=quiet)}
            inds.append(ind)
        body["indicators"] = inds
    return body


def _describe_location(loc: list[Any], data: Mapping[str, Any]) -> str:
    """Turn ('indicators', 3, 'direction') into "indicator 'nev_sales', setting 'direction'"."""
    if len(loc) >= 2 and loc[0] in ("indicators", "aggregates", "denominators", "raw_indicators") and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        code = items[loc[1]].get("code") if loc[1] < len(items) and isinstance(items[loc[1]], Mapping) else None
        label = f"{loc[0][:-1]} '{code}'" if code else f"{loc[0][:-1]} #{loc[1] + 1}"
        rest = [str(p) for p in loc[2:] if not isinstance(p, int)]
        return label + (f", setting '{'.'.join(rest)}'" if rest else "")
    return "setting '" + ".".join(str(p) for p in loc) + "'" if loc else ""


def framework_from_yaml(text: str, *, source: str = "<yaml>", quiet: bool = False) -> Framework:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise MethodologyError(f"not valid YAML ({getattr(exc, 'problem', exc)})", file=source, row=row) from None
    if not isinstance(data, Mapping) or not data:
        raise MethodologyError(
            "the file is empty or not a mapping",
            file=source,
            hint="a methodology file needs 'framework', 'aggregates' and 'indicators' sections",
        )
    return framework_from_mapping(data, source=source, quiet=quiet)
