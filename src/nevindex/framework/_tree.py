"""Structural rules of the tree that field checks cannot see: codes, parents, cycles, one root."""

from __future__ import annotations

from typing import Any

from nevindex.validation import nearest

#: The deepest tree a methodology may have (root = level 1). Real indices have 3–5 levels; the limit
#: keeps every walk of the tree (and the reports that draw it) small.
MAX_LEVELS = 64


def validate_depth(parent_of: dict[str, str | None]) -> None:
    """Refuse a cycle, or a tree deeper than :data:`MAX_LEVELS`, naming the first node too deep."""
    depth = depths({c: (p if p in parent_of else None) for c, p in parent_of.items()})
    if not depth:
        return
    deepest = max(depth, key=lambda code: depth[code])
    if depth[deepest] > MAX_LEVELS:
        too_deep = next(code for code in parent_of if depth[code] == MAX_LEVELS + 1)
        also = f"; '{deepest}' is {depth[deepest]:,} down" if deepest != too_deep else ""
        raise ValueError(f"node '{too_deep}' is {MAX_LEVELS + 1} levels down from the root{also}: a methodology "
                         f"may have at most {MAX_LEVELS} levels; flatten the tree")


def depths(parent_of: dict[str, str | None]) -> dict[str, int]:
    """Each node's level counted from the root (root = 1), walking up iteratively: O(nodes), no
    recursion, so a tree of any depth is measured (and a cycle found) at once."""
    depth: dict[str, int] = {}
    for start in parent_of:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in depth:
            if current in on_path:
                cycle = " → ".join([*path[path.index(current):], current])
                raise ValueError(f"cycle in the tree: {cycle}")
            path.append(current)
            on_path.add(current)
            current = parent_of.get(current)
        base = 0 if current is None else depth[current]
        for offset, code in enumerate(reversed(path), start=1):
            depth[code] = base + offset
    return depth


def validate_tree(fw: Any) -> None:
    """Structural rules that pydantic field checks cannot see: codes, parents, cycles, root
    (``fw`` is the :class:`Framework` being validated)."""
    seen: dict[str, str] = {}
    for kind, nodes in (("indicator", fw.indicators), ("aggregate", fw.aggregates),
                        ("denominator", fw.denominators)):
        for node in nodes:
            if node.code in seen:
                raise ValueError(f"duplicate code '{node.code}' ({seen[node.code]} and {kind})")
            seen[node.code] = kind
    if not fw.indicators:
        raise ValueError("the framework has no indicators")
    if not fw.aggregates:
        raise ValueError("the framework has no aggregates: add at least an index node")
    aggregate_codes = {a.code for a in fw.aggregates}
    for node in fw.indicators:
        if node.parent is None:
            raise ValueError(f"indicator '{node.code}' has no parent")
    for node in (*fw.indicators, *fw.aggregates):
        if node.parent is None:
            continue
        if node.parent not in aggregate_codes:
            hint = nearest(node.parent, aggregate_codes)
            raise ValueError(
                f"'{node.code}' names parent '{node.parent}', which is not an aggregate"
                + (f" (did you mean '{hint}'?)" if hint else "")
            )
    parent_of = {n.code: n.parent for n in (*fw.indicators, *fw.aggregates)}
    validate_depth(parent_of)
    roots = [a.code for a in fw.aggregates if a.parent is None]
    if len(roots) != 1:
        raise ValueError(f"the tree needs exactly one root aggregate (no parent); found {roots or 'none'}")
    has_child = {n.parent for n in (*fw.indicators, *fw.aggregates)}
    for agg in fw.aggregates:
        if agg.code not in has_child:
            raise ValueError(f"aggregate '{agg.code}' has no children")
    for ind in fw.indicators:
        if ind.denominator in aggregate_codes:
            raise ValueError(f"indicator '{ind.code}' is denominated by aggregate '{ind.denominator}'")
    for set_name, weights in fw.weight_sets.items():
        for code, w in weights.items():
            if code not in parent_of:
                raise ValueError(f"weight set '{set_name}' names unknown node '{code}'")
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
                raise ValueError(f"weight set '{set_name}': weight of '{code}' must be a non-negative number")
    _check_some_weight(fw)


def _check_some_weight(fw: Any) -> None:
    """Refuse an aggregate whose children all weigh 0 (in the methodology or in a weight set): its score,
    a weighted mean over nothing, would be undefined, and every score above it empty or meaningless."""
    children: dict[str, list[str]] = {a.code: [] for a in fw.aggregates}
    for node in (*fw.indicators, *fw.aggregates):
        if node.parent is not None:
            children[node.parent].append(node.code)
    own = {n.code: n.weight for n in (*fw.indicators, *fw.aggregates)}
    for set_name, changes in ((None, {}), *fw.weight_sets.items()):
        weights = {**own, **changes}
        for agg in fw.aggregates:
            kids = children[agg.code]
            if kids and all(weights[k] == 0 for k in kids):
                shown = ", ".join(f"'{k}'" for k in kids[:5]) + (f" and {len(kids) - 5} more" if len(kids) > 5 else "")
                where = f" in weight set '{set_name}'" if set_name else ""
                raise ValueError(f"every child of '{agg.code}' has weight 0{where} ({shown}), so '{agg.code}' cannot "
                                 "be scored: give at least one of them a positive weight, or remove the node")
