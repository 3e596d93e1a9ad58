"""Copy the shared, sourced NEV data set into the package (src/nevindex/demo/nev-brands/).

Why a script: the package ships its own copy of the data so that ``nevindex demo`` works offline
and every edition is reproducible from the installed package; the team's working copy lives in
``../shared/data/nev-brands/``. One command makes the copy equal to it again after rows land there:

    python scripts/sync_demo_data.py [--from ../shared/data/nev-brands] [--check]

Files are copied byte for byte (nothing is converted or reformatted); a file that is no longer in
the source is removed from the copy, so the two folders hold the same files. ``--check`` changes
nothing and exits 1 when the copy differs (tests/nev/test_nev_data.py makes the same comparison).
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "nevindex" / "demo" / "nev-brands"
SOURCE = ROOT.parent / "shared" / "data" / "nev-brands"


def differences(source: Path, target: Path) -> list[str]:
    """Human-readable list of what differs between the two folders (files only, no sub-folders)."""
    src = {p.name for p in source.iterdir() if p.is_file()}
    dst = {p.name for p in target.iterdir() if p.is_file()} if target.exists() else set()
    out = [f"missing in the copy: {n}" for n in sorted(src - dst)]
    out += [f"not in the source: {n}" for n in sorted(dst - src)]
    out += [f"differs: {n}" for n in sorted(src & dst) if not filecmp.cmp(source / n, target / n, shallow=False)]
    return out


def sync(source: Path, target: Path) -> list[str]:
    """Make ``target`` hold exactly the files of ``source``; return what was changed."""
    changes = differences(source, target)
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in source.iterdir() if p.is_file()):
        copy = target / path.name
        if not copy.exists() or not filecmp.cmp(path, copy, shallow=False):
            shutil.copyfile(path, copy)
    for path in sorted(target.iterdir()):
        if path.is_file() and not (source / path.name).exists():
            path.unlink()
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, default=SOURCE, help=f"source folder (default {SOURCE})")
    parser.add_argument("--check", action="store_true", help="only report differences; exit 1 if there are any")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"source folder {args.source} does not exist: pass --from PATH", file=sys.stderr)
        return 2
    if args.check:
        diff = differences(args.source, TARGET)
        print("\n".join(diff) if diff else f"{TARGET} equals {args.source}")
        return 1 if diff else 0
    changes = sync(args.source, TARGET)
    print("\n".join(changes) if changes else "already equal", f"\n{TARGET} now equals {args.source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
