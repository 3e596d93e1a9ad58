from nevindex.cli import run

run()
