"""How fast deep trees are refused: 20,000-level methodologies (prints figures; not a test).

    PYTHONPATH=src python benchmarks/deep_trees.py [--repeats 5]

The trees of tests/engine/test_deep_trees.py: one chain of 20,000 aggregates with two indicators under
the last (refused: deeper than ``MAX_LEVELS``), the same chain closed on itself (refused: a cycle), and
the 2,000-level chain read from a YAML file. The baseline, measured in the same run, is an accepted tree
of the same size (20,002 nodes) only 10 levels deep: a root with 2,222 chains of 8 aggregates, one
indicator under each (three more under the first). Each figure is the median of ``--repeats`` runs
(min–max). Before the iterative walk, the 20,000-level tree hung (the cycle check was cubic in the depth).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from nevindex.errors import MethodologyError
from nevindex.framework import framework_from_mapping, load_framework


def chain(aggregates: int) -> dict:
    """As ``_chain`` in tests/engine/test_deep_trees.py: ``aggregates + 1`` levels."""
    last = f"L{aggregates - 1}"
    return {"framework": {"code": "DEEP", "version": "1", "name": {"en": "Deep"}},
            "aggregates": [{"code": "L0", "name": "L0"}]
            + [{"code": f"L{i}", "name": f"L{i}", "parent": f"L{i - 1}", "weight": 1} for i in range(1, aggregates)],
            "indicators": [{"code": c, "name": c, "parent": last, "weight": 1, "direction": 1} for c in ("a", "b")]}


def cycle(aggregates: int) -> dict:
    data = chain(aggregates)
    data["aggregates"][0]["parent"] = f"L{aggregates - 1}"  # no root: the chain closes on itself
    return data


def shallow(chains: int = 2_222, length: int = 8) -> dict:
    """A valid 10-level tree: root R, ``chains`` chains of ``length`` aggregates, an indicator under each."""
    aggregates = [{"code": "R", "name": "R"}]
    indicators = []
    for c in range(chains):
        parent = "R"
        for d in range(length):
            code = f"C{c}_{d}"
            aggregates.append({"code": code, "name": code, "parent": parent, "weight": 1})
            parent = code
        indicators.append({"code": f"i{c}", "name": f"i{c}", "parent": parent, "weight": 1, "direction": 1})
    indicators += [{"code": f"x{k}", "name": f"x{k}", "parent": "C0_7", "weight": 1, "direction": 1} for k in range(3)]
    return {"framework": {"code": "WIDE", "version": "1", "name": {"en": "Wide"}},
            "aggregates": aggregates, "indicators": indicators}


def timed(fn, repeats: int, *, refused: bool) -> tuple[float, float, float]:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            fn()
        except MethodologyError:
            if not refused:
                raise
        else:
            if refused:
                raise AssertionError("expected a MethodologyError")
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    deep, closed, wide = chain(20_000), cycle(20_000), shallow()
    nodes = len(wide["aggregates"]) + len(wide["indicators"])
    assert nodes == len(deep["aggregates"]) + len(deep["indicators"]) == 20_002
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deep.yaml"
        path.write_text(yaml.safe_dump(chain(2_000)), encoding="utf-8")
        rows = [
            ("baseline: 10 levels, 20,002 nodes, accepted", lambda: framework_from_mapping(wide), False),
            ("20,000 levels, refused (too deep)", lambda: framework_from_mapping(deep), True),
            ("20,000-node cycle, refused", lambda: framework_from_mapping(closed), True),
            ("2,000 levels from a YAML file, refused", lambda: load_framework(path), True),
        ]
        print(f"framework_from_mapping / load_framework, median of {args.repeats} runs (min–max)")
        results = {}
        for name, fn, refused in rows:
            med, lo, hi = timed(fn, args.repeats, refused=refused)
            results[name] = med
            print(f"  {name:46} {med:7.3f} s  ({lo:.3f}–{hi:.3f})")
    base = results[rows[0][0]]
    for name, *_ in rows[1:]:
        print(f"  {name:46} {results[name] / base:7.2f}× the baseline")


if __name__ == "__main__":
    main()
