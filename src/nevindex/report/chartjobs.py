"""Draw the report's charts in parallel: each chart is a pure function of its data, and matplotlib
spends most of a report's chart time measuring text, one chart at a time on one core.

:class:`Jobs` records the calls (``jobs.add(charts.radar, ...)`` returns a placeholder), :meth:`Jobs.run`
draws them — in worker processes when there are enough charts and cores, else in this process — and
:func:`resolve` puts the SVG text where the placeholders were. The output is the same either way (the
charts are deterministic). ``NEVINDEX_REPORT_WORKERS`` sets the number of processes (1: serial).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from nevindex.report import charts

__all__ = ["MIN_PARALLEL", "Job", "Jobs", "resolve", "workers"]

#: Fewer charts than this are drawn in this process (a pool costs more than it saves).
MIN_PARALLEL = 8


@dataclass(frozen=True)
class Job:
    index: int


def workers(n_jobs: int) -> int:
    """Worker processes for ``n_jobs`` charts: ``NEVINDEX_REPORT_WORKERS`` if set, else the usable
    cores (at most 8); 1 means serial."""
    setting = os.environ.get("NEVINDEX_REPORT_WORKERS", "").strip()
    if setting.isdigit() and int(setting) >= 1:
        return int(setting)
    if n_jobs < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def _draw(lang: str, fn: Callable[..., str], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    with charts.language(lang):
        return fn(*args, **kwargs)


def _draw_packed(item: tuple[str, Callable[..., str], tuple[Any, ...], dict[str, Any]]) -> str:
    return _draw(*item)


class Jobs:
    """The charts of one report, recorded first and drawn together."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.calls: list[tuple[Callable[..., str], tuple[Any, ...], dict[str, Any]]] = []

    def add(self, fn: Callable[..., str], *args: Any, **kwargs: Any) -> Job:
        self.calls.append((fn, args, kwargs))
        return Job(len(self.calls) - 1)

    def run(self) -> list[str]:
        n = workers(len(self.calls))
        items = [(self.lang, fn, args, kwargs) for fn, args, kwargs in self.calls]
        if n <= 1:
            return [_draw_packed(item) for item in items]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
            return list(pool.map(_draw_packed, items, chunksize=max(1, len(items) // (4 * n))))


def resolve(value: Any, drawn: list[str]) -> Any:
    """``value`` with every :class:`Job` replaced by its chart (dicts and lists walked)."""
    if isinstance(value, Job):
        return drawn[value.index]
    if isinstance(value, dict):
        return {k: resolve(v, drawn) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, drawn) for v in value]
    return value
