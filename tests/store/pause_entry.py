"""Test-only entry point: the nevindex CLI with a store checkpoint that stops at one point.

``python pause_entry.py POINT MARKER ARGS...`` runs ``nevindex ARGS...``; when a store transaction
reaches the checkpoint POINT ("import", "build", "publish") it writes its pid to MARKER and waits,
so that the crash test can SIGKILL it there. Production code has no pause of its own.
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
            time.sleep(120)  # the test kills the process long before this ends

    return checkpoint


if __name__ == "__main__":
    point, marker, *argv = sys.argv[1:]
    set_checkpoint(_stop_at(point, Path(marker)))
    sys.exit(main(argv))
