#!/usr/bin/env bash
# Runs schema-sync's benchmarks and prints the tables that BENCHMARKS.md reports:
#
#   1. divan benches (crate `benches/`): `inspect` vs. the raw catalog query ("floor") on SQLite
#      and Postgres at 100 / 1,000 / 5,000 tables, and in-memory diff + plan at 5,000 tables;
#   2. end to end: the release `schema-sync diff --from postgres://… --to postgres://…` process
#      on two live databases of 1,000 and 5,000 tables, wall time and peak RSS (GNU time).
#
# Postgres: a throwaway cluster started here from the local initdb/pg_ctl (PATH, else
# /usr/lib/postgresql/*/bin; as the `postgres` user when run as root), removed on exit; or the
# server of $SCHEMA_SYNC_BENCH_PG_URL (an admin URL; databases ss_bench_* are created there and
# dropped). Needs psql and GNU time (/usr/bin/time).
#
# The compile-time cost of #[derive(SyncTable)] is measured by scripts/derive-cost.sh.
#
# Usage: scripts/bench.sh [--no-divan] [--runs N]
#   CARGO_TARGET_DIR is honoured. Takes about 10 minutes on 2 cores once built.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
RUNS=7
DIVAN=1
while [ $# -gt 0 ]; do
    case $1 in
        --no-divan) DIVAN=0 ;;
        --runs) RUNS=$2; shift ;;
        *) echo "usage: $0 [--no-divan] [--runs N]" >&2; exit 2 ;;
    esac
    shift
done

echo "== building (release)"
cargo build --release -q -p schema-sync --features cli
cargo build --release -q -p schema-sync-benches --bin gen_schema
CLI=$TARGET/release/schema-sync
GEN=$TARGET/release/gen_schema

# ---------------------------------------------------------------- Postgres server
. "$ROOT/scripts/pg-server.sh"

# ---------------------------------------------------------------- divan benches
# Median of divan's samples, in ms, as "<bench> <group> <arg> <ms>" lines.
divan_medians() {
    awk -v bench="$1" '
        function ms(v,   n, u) {
            n = v; sub(/[^0-9.].*$/, "", n); u = v; sub(/^[0-9.]+ */, "", u)
            if (u == "ns") return n / 1e6; if (u == "µs" || u == "us") return n / 1e3
            if (u == "ms") return n; if (u == "s") return n * 1e3; return -1
        }
        /^(├─|╰─) [A-Za-z_]+/ { g = $0; sub(/^(├─|╰─) /, "", g); sub(/[ │].*$/, "", g); next }
        /^(│| ) +(├─|╰─) / {
            line = $0; sub(/^(│| ) +(├─|╰─) /, "", line)   # "<arg> <fastest> │ <slowest> │ <median> │ …"
            split(line, f, "│"); split(f[1], parts, / +/)
            m = f[3]; gsub(/^ +| +$/, "", m)
            printf "%s %s %s %.3f\n", bench, g, parts[1], ms(m)
        }'
}

MEDIANS=$(mktemp)
if [ "$DIVAN" = 1 ]; then
    for bench in introspect_sqlite introspect_postgres diff_plan; do
        echo "== cargo bench --bench $bench"
        SCHEMA_SYNC_TEST_PG_URL=$ADMIN_URL cargo bench -q -p schema-sync-benches --bench "$bench" 2>&1 \
            | tee "$MEDIANS.$bench"
        divan_medians "$bench" <"$MEDIANS.$bench" >>"$MEDIANS"
        rm -f "$MEDIANS.$bench"
    done

    median_of() { awk -v b="$1" -v g="$2" -v a="$3" '$1 == b && $2 == g && $3 == a { print $4 }' "$MEDIANS"; }
    echo
    echo "inspect vs. floor (divan medians, ms)"
    printf "%7s | %12s %12s %6s | %12s %12s %6s | %12s %6s\n" tables "sqlite floor" "sqlite insp" ratio \
        "pg floor" "pg insp" ratio "pg info_sch" ratio
    for n in 100 1000 5000; do
        sf=$(median_of introspect_sqlite floor $n); si=$(median_of introspect_sqlite introspect $n)
        pf=$(median_of introspect_postgres floor $n); pi=$(median_of introspect_postgres introspect $n)
        pis=$(median_of introspect_postgres information_schema $n)
        awk -v n=$n -v sf="$sf" -v si="$si" -v pf="$pf" -v pi="$pi" -v pis="$pis" 'BEGIN {
            printf "%7d | %12.2f %12.2f %5.2fx | %12.2f %12.2f %5.2fx | %12.2f %5.2fx\n",
                n, sf, si, si / sf, pf, pi, pi / pf, pis, pi / pis }'
    done
    echo
    echo "diff + plan in memory, 5,000 tables (divan medians, ms)"
    awk '$1 == "diff_plan" { printf "  %-10s %-9s %10.2f\n", $2, $3, $4 }' "$MEDIANS"
fi
rm -f "$MEDIANS"

# ---------------------------------------------------------------- end to end
echo
echo "== end to end: schema-sync diff of two live Postgres databases ($RUNS runs each, after 1 warm-up)"
E2E=$(mktemp)
for n in 1000 5000; do
    for side in base changed; do
        db=ss_bench_${n}_$side
        psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
        "$GEN" postgres "$n" "$side" | psql -X -q -v ON_ERROR_STOP=1 "$(url_of "$db")" >/dev/null
        psql -X -q "$(url_of "$db")" -c ANALYZE
    done
    for pair in "changed:ss_bench_${n}_base:ss_bench_${n}_changed" "identical:ss_bench_${n}_base:ss_bench_${n}_base"; do
        IFS=: read -r what from to <<<"$pair"
        "$CLI" diff --from "$(url_of "$from")" --to "$(url_of "$to")" >/dev/null || true # warm-up
        for _ in $(seq "$RUNS"); do
            set +e
            /usr/bin/time -f "%e %M" -o "$E2E.one" "$CLI" diff --from "$(url_of "$from")" --to "$(url_of "$to")" >/dev/null
            code=$?
            set -e
            # 0 = equal, 1 = drift; anything else is a failure of the run.
            if [ $code -gt 1 ]; then echo "bench.sh: schema-sync diff exited $code" >&2; exit 1; fi
            echo "$n $what $code $(tail -1 "$E2E.one")" >>"$E2E"
        done
    done
    for side in base changed; do psql -X -q "$ADMIN_URL" -c "DROP DATABASE ss_bench_${n}_$side"; done
done
printf "%7s %-10s %5s | %14s %14s | %14s\n" tables diff exit "median wall s" "max wall s" "max RSS MiB"
sort -k1,1n -k2,2 -k4,4n "$E2E" | awk '
    { key = $1 " " $2; n[key]++; w[key, n[key]] = $4; if ($4 > mw[key]) mw[key] = $4
      if ($5 > rss[key]) rss[key] = $5; code[key] = $3; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
    END { for (i = 1; i <= k; i++) { key = order[i]; split(key, p, " ")
            printf "%7s %-10s %5s | %14.3f %14.3f | %14.1f\n", p[1], p[2], code[key], w[key, int((n[key] + 1) / 2)], mw[key], rss[key] / 1024 } }'
rm -f "$E2E" "$E2E.one"
