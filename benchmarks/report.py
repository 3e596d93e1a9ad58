"""Time the report of the NEV demonstration edition, per language: PDF against a baseline in the same run.

    PYTHONPATH=src python benchmarks/report.py [YEAR]

For each language it prints the wall time of
- the HTML-only report (model + charts + templates): the baseline every PDF includes;
- the PDF (a fresh model: charts drawn again, then WeasyPrint layout and drawing), with its pages;
- the PDF with the charts drawn serially (``NEVINDEX_REPORT_WORKERS=1``), i.e. on one core.
The PDF minus the HTML-only time is WeasyPrint's share. Target (issue 12 item 14): PDF under 6 s per
language on a quiet machine. Figures measured on a loaded machine say little: compare within one run.
"""

from __future__ import annotations

import io
import os
import sys
import time


def _timed(fn):  # noqa: ANN001, ANN202 - a tiny timer
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2024
    from pypdf import PdfReader

    from nevindex.report.render import render_html, render_pdf
    from nevindex.report.sources import from_demo

    inputs, t_inputs = _timed(lambda: from_demo(year))
    print(f"inputs (build {year} and earlier editions): {t_inputs:6.2f} s")
    for lang in ("en", "zh"):
        html, t_html = _timed(lambda lang=lang: render_html(inputs.model(lang)))
        pdf, t_pdf = _timed(lambda lang=lang: render_pdf(inputs.model(lang)))
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        os.environ["NEVINDEX_REPORT_WORKERS"] = "1"
        try:
            _, t_serial = _timed(lambda lang=lang: render_pdf(inputs.model(lang)))
        finally:
            del os.environ["NEVINDEX_REPORT_WORKERS"]
        print(f"{lang}: HTML only {t_html:5.2f} s ({len(html) / 1e6:.2f} MB) · PDF {t_pdf:5.2f} s "
              f"({len(pdf) / 1e6:.2f} MB, {pages} pages; WeasyPrint {t_pdf - t_html:5.2f} s) · "
              f"PDF with serial charts {t_serial:5.2f} s")


if __name__ == "__main__":
    main()
