# Sourced by the benchmark scripts: a throwaway Postgres cluster for one run, or the server of
# $SCHEMA_SYNC_BENCH_PG_URL (an admin URL). Sets ADMIN_URL, PG_VERSION and url_of DBNAME; the
# cluster is stopped and removed when the script exits (EXTRA_CLEANUP, if set, runs too).
#
# The cluster comes from the local initdb/pg_ctl (PATH, else /usr/lib/postgresql/*/bin; as the
# `postgres` user when run as root), with the test harness's durability settings (they do not
# change catalog reads).
for tool in psql /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool (apt-get install postgresql-client time)" >&2; exit 2; }
done

PGDIR=""
cleanup() {
    if [ -n "$PGDIR" ] && [ -d "$PGDIR/data" ]; then
        as_pg "$PGCTL" stop -m immediate -D "$PGDIR/data" >/dev/null 2>&1 || true
        rm -rf "$PGDIR"
    fi
    if [ -n "${EXTRA_CLEANUP:-}" ]; then eval "$EXTRA_CLEANUP"; fi
}
trap cleanup EXIT

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -n "${SCHEMA_SYNC_BENCH_PG_URL:-}" ]; then
    ADMIN_URL=$SCHEMA_SYNC_BENCH_PG_URL
else
    BINDIR=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
    PGCTL=$BINDIR/pg_ctl
    PGDIR=$(mktemp -d /tmp/schema-sync-bench-pg.XXXXXX)
    chmod 700 "$PGDIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
    as_pg "$BINDIR/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >/dev/null
    # Same durability settings as the test harness; they do not change catalog reads.
    as_pg "$PGCTL" -w -t 60 -D "$PGDIR/data" -l "$PGDIR/server.log" \
        -o "-F -p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
    ADMIN_URL=postgres://postgres@127.0.0.1:$PORT/postgres
fi
url_of() { echo "${ADMIN_URL%/*}/$1"; }
export PGOPTIONS="-c client_min_messages=warning"
PG_VERSION=$(psql -X -qAt "$ADMIN_URL" -c 'SHOW server_version')
echo "== Postgres $PG_VERSION at ${ADMIN_URL%%@*}@…"
