//! `inspect` of a SQLite file of 100, 1,000 and 5,000 generated tables, beside the floor: one
//! `sqlite_schema ⋈ pragma_table_xinfo` query returning every column. Same file, same
//! connection, same process for both.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use divan::Bencher;
use schema_sync::testing::TempSqlite;
use schema_sync_benches::{load_sqlite, sqlite_floor, total_columns, Variant, SIZES};
use schema_sync_core::introspect::{sqlite, IntrospectOptions};

/// One generated database file per size, built on first use and removed at exit.
static DATABASES: LazyLock<Mutex<HashMap<usize, TempSqlite>>> = LazyLock::new(Default::default);

fn main() {
    if !schema_sync_benches::started_by_cargo_bench() {
        println!("introspect_sqlite: a benchmark; run it with `cargo bench` or scripts/bench.sh");
        return;
    }
    divan::main();
    DATABASES.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// A connection to the database of `n` tables, creating it the first time.
fn connection(n: usize) -> rusqlite::Connection {
    let mut dbs = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    let db = dbs.entry(n).or_insert_with(|| {
        let db = TempSqlite::new();
        load_sqlite(&db.connect(), n, Variant::Base).expect("loading the generated schema");
        db
    });
    sqlite::open(db.path()).expect("opening the generated database")
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn floor(bencher: Bencher<'_, '_>, n: usize) {
    let conn = connection(n);
    assert_eq!(sqlite_floor(&conn).unwrap(), total_columns(n, Variant::Base));
    bencher.bench_local(|| sqlite_floor(&conn).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn introspect(bencher: Bencher<'_, '_>, n: usize) {
    let conn = connection(n);
    let opts = IntrospectOptions::default();
    let schema = sqlite::introspect(&conn, &opts).unwrap();
    assert_eq!(schema.tables.len(), n);
    assert_eq!(schema.tables.iter().map(|t| t.columns.len()).sum::<usize>(), total_columns(n, Variant::Base));
    bencher.bench_local(|| sqlite::introspect(&conn, &opts).unwrap());
}
