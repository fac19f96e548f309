#!/usr/bin/env bash
# Benchmarks `schema-sync fleet audit` against floors measured in the same run, and prints the
# tables of BENCHMARKS.md § Fleets:
#
#   1. SQLite: fleets of 1,000 / 5,000 / 10,000 files of 20 tables (planted drift, a few files
#      that are not databases): the release CLI's wall time and peak RSS vs. the floor (open
#      every file and read its `sqlite_schema` in one process, on as many threads as --jobs);
#   2. the worst case for the audit's per-schema cache: 2,000 files whose schemas all differ;
#   3. a shell loop starting `schema-sync diff --from sqlite:FILE --to DESIRED` per file (the
#      per-file check a user has without fleets), timed on a sample and extrapolated;
#   4. Postgres: 100 / 500 / 1,000 tenant schemas of 20 tables in one database vs. one catalog
#      query over the same schemas.
#
# Postgres comes from scripts/pg-server.sh (a throwaway cluster, or $SCHEMA_SYNC_BENCH_PG_URL).
# Needs psql and GNU time (/usr/bin/time). Not a test: nothing here runs under `cargo test`.
#
# Usage: scripts/fleet-bench.sh [--runs N] [--files N] [--tenants N] [--jobs N] [--loop-sample N]
#   Takes about 10 minutes on 2 cores once built (most of it creating the fleets).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
RUNS=3
FILES=10000
TENANTS=1000
TABLES=20
JOBS=$(nproc)
SAMPLE=200
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift ;;
        --files) FILES=$2; shift ;;
        --tenants) TENANTS=$2; shift ;;
        --jobs) JOBS=$2; shift ;;
        --loop-sample) SAMPLE=$2; shift ;;
        *) echo "usage: $0 [--runs N] [--files N] [--tenants N] [--jobs N] [--loop-sample N]" >&2; exit 2 ;;
    esac
    shift
done

echo "== building (release)"
cargo build --release -q -p schema-sync --features cli
cargo build --release -q -p schema-sync-benches --bin fleet_bench
CLI=$TARGET/release/schema-sync
FB=$TARGET/release/fleet_bench

WORK=$(mktemp -d /tmp/schema-sync-fleet-bench.XXXXXX)
EXTRA_CLEANUP='rm -rf "$WORK"'
. "$ROOT/scripts/pg-server.sh"

# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed NAME CMD…: runs CMD $RUNS times (after one warm-up) under GNU time; prints
# "<median wall ms> <max peak RSS MB>". The exit status of CMD is ignored (drift exits 1 or 2).
timed() {
    local out=$WORK/time.$1 walls="" rss=0 i w m
    shift
    "$@" >/dev/null 2>&1 || true
    for i in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null 2>&1 || true
        read -r w m < <(tail -1 "$out")
        walls="$walls $(awk -v w="$w" 'BEGIN { printf "%d", w * 1000 }')"
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$(printf '%s\n' $walls | median) $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
}

# floor_ms CMD…: median of the "ms" the floor helper prints over $RUNS runs (after a warm-up).
floor_ms() {
    "$@" >/dev/null
    for i in $(seq "$RUNS"); do "$@" | awk '{ for (i = 1; i < NF; i++) if ($i == "ms") print $(i + 1) }'; done | median
}

# summarize REPORT.json: what a fleet audit found (counts and drift groups), one line.
summarize() {
    python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("\nfound:", ", ".join(f"{k} {v}" for k, v in r["summary"].items() if v),
      "| drift groups:", "; ".join(f'{g["count"]}× {g["items"]}' for g in r["drift"]))
EOF
}

