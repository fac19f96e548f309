#!/usr/bin/env python3
"""Golden outputs of the CLI over the conformance corpus, for refactors that must not change
behaviour.

    scripts/golden.py --bin target/release/schema-sync --dev-url postgres://… --out /tmp/golden-new
    diff -r /tmp/golden-old /tmp/golden-new

For every case of ../shared/conformance (sqldef SQLite and Postgres, migra, pg-schema-diff) and
every real schema, it records the output and exit code of:

* `inspect SRC --format json|sql` of `current` and `desired` (Postgres DDL through --dev-url,
  saved as a snapshot so the rest needs no server);
* `diff --from current --to desired --format text|json|sql`;
* SQLite only: `apply --db current.db --to desired.sql --dry-run` against a real file.

Files that do not load are recorded with their one-line error, so a change in what loads shows
up too. Nothing is written outside --out.
"""
import argparse
import concurrent.futures as cf
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT.parent / "shared" / "conformance"


def run(bin_, args, cwd):
    p = subprocess.run([bin_, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    return f"exit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"


def case_dirs(out):
    cases = []
    for rel, dialect in [
        ("sqlite/cases.jsonl", "sqlite"),
        ("postgres/cases.jsonl", "postgres"),
        ("postgres/migra-cases.jsonl", "postgres"),
        ("postgres/pg-schema-diff-cases.jsonl", "postgres"),
    ]:
        path = CONF / rel
        for i, line in enumerate(path.read_text().splitlines()):
            c = json.loads(line)
            cases.append((f"{rel.replace('/', '_')}/{i:04d}", dialect, c["current"], c["desired"]))
    real = CONF / "real-schemas"
    for f in sorted(real.glob("*/*.sql")):
        low = f.name.lower()
        if "sqlite" in low:
            dialect = "sqlite"
        elif "postgres" in low or "psql" in low:
            dialect = "postgres"
        else:
            continue
        if any(k in low for k in ("insert", "delete", "drop")):
            continue
        cases.append((f"real/{f.parent.name}_{f.stem}", dialect, "", f.read_text()))
    return cases


def one(bin_, dev_url, out, case):
    name, dialect, current, desired = case
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "current.sql").write_text(current)
    (d / "desired.sql").write_text(desired)
    res = {}
    if dialect == "postgres":
        srcs = {}
        for side in ("current", "desired"):
            r = run(bin_, ["inspect", f"{side}.sql", "--dev-url", dev_url, "--format", "json"], d)
            res[f"inspect_{side}_json"] = r
            if r.startswith("exit 0"):
                body = r.split("--- stdout\n", 1)[1].rsplit("--- stderr\n", 1)[0]
                (d / f"{side}.json").write_text(body)
                srcs[side] = f"{side}.json"
        for side, src in srcs.items():
            res[f"inspect_{side}_sql"] = run(bin_, ["inspect", src, "--format", "sql"], d)
        if len(srcs) == 2:
            for fmt in ("text", "json", "sql"):
                res[f"diff_{fmt}"] = run(bin_, ["diff", "--from", srcs["current"], "--to", srcs["desired"], "--format", fmt], d)
    else:
        for side in ("current", "desired"):
            for fmt in ("json", "sql"):
                res[f"inspect_{side}_{fmt}"] = run(bin_, ["inspect", f"{side}.sql", "--format", fmt], d)
        for fmt in ("text", "json", "sql"):
            res[f"diff_{fmt}"] = run(bin_, ["diff", "--from", "current.sql", "--to", "desired.sql", "--format", fmt], d)
        db = d / "current.db"
        if db.exists():
            db.unlink()
        try:
            con = sqlite3.connect(db)
            con.executescript(current)
            con.close()
            res["apply_dry_run"] = run(bin_, ["apply", "--db", "current.db", "--to", "desired.sql", "--dry-run"], d)
        except Exception as e:  # current does not load: nothing to apply to
            res["apply_dry_run"] = f"current does not load: {e}"
        if db.exists():
            db.unlink()
    for f in ("current.sql", "desired.sql"):
        (d / f).unlink()
    for k, v in res.items():
        (d / f"{k}.txt").write_text(v.replace(str(d), "<case>"))
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dev-url", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    bin_ = str(Path(a.bin).resolve())
    cases = case_dirs(out)
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for n, _ in enumerate(ex.map(lambda c: one(bin_, a.dev_url, out, c), cases), 1):
            if n % 200 == 0:
                print(f"{n}/{len(cases)}", file=sys.stderr)
    print(f"{len(cases)} cases written to {out}")


if __name__ == "__main__":
    main()
