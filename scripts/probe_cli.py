"""Probe the CLI with bad input: every case must exit 2 with a short message and no traceback.

    PYTHONPATH=src python scripts/probe_cli.py [--jobs 3] [--only WORD]

Sets up a scratch folder (a small methodology, data, units, survey and panel files, a SQLite store with two
published editions), then runs each case as its own ``python -m nevindex`` process: bad paths, bad values,
missing files, wrong types, unwritable outputs, malformed CSV/XLSX/YAML, unknown editions and brands, bad
years, deep trees. Prints N/M and lists the failures (exit code, first lines of the output). Not a test:
the figures go to the report of issue 16; ``tests/`` hold one test per defect it found.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

FRAMEWORK = """\
framework: {code: MINI, version: "1.0", name: {en: Mini brand index}}
aggregates:
  - {code: Index, name: Index}
  - {code: tangible, name: Tangible, parent: Index, weight: 1}
  - {code: quality, name: Quality, parent: Index, weight: 1}
indicators:
  - {code: sales, name: Sales, parent: tangible, weight: 1, direction: 1}
  - {code: revenue, name: Revenue, parent: tangible, weight: 1, direction: 1}
  - {code: recalls, name: Recalls, parent: quality, weight: 1, direction: -1}
  - {code: rating, name: Rating, parent: quality, weight: 1, direction: 1}
"""
UNITS = "code,name,country\nacme,Acme,CN\nbolt,Bolt,DE\ncyan,Cyan,US\ndyna,Dyna,CN\n"
VALUES = {"acme": (100, 50, 4, 3.5), "bolt": (80, 70, 2, 4.0), "cyan": (60, 40, 6, 3.0), "dyna": (40, 30, 1, 4.5)}
NAMES = ("sales", "revenue", "recalls", "rating")
SURVEY_SPEC = """\
survey: {code: cx, title: Owner survey, year: 2024, source: {title: Owner survey 2024}}
columns: {respondent: rid, brand: brand}
items:
  sat: {column: q_sat, scale: {min: 1, max: 5}}
indicators:
  - {code: cx_sat, item: sat, statistic: mean}
minimum_effective_n: 2
"""
RESPONSES = "rid,brand,q_sat\nr1,acme,5\nr2,acme,4\nr3,bolt,2\nr4,bolt,3\n"
PANEL_SPEC = """\
panel: {code: exp, title: Expert panel, year: 2024}
columns: {expert: expert, brand: brand, criterion: criterion, score: score}
scale: {min: 1, max: 10}
consensus: {method: median}
minimum_raters: 3
criteria:
  design: {indicator: exp_design}
