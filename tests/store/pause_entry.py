"""Test-only entry point: the nevindex CLI with a store checkpoint that stops at one point.

``python pause_entry.py POINT MARKER ARGS...`` runs ``nevindex ARGS...``; when a store transaction
reaches the checkpoint POINT ("import", "build", "publish") it writes its pid to MARKER and waits,
so that the crash test can SIGKILL it there (or, with NEVINDEX_TEST_GO=FILE, goes on once FILE exists:
a barrier for races); POINT "export" pauses an open-data export while it
writes its workbook (its files half-written aside). Production code has no pause of its own.
"""

import os
import sys
import time
from pathlib import Path

from nevindex.cli import main
from nevindex.store._session import set_checkpoint


def _stop_at(point: str, marker: Path):  # noqa: ANN202
    def checkpoint(name: str) -> None:
        if name == point:
            marker.write_text(str(os.getpid()))
            go = os.environ.get("NEVINDEX_TEST_GO")  # a barrier: wait until the test says go
            deadline = time.monotonic() + 120  # the test kills the process (or says go) long before this
            while time.monotonic() < deadline and not (go and Path(go).exists()):
                time.sleep(0.05)

    return checkpoint


if __name__ == "__main__":
    point, marker, *argv = sys.argv[1:]
    pause = _stop_at(point, Path(marker))
    set_checkpoint(pause)
    if point == "export":
        from nevindex.store import opendata

        write_xlsx = opendata.write_xlsx_streaming

        def paused_xlsx(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            write_xlsx(*args, **kwargs)
            pause("export")

        opendata.write_xlsx_streaming = paused_xlsx
    sys.exit(main(argv))