# table_head TITLE WHAT FLOOR: the heading and header rows of a results table.
table_head() {
    printf '\n### %s (median of %s, ms)\n\n| %s | %s | fleet audit | ratio | peak RSS |\n|---:|---:|---:|---:|---:|\n' \
        "$1" "$RUNS" "$2" "$3"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---------------------------------------------------------------- SQLite
echo "== making $FILES SQLite files of $TABLES tables"
"$FB" sqlite "$WORK/sqlite/shards" "$FILES" "$TABLES"
ls "$WORK"/sqlite/shards/*.db | sort > "$WORK/all.txt"

table_head "SQLite: fleet audit -j $JOBS vs. floor" "files" "floor: open + sqlite_schema"
for n in 1000 5000 "$FILES"; do
    [ "$n" -le "$FILES" ] || continue
    head -n "$n" "$WORK/all.txt" > "$WORK/list-$n.txt"
    floor=$(floor_ms "$FB" sqlite-floor "$WORK/sqlite/shards" "$JOBS" "$n")
    read -r wall rss < <(timed sqlite-$n "$CLI" fleet audit -q --jobs "$JOBS" --to "sqlite:$WORK/sqlite/desired.db" "@$WORK/list-$n.txt")
    echo "| $n | $floor | $wall | $(ratio "$wall" "$floor")× | $rss MB |"
done
"$CLI" fleet audit --jobs "$JOBS" --format json --to "sqlite:$WORK/sqlite/desired.db" "@$WORK/all.txt" > "$WORK/audit.json" || true
summarize "$WORK/audit.json"

DISTINCT=2000
echo
echo "== making $DISTINCT SQLite files whose schemas all differ"
"$FB" sqlite "$WORK/distinct/shards" "$DISTINCT" "$TABLES" distinct >/dev/null
floor=$(floor_ms "$FB" sqlite-floor "$WORK/distinct/shards" "$JOBS")
read -r wall rss < <(timed distinct "$CLI" fleet audit -q --jobs "$JOBS" --to "sqlite:$WORK/distinct/desired.db" "$WORK/distinct/shards/*.db")
echo
echo "| $DISTINCT files, all schemas distinct | floor $floor ms | fleet audit $wall ms | $(ratio "$wall" "$floor")× | $rss MB |"

echo
echo "== shell loop: schema-sync diff per file, $SAMPLE files"
head -n "$SAMPLE" "$WORK/all.txt" > "$WORK/sample.txt"
loop() { while read -r f; do "$CLI" diff -q --from "sqlite:$f" --to "sqlite:$WORK/sqlite/desired.db" >/dev/null 2>&1 || true; done < "$WORK/sample.txt"; }
start=$(date +%s%N); loop; end=$(date +%s%N)
loop_ms=$(( (end - start) / 1000000 ))
per_file=$(awk -v t="$loop_ms" -v n="$SAMPLE" 'BEGIN { printf "%.2f", t / n }')
read -r wall _ < <(timed sqlite-$FILES-again "$CLI" fleet audit -q --jobs "$JOBS" --to "sqlite:$WORK/sqlite/desired.db" "@$WORK/all.txt")
extrapolated=$(awk -v p="$per_file" -v n="$FILES" 'BEGIN { printf "%d", p * n }')
echo
echo "| shell loop: $per_file ms per file → $FILES files ≈ $extrapolated ms | fleet audit $wall ms | fleet audit is $(ratio "$extrapolated" "$wall")× faster |"

# ---------------------------------------------------------------- Postgres tenants
echo
echo "== making $TENANTS tenant schemas of $TABLES tables (Postgres $PG_VERSION)"
psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS ss_fleet_bench" -c "CREATE DATABASE ss_fleet_bench"
DB=$(url_of ss_fleet_bench)
"$FB" postgres "$TENANTS" "$TABLES" | psql -X -q -v ON_ERROR_STOP=1 "$DB" >/dev/null
psql -X -q "$DB" -c "ANALYZE"
"$CLI" inspect "$DB" --format json > "$WORK/pg-desired.json"

table_head "Postgres: fleet audit of tenant schemas in one database vs. one catalog query" "tenants" "floor: one pg_attribute query"
for n in 100 500 "$TENANTS"; do
    [ "$n" -le "$TENANTS" ] || continue
    case $n in
        100) regex='^tenant_000'; patterns=(--schema 'tenant_000*') ;;
        500) regex='^tenant_00[0-4]'; patterns=(); for d in 0 1 2 3 4; do patterns+=(--schema "tenant_00$d*"); done ;;
        *) regex='^tenant_'; patterns=(--schema 'tenant_*') ;;
    esac
    floor=$(floor_ms "$FB" postgres-floor "$DB" "$regex")
    read -r wall rss < <(timed pg-$n "$CLI" fleet audit -q --jobs "$JOBS" --to "$WORK/pg-desired.json" "$DB" "${patterns[@]}")
    echo "| $n | $floor | $wall | $(ratio "$wall" "$floor")× | $rss MB |"
done
"$CLI" fleet audit --format json --to "$WORK/pg-desired.json" "$DB" --schema 'tenant_*' > "$WORK/pg-audit.json" || true
summarize "$WORK/pg-audit.json"
psql -X -q "$ADMIN_URL" -c "DROP DATABASE ss_fleet_bench"
