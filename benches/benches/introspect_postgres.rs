//! `inspect` of a Postgres database of 100, 1,000 and 5,000 generated tables, beside the floor:
//! one `pg_attribute ⋈ pg_class` query returning every column of those tables, and, for scale,
//! the same columns from `information_schema.columns`. Same database, same connection, same
//! process for all. The server is `schema_sync::testing::TempPostgres`'s
//! (`SCHEMA_SYNC_TEST_PG_URL`, else a throwaway local cluster).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use divan::Bencher;
use schema_sync::testing::TempPostgres;
use schema_sync_benches::{load_postgres, postgres_floor, postgres_information_schema, total_columns, Variant, SIZES};
use schema_sync_core::introspect::{postgres, IntrospectOptions};
use sqlx::PgConnection;

/// One generated database per size, built on first use and dropped at exit.
static DATABASES: LazyLock<Mutex<HashMap<usize, TempPostgres>>> = LazyLock::new(Default::default);

fn main() {
    if !schema_sync_benches::started_by_cargo_bench() {
        println!("introspect_postgres: a benchmark; run it with `cargo bench` or scripts/bench.sh");
        return;
    }
    divan::main();
    DATABASES.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

/// A connection to the database of `n` tables, creating it the first time.
fn connection(rt: &tokio::runtime::Runtime, n: usize) -> PgConnection {
    let mut dbs = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    if !dbs.contains_key(&n) {
        let db = TempPostgres::new_blocking();
        rt.block_on(async {
            let mut conn = db.connect().await;
            load_postgres(&mut conn, n, Variant::Base).await.expect("loading the generated schema");
            // Fresh statistics, as on any database that has been up for a while.
            sqlx::raw_sql("ANALYZE").execute(&mut conn).await.expect("ANALYZE");
        });
        dbs.insert(n, db);
    }
    rt.block_on(dbs[&n].connect())
}

#[divan::bench(args = SIZES, sample_count = 15)]
fn floor(bencher: Bencher<'_, '_>, n: usize) {
    let rt = runtime();
    let mut conn = connection(&rt, n);
    assert_eq!(rt.block_on(postgres_floor(&mut conn)).unwrap(), total_columns(n, Variant::Base));
    bencher.bench_local(|| rt.block_on(postgres_floor(&mut conn)).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 15)]
fn information_schema(bencher: Bencher<'_, '_>, n: usize) {
    let rt = runtime();
    let mut conn = connection(&rt, n);
    assert_eq!(rt.block_on(postgres_information_schema(&mut conn)).unwrap(), total_columns(n, Variant::Base));
    bencher.bench_local(|| rt.block_on(postgres_information_schema(&mut conn)).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 15)]
fn introspect(bencher: Bencher<'_, '_>, n: usize) {
    let rt = runtime();
    let mut conn = connection(&rt, n);
    let opts = IntrospectOptions::default();
    let schema = rt.block_on(postgres::introspect(&mut conn, &opts)).unwrap();
    assert_eq!(schema.tables.len(), n);
    assert_eq!(schema.tables.iter().map(|t| t.columns.len()).sum::<usize>(), total_columns(n, Variant::Base));
    bencher.bench_local(|| rt.block_on(postgres::introspect(&mut conn, &opts)).unwrap());
}
