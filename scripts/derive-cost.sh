#!/usr/bin/env bash
# Compile-time cost of #[derive(SyncTable)]: builds a crate of 200 annotated structs and the same
# structs without the derive (both depend on schema-sync), in a scratch workspace under /tmp.
# Dependencies are built once first; then each crate alone is rebuilt (`touch` + `cargo build`)
# RUNS times and the median wall time is printed, with the difference.
#
# Usage: scripts/derive-cost.sh [STRUCTS] [RUNS]   (defaults 200, 5; dev profile)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-200}
RUNS=${2:-5}
DIR=$(mktemp -d /tmp/schema-sync-derive-cost.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
printf '[workspace]\nresolver = "2"\nmembers = ["with", "without"]\n' >Cargo.toml
for kind in with without; do
    mkdir -p $kind/src
    printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nschema-sync = { path = "%s/schema-sync" }\n' \
        "$kind" "$ROOT" >$kind/Cargo.toml
    {
        echo '#![allow(dead_code)]'
        if [ $kind = with ]; then echo 'use schema_sync::SyncTable;'; else echo 'use schema_sync as _;'; fi
        for i in $(seq 0 $((N - 1))); do
            a() { if [ $kind = with ]; then echo "    #[sync($1)]"; fi; }
            if [ $kind = with ]; then
                echo '#[derive(SyncTable)]'
                echo "#[sync(table = \"s$i\", index(columns = [\"name\", \"email\"], unique), check(name = \"s${i}_score\", expr = \"score >= 0\"))]"
            fi
            echo "pub struct S$i {"
            a "primary_key, identity"; echo "    pub id: i64,"
            if [ "$i" -gt 0 ]; then a "references = S$((i - 1)), on_delete = \"cascade\", index"; echo "    pub parent_id: Option<i64>,"; fi
            a "unique"; echo "    pub name: String,"
            a "sql_type(postgres = \"citext\", sqlite = \"TEXT\")"; echo "    pub email: String,"
            a "sql_type = \"timestamptz\", default = \"CURRENT_TIMESTAMP\""; echo "    pub created_at: String,"
            a "default = \"true\""; echo "    pub active: bool,"
            echo "    pub score: f64,"
            a "check = \"visits >= 0\""; echo "    pub visits: i32,"
            echo "    pub notes: Option<String>,"
            a "rename = \"blob_data\""; echo "    pub data: Vec<u8>,"
            if [ $((i % 2)) = 0 ]; then a "skip"; echo "    pub cache: Vec<u8>,"; fi
            echo "}"
            echo
        done
    } >$kind/src/lib.rs
done
cargo build -q --workspace # dependencies, once
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A MED
for kind in without with; do
    times=()
    for _ in $(seq "$RUNS"); do
        touch $kind/src/lib.rs
        start=$(date +%s.%N)
        cargo build -q -p $kind
        times+=("$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.3f", a - b }')")
    done
    MED[$kind]=$(printf '%s\n' "${times[@]}" | median)
    echo "$kind: runs ${times[*]} s; median ${MED[$kind]} s"
done
echo "derive cost for $N structs (median with - median without): $(awk -v a="${MED[with]}" -v b="${MED[without]}" 'BEGIN { printf "%.3f", a - b }') s"