"""
RATINGS = "expert,brand,criterion,score\n" + "".join(f"{e},{b},design,{s}\n" for e in "ABC"
                                                     for b, s in (("acme", 5), ("bolt", 7)))


@dataclass(frozen=True)
class Case:
    area: str
    what: str
    args: tuple[str, ...]
    stdin: str | None = None


def tidy(years: tuple[int, ...] = (2023, 2024)) -> str:
    rows = ["brand,year,indicator,value,source_title,source_url"]
    for year in years:
        for unit, values in VALUES.items():
            rows += [f"{unit},{year},{n},{v + (year - 2023)},{unit} report {year},https://example.org/{unit}"
                     for n, v in zip(NAMES, values, strict=True)]
    return "\n".join(rows) + "\n"


def wide() -> str:
    return "unit,sales,revenue,recalls,rating\n" + "".join(f"{u},{','.join(map(str, v))}\n" for u, v in VALUES.items())


def write_inputs(root: Path) -> dict[str, Path]:
    """Every input file of the cases, good and bad."""
    import openpyxl

    files: dict[str, str] = {
        "fw.yaml": FRAMEWORK, "units.csv": UNITS, "tidy.csv": tidy(), "wide.csv": wide(),
        "survey.yaml": SURVEY_SPEC, "responses.csv": RESPONSES, "panel.yaml": PANEL_SPEC, "ratings.csv": RATINGS,
        "empty.csv": "", "header_only.csv": "unit,sales,revenue,recalls,rating\n",
        "ragged.csv": "unit,sales,revenue,recalls,rating\n" + "".join(f"{u},{','.join(map(str, v))},9\n"
                                                                       for u, v in VALUES.items()),
        "ragged_one.csv": wide().replace("bolt,80,70,2,4.0", "bolt,80,70,2,4.0,,x"),
        "dup_header.csv": wide().replace("rating", "sales", 1),
        "text_value.csv": wide().replace("80", "eighty"),
        "inf_value.csv": wide().replace("80", "inf"),
        "dup_unit.csv": wide() + "acme,1,2,3,4\n",
        "no_unit.csv": wide().replace("unit,", "thing,", 1),
        "latin1.csv": "",
        "binary.csv": "",
        "fw_bad_yaml.yaml": "framework: {code: X\n  : :\n",
        "fw_list.yaml": "- a\n- b\n",
        "fw_empty.yaml": "",
        "fw_no_parent.yaml": FRAMEWORK.replace("parent: tangible, ", "", 1),
        "fw_cycle.yaml": FRAMEWORK.replace("- {code: Index, name: Index}", "- {code: Index, name: Index, parent: quality}"),
        "fw_zero.yaml": FRAMEWORK.replace("weight: 1, direction: 1}\n  - {code: revenue, name: Revenue, parent: "
                                          "tangible, weight: 1", "weight: 0, direction: 1}\n  - {code: revenue, "
                                                                 "name: Revenue, parent: tangible, weight: 0"),
        "fw_zero_top.yaml": FRAMEWORK.replace("parent: Index, weight: 1}", "parent: Index, weight: 0}"),
        "fw_neg_weight.yaml": FRAMEWORK.replace("parent: quality, weight: 1", "parent: quality, weight: -1", 1),
        "fw_text_weight.yaml": FRAMEWORK.replace("parent: quality, weight: 1", "parent: quality, weight: heavy", 1),
        "fw_direction.yaml": FRAMEWORK.replace("direction: -1", "direction: 2"),
        "fw_unknown_key.yaml": FRAMEWORK.replace("framework: {", "framwork_extra: 1\nframework: {"),
        "fw_dup_code.yaml": FRAMEWORK.replace("code: revenue", "code: sales"),
        "fw_bad_parent.yaml": FRAMEWORK.replace("parent: quality, weight: 1, direction: -1", "parent: qualty, weight: 1, "
                                                "direction: -1"),
        "fw_nested.yaml": "framework: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "fw_nested_list.yaml": "framework: " + "[" * 5000 + "]" * 5000 + "\n",
        "recipe_bad.yaml": "normalise: {method: minmaxx}\n",
        "recipe_param.yaml": "normalise: {method: minmax, params: {range: [0]}}\n",
        "recipe_list.yaml": "- normalise\n",
        "recipe_nested.yaml": "normalise: " + "[" * 3000 + "]" * 3000 + "\n",
        "spec_bad.yaml": "runs: -5\n",
        "spec_unknown.yaml": "runz: 10\n",
        "survey_bad.yaml": SURVEY_SPEC.replace("statistic: mean", "statistic: median_of_means"),
        "survey_nocol.yaml": SURVEY_SPEC.replace("q_sat", "q_missing"),
        "responses_text.csv": RESPONSES.replace("r2,acme,4", "r2,acme,four"),
        "responses_ragged.csv": RESPONSES.replace("r2,acme,4", "r2,acme,4,9"),
        "panel_bad.yaml": PANEL_SPEC.replace("method: median", "method: mode"),
        "ratings_range.csv": RATINGS.replace("A,acme,design,5", "A,acme,design,50"),
        "units_dup.csv": UNITS + "acme,Acme again,CN\n",
        "fx_bad.csv": "year,currency,per_usd\n2024,EUR,abc\n",
        "templates_file.txt": "not a folder\n",
    }
    deep = ['framework: {code: DEEP, version: "1", name: {en: Deep}}', "aggregates:", "  - {code: L0, name: L0}"]
    for levels, name in ((2_000, "fw_deep2k.yaml"), (20_000, "fw_deep20k.yaml")):
        body = deep + [f"  - {{code: L{i}, name: L{i}, parent: L{i - 1}}}" for i in range(1, levels)]
        body += ["indicators:", *(f"  - {{code: {c}, name: {c}, parent: L{levels - 1}, direction: 1}}"
                                  for c in NAMES)]
        files[name] = "\n".join(body) + "\n"
    paths = {}
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
        paths[name] = root / name
    (root / "latin1.csv").write_bytes("unit,sales\ncafé,1\n".encode("latin-1"))
    (root / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (root / "a_folder").mkdir()
    (root / "afile").write_text("keep\n")

    def book(name: str, rows: list[list[object]]) -> None:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(root / name)
        paths[name] = root / name

    header = ["unit", *NAMES]
    data_rows = [[u, *v] for u, v in VALUES.items()]
    book("formula.xlsx", [header, *[[*r[:4], f"=D{i + 2}*1"] for i, r in enumerate(data_rows)]])
    book("dup_header.xlsx", [["unit", "sales", "revenue", "recalls", "sales"], *data_rows])
    book("no_header.xlsx", [["unit", "sales", None, "recalls", "rating"], *data_rows])
    book("empty.xlsx", [])
    (root / "fake.xlsx").write_text("this is not a workbook\n")
    (root / "data.parquet").write_text("not parquet\n")
    (root / "data.json").write_text("{}\n")
    return paths


def cases(root: Path, f: dict[str, Path]) -> list[Case]:
    """The battery: about 10 kinds of bad input for every command."""
    F, D, U = str(f["fw.yaml"]), str(f["wide.csv"]), str(f["units.csv"])
    out = str(root / "out")
    long_name = str(root / ("n" * 300))
    bad_outs = {"an existing file": str(root / "afile"), "/proc/x": "/proc/x", "/dev/null/x": "/dev/null/x",
                "/sys/x (read-only)": "/sys/x", "a 300-character name": long_name}
    c: list[Case] = []

    def add(area: str, what: str, *args: str, stdin: str | None = None) -> None:
        c.append(Case(area, what, tuple(args), stdin))

    # build / validate: methodology
    for cmd in ("build", "validate"):
        extra = ("--out", out) if cmd == "build" else ()
        for name, what in (("fw_bad_yaml.yaml", "invalid YAML"), ("fw_list.yaml", "YAML list"),
                           ("fw_empty.yaml", "empty methodology"), ("fw_no_parent.yaml", "indicator without parent"),
                           ("fw_cycle.yaml", "cycle"), ("fw_zero.yaml", "all-zero weights under a pillar"),
                           ("fw_zero_top.yaml", "all-zero weights under the index"),
                           ("fw_neg_weight.yaml", "negative weight"), ("fw_text_weight.yaml", "text weight"),
                           ("fw_direction.yaml", "direction 2"), ("fw_unknown_key.yaml", "unknown key"),
                           ("fw_dup_code.yaml", "duplicate code"), ("fw_bad_parent.yaml", "unknown parent"),
                           ("fw_nested.yaml", "YAML nested 5,000 deep (mappings)"),
                           ("fw_nested_list.yaml", "YAML nested 5,000 deep (lists)"),
                           ("fw_deep2k.yaml", "2,000-level tree"), ("fw_deep20k.yaml", "20,000-level tree")):
            add(cmd, what, cmd, "-f", str(f[name]), "-d", D, *extra)
        add(cmd, "missing methodology", cmd, "-f", str(root / "nope.yaml"), "-d", D, *extra)
        add(cmd, "methodology is a folder", cmd, "-f", str(root / "a_folder"), "-d", D, *extra)
        add(cmd, "methodology of unknown type", cmd, "-f", str(f["templates_file.txt"]), "-d", D, *extra)
        # data
        for name, what in (("empty.csv", "empty CSV"), ("header_only.csv", "header only"),
                           ("ragged.csv", "every row one field longer"), ("ragged_one.csv", "one ragged row"),
                           ("dup_header.csv", "duplicate CSV header"), ("text_value.csv", "text in a number"),
                           ("inf_value.csv", "infinite value"), ("dup_unit.csv", "duplicate unit"),
                           ("no_unit.csv", "no unit column"), ("latin1.csv", "not UTF-8"),
                           ("binary.csv", "binary file"), ("formula.xlsx", "formulas without values"),
                           ("dup_header.xlsx", "duplicate XLSX header"), ("no_header.xlsx", "XLSX column without header"),
                           ("empty.xlsx", "empty workbook"), ("fake.xlsx", "not a workbook"),
                           ("data.parquet", "not parquet"), ("data.json", "unknown data type")):
            add(cmd, what, cmd, "-f", F, "-d", str(root / name), *extra)
        add(cmd, "missing data", cmd, "-f", F, "-d", str(root / "nope.csv"), *extra)
        add(cmd, "bad recipe method", cmd, "-f", F, "-d", D, "-r", str(f["recipe_bad.yaml"]), *extra)
        add(cmd, "bad recipe parameter", cmd, "-f", F, "-d", D, "-r", str(f["recipe_param.yaml"]), *extra)
        add(cmd, "recipe is a list", cmd, "-f", F, "-d", D, "-r", str(f["recipe_list.yaml"]), *extra)
        add(cmd, "recipe nested 3,000 deep", cmd, "-f", F, "-d", D, "-r", str(f["recipe_nested.yaml"]), *extra)
        add(cmd, "missing recipe", cmd, "-f", F, "-d", D, "-r", str(root / "nope.yaml"), *extra)
        add(cmd, "year not in data", cmd, "-f", F, "-d", str(f["tidy.csv"]), "--units", U, "--year", "1999", *extra)
        add(cmd, "year not a number", cmd, "-f", F, "-d", D, "--year", "soon", *extra)
        add(cmd, "duplicate units table", cmd, "-f", F, "-d", str(f["tidy.csv"]), "--units", str(f["units_dup.csv"]),
            *extra)
    for what, path in bad_outs.items():
        add("build", f"--out {what}", "build", "-f", F, "-d", D, "--out", path)
    add("build", "--top not a number", "build", "-f", F, "-d", D, "--out", out, "--top", "many")
    # audit
    for what, path in bad_outs.items():
        add("audit", f"--out {what}", "audit", "-f", F, "-d", D, "--out", path)
    add("audit", "bad spec value", "audit", "-f", F, "-d", D, "--out", out, "--spec", str(f["spec_bad.yaml"]))
    add("audit", "unknown spec setting", "audit", "-f", F, "-d", D, "--out", out, "--spec", str(f["spec_unknown.yaml"]))
    add("audit", "missing spec", "audit", "-f", F, "-d", D, "--out", out, "--spec", str(root / "nope.yaml"))
    add("audit", "negative runs", "audit", "-f", F, "-d", D, "--out", out, "--runs", "-3")
    add("audit", "bad per-run format", "audit", "-f", F, "-d", D, "--out", out, "--per-run", "xml")
    # synth
    for what, path in bad_outs.items():
        add("synth", f"--out {what}", "synth", "--out", path, "--units", "5", "--indicators", "3")
        add("synth", f"survey --out {what}", "synth", "survey", "--out", path)
        add("synth", f"panel --out {what}", "synth", "panel", "--out", path)
    add("synth", "one unit", "synth", "--out", out, "--units", "1")
    add("synth", "missing share 2", "synth", "--out", out, "--missing", "2")
    add("synth", "--out before the subcommand", "synth", "--out", out, "survey")
    add("synth", "missing --unit-codes file", "synth", "survey", "--out", out, "--unit-codes", str(root / "nope.csv"))
    add("synth", "two criteria too many", "synth", "panel", "--out", out, "--criteria", "9")
    # survey / panel
    S, R = str(f["survey.yaml"]), str(f["responses.csv"])
    for what, path in (*bad_outs.items(), ("a folder", str(root / "a_folder"))):
        if what != "an existing file":
            add("survey", f"--out {what}", "survey", "build", R, "--spec", S, "--out", path)
            add("panel", f"--out {what}", "panel", "build", str(f["ratings.csv"]), "--spec", str(f["panel.yaml"]),
                "--out", path)
    obs = str(root / "obs.csv")
    add("survey", "unknown statistic", "survey", "build", R, "--spec", str(f["survey_bad.yaml"]), "--out", obs)
    add("survey", "spec names a missing column", "survey", "build", R, "--spec", str(f["survey_nocol.yaml"]), "--out", obs)
    add("survey", "text answer", "survey", "build", str(f["responses_text.csv"]), "--spec", S, "--out", obs)
    add("survey", "ragged row", "survey", "build", str(f["responses_ragged.csv"]), "--spec", S, "--out", obs)
    add("survey", "missing responses", "survey", "build", str(root / "nope.csv"), "--spec", S, "--out", obs)
    add("survey", "spec nested 5,000 deep", "survey", "build", R, "--spec", str(f["fw_nested.yaml"]), "--out", obs)
    add("panel", "unknown consensus", "panel", "build", str(f["ratings.csv"]), "--spec", str(f["panel_bad.yaml"]),
        "--out", obs)
    add("panel", "score out of scale", "panel", "build", str(f["ratings_range.csv"]), "--spec", str(f["panel.yaml"]),
        "--out", obs)
    add("panel", "--raters /proc/x", "panel", "build", str(f["ratings.csv"]), "--spec", str(f["panel.yaml"]),
        "--out", obs, "--raters", "/proc/x.csv")
    # report (files)
    for what, path in (*bad_outs.items(), ("a folder", str(root / "a_folder"))):
        if what != "an existing file":
            add("report", f"--out {what}", "report", "--framework", F, "--data", D, "--edition", "2024",
                "--out", path + ".html")
    add("report", "bad language", "report", "--framework", F, "--data", D, "--lang", "fr", "--out", out + ".html")
    add("report", "bad format", "report", "--framework", F, "--data", D, "--format", "docx", "--out", out + ".html")
    add("report", "--framework without --data", "report", "--framework", F, "--out", out + ".html")
    add("report", "templates is a file", "report", "--framework", F, "--data", D, "--templates",
        str(f["templates_file.txt"]), "--out", out + ".html")
    add("report", "unknown demo year", "report", "--demo", "--edition", "1999", "--out", out + ".html")
    add("report", "unknown stored edition", "report", "--edition", "2099", "--label", "nope", "--out", out + ".html")
    # store: data import
    add("data", "missing file", "data", "import", str(root / "nope.csv"))
    add("data", "ragged file", "data", "import", str(f["ragged.csv"]))
    add("data", "formula workbook", "data", "import", str(f["formula.xlsx"]))
    add("data", "duplicate XLSX header", "data", "import", str(f["dup_header.xlsx"]))
    add("data", "bad fx rates", "data", "import", str(f["tidy.csv"]), "--units", U, "--fx-rates", str(f["fx_bad.csv"]))
    add("data", "non-numeric indicator for the methodology", "data", "import", str(f["text_value.csv"]), "-f", F)
    add("data", "bad store URL", "data", "import", str(f["tidy.csv"]), "--db", "nosuch://x")
    add("data", "store in /proc", "data", "import", str(f["tidy.csv"]), "--db", "/proc/x/store.db")
    # editions
    for year in ("-99999999999", "1899", "2201", "99999999999999999999", "twenty"):
        add("edition", f"create --year {year}", "edition", "create", "--year", year, "-f", F, "-d", "1")
    add("edition", "create with an unknown data set", "edition", "create", "--year", "2024", "-f", F, "-d", "999")
    add("edition", "create with all-zero weights", "edition", "create", "--year", "2024", "-f", str(f["fw_zero.yaml"]),
        "-d", "1")
    add("edition", "create with a 2,000-level tree", "edition", "create", "--year", "2024", "-f",
        str(f["fw_deep2k.yaml"]), "-d", "1")
    add("edition", "create with nested YAML", "edition", "create", "--year", "2024", "-f", str(f["fw_nested.yaml"]),
        "-d", "1")
    add("edition", "create --corrects without --reason", "edition", "create", "--year", "2024", "-f", F, "-d", "1",
        "--corrects", "2024")
    add("edition", "create a second 2024", "edition", "create", "--year", "2024", "-f", F, "-d", "1")
    for sub in ("build", "audit", "publish", "show", "verify", "receipt"):
        add("edition", f"{sub} of an unknown edition", "edition", sub, "nope-2099")
    add("edition", "build a published edition", "edition", "build", "2024")
    add("edition", "publish twice", "edition", "publish", "2024")
    add("edition", "audit with a bad spec", "edition", "audit", "2024", "--spec", str(f["spec_bad.yaml"]))
    add("edition", "verify a missing receipt", "edition", "verify", "2024", "--receipt", str(root / "nope.json"))
    add("edition", "verify a receipt that is not JSON", "edition", "verify", "2024", "--receipt", D)
    for what, path in bad_outs.items():
        add("edition", f"export --out {what}", "edition", "export", "2024", "--out", path)
        add("edition", f"compare --out {what}", "edition", "compare", "2023", "2024", "--out", path)
        add("site", f"export to {what}", "site", "export", path)
    add("edition", "receipt --out /proc/x", "edition", "receipt", "2024", "--out", "/proc/x.json")
    add("edition", "export an unknown edition", "edition", "export", "nope", "--out", out)
    add("edition", "compare unknown editions", "edition", "compare", "nope", "2024")
    add("edition", "show --top not a number", "edition", "show", "2024", "--top", "x")
    # insight
    add("profile", "unknown brand", "profile", "zzz", "--edition", "2024")
    add("profile", "unknown edition", "profile", "acme", "--edition", "nope")
    add("profile", "unknown peer group", "profile", "acme", "--edition", "2024", "--peers", "planet")
    add("profile", "target rank 0", "profile", "acme", "--edition", "2024", "--target-rank", "0")
    add("profile", "bad step", "profile", "acme", "--edition", "2024", "--step", "leap")
    add("profile", "files: ragged data", "profile", "acme", "-f", F, "-d", str(f["ragged.csv"]))
    # db, admin, demo
    add("db", "upgrade a store in /dev/null", "db", "upgrade", "--db", "/dev/null/x.db")
    add("db", "status of a bad URL", "db", "status", "--db", "postgresql://nobody@127.0.0.1:1/none")
    add("admin", "user name with a space", "admin", "create-user", "bad name", "--password-stdin", stdin="pw12345678\n")
    add("admin", "empty password", "admin", "create-user", "alice", "--password-stdin", stdin="\n")
    add("admin", "revoke an unknown user", "admin", "revoke", "nobody")
    for what, path in bad_outs.items():
        add("demo", f"--out {what}", "demo", "--out", path, "--no-report")
    return c


@dataclass
class Outcome:
    case: Case
    code: int
    err: str
    seconds: float

    @property
    def ok(self) -> bool:
        text = self.err.strip()
        return (self.code == 2 and "Traceback" not in self.err and bool(text) and len(text) < 2_500
                and "error" in text.lower())


def run(case: Case, env: dict[str, str], cwd: Path, timeout: float) -> Outcome:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "nevindex", *case.args], env=env, cwd=cwd, input=case.stdin,
                              capture_output=True, text=True, timeout=timeout)
        code, err = done.returncode, done.stderr + ("" if done.returncode == 2 else done.stdout[-400:])
    except subprocess.TimeoutExpired:
        code, err = -1, f"timed out after {timeout:.0f} s"
    return Outcome(case, code, err, time.perf_counter() - started)


def setup_store(root: Path, env: dict[str, str], f: dict[str, Path]) -> None:
    steps = [["data", "import", str(f["tidy.csv"]), "--units", str(f["units.csv"])],
             *[[*s, y] for y in ("2023", "2024") for s in (["edition", "create", "-f", str(f["fw.yaml"]), "-d", "1",
                                                             "--year"],)],
             ["edition", "build", "2023"], ["edition", "build", "2024"],
             ["edition", "publish", "2023"], ["edition", "publish", "2024"]]
    for step in steps:
        done = subprocess.run([sys.executable, "-m", "nevindex", *step], env=env, cwd=root, capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"setup step {' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", help="run only the cases whose area or description contains this")
    args = parser.parse_args()
    src = Path(__file__).resolve().parents[1] / "src"
    with tempfile.TemporaryDirectory(prefix="nevindex-probe-") as tmp:
        root = Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   NEVINDEX_DB=str(root / "store.db"), NEVINDEX_SIGNING_KEY=str(root / "key.pem"),
                   NEVINDEX_USER="prober", COLUMNS="120")
        files = write_inputs(root)
        battery = cases(root, files)
        if args.only:
            battery = [c for c in battery if args.only in c.area or args.only in c.what]
        started = time.perf_counter()
        setup_store(root, env, files)
        print(f"store ready in {time.perf_counter() - started:.0f} s; running {len(battery)} cases "
              f"({args.jobs} at a time)…", flush=True)
        outcomes = []
        with ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run, c, env, root, args.timeout) for c in battery]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                print(f"  {'ok  ' if outcome.ok else 'FAIL'} [{outcome.case.area}] {outcome.case.what} "
                      f"(exit {outcome.code}, {outcome.seconds:.1f} s)", flush=True)
    failed = [o for o in outcomes if not o.ok]
    areas = sorted({o.case.area for o in outcomes})
    for area in areas:
        mine = [o for o in outcomes if o.case.area == area]
        print(f"  {area:<9} {sum(o.ok for o in mine):>3}/{len(mine)}")
    print(f"bad CLI inputs answered with exit 2 and a message, no traceback: {len(outcomes) - len(failed)}/"
          f"{len(outcomes)} ({time.perf_counter() - started:.0f} s)")
    for o in failed:
        first = " | ".join(line.strip() for line in o.err.strip().splitlines()[-3:])[:300]
        print(f"FAIL [{o.case.area}] {o.case.what}: exit {o.code}: {first}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
