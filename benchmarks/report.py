"""Time the report of the NEV demonstration edition: inputs, model, charts+HTML, PDF, per language.

    PYTHONPATH=src python benchmarks/report.py [YEAR]

Target (issue 7): under a minute for the whole report.
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2024
    from nevindex.report.render import render_html, render_pdf
    from nevindex.report.sources import from_demo

    t0 = time.perf_counter()
    inputs = from_demo(year)
    t1 = time.perf_counter()
    print(f"inputs (build {year} and earlier editions): {t1 - t0:6.2f} s")
    for lang in ("en", "zh"):
        a = time.perf_counter()
        model = inputs.model(lang)
        b = time.perf_counter()
        html = render_html(model)
        c = time.perf_counter()
        pdf = render_pdf(model)
        d = time.perf_counter()
        print(f"{lang}: model {b - a:5.2f} s · HTML {c - b:5.2f} s ({len(html) / 1e6:.2f} MB) · "
              f"PDF {d - c:5.2f} s ({len(pdf) / 1e6:.2f} MB, {len(model.units)} brands) · total {d - a + t1 - t0:5.2f} s")


if __name__ == "__main__":
    main()
