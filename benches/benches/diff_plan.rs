//! `diff` + `plan` of two 5,000-table schemas held in memory: the generated schema against its
//! changed variant (about 1,400 changes), and against itself (the "is there drift?" case).
//!
//! The schemas are read once, before timing, from real databases: an in-memory SQLite, and a
//! `TempPostgres` database per side for the Postgres dialect. Only the pure middle is timed:
//! `diff::compare` (resolve both sides, diff) and `plan::plan`.

use std::sync::LazyLock;

use divan::Bencher;
use schema_sync::testing::TempPostgres;
use schema_sync_benches::{load_postgres, load_sqlite, Variant};
use schema_sync_core::diff::{self, DiffOptions};
use schema_sync_core::introspect::{postgres, sqlite, IntrospectOptions};
use schema_sync_core::plan::Plan;
use schema_sync_core::render;
use schema_sync_core::Schema;

/// Tables on each side.
const TABLES: usize = 5_000;

/// `(base, changed)` per dialect, read once.
static SQLITE: LazyLock<(Schema, Schema)> =
    LazyLock::new(|| (sqlite_schema(Variant::Base), sqlite_schema(Variant::Changed)));
static POSTGRES: LazyLock<(Schema, Schema)> =
    LazyLock::new(|| (postgres_schema(Variant::Base), postgres_schema(Variant::Changed)));

fn main() {
    if !schema_sync_benches::started_by_cargo_bench() {
        println!("diff_plan: a benchmark; run it with `cargo bench` or scripts/bench.sh");
        return;
    }
    divan::main();
}

fn sqlite_schema(variant: Variant) -> Schema {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    load_sqlite(&conn, TABLES, variant).unwrap();
    sqlite::introspect(&conn, &IntrospectOptions::default()).unwrap()
}

fn postgres_schema(variant: Variant) -> Schema {
    let db = TempPostgres::new_blocking();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut conn = db.connect().await;
        load_postgres(&mut conn, TABLES, variant).await.unwrap();
        postgres::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap()
    })
}

fn schemas(dialect: &str) -> &'static (Schema, Schema) {
    match dialect {
        "sqlite" => &SQLITE,
        _ => &POSTGRES,
    }
}

/// What the CLI's `diff --format sql` does before rendering.
fn diff_and_plan(from: &Schema, to: &Schema) -> (usize, Plan) {
    let cmp = diff::compare(from, to, None, &DiffOptions::default()).unwrap();
    (cmp.changes.len(), render::fix_plan(&cmp))
}

/// Base → changed: about 1,400 changes.
#[divan::bench(args = ["sqlite", "postgres"], sample_count = 20)]
fn changed(bencher: Bencher<'_, '_>, dialect: &str) {
    let (base, changed) = schemas(dialect);
    let (changes, plan) = diff_and_plan(base, changed);
    assert!(changes > 1_000 && !plan.steps.is_empty(), "{changes} changes");
    bencher.bench_local(|| diff_and_plan(base, changed));
}

/// Base → base: no changes, the drift check.
#[divan::bench(args = ["sqlite", "postgres"], sample_count = 20)]
fn identical(bencher: Bencher<'_, '_>, dialect: &str) {
    let (base, _) = schemas(dialect);
    let (changes, plan) = diff_and_plan(base, base);
    assert!(changes == 0 && plan.steps.is_empty(), "{changes} changes");
    bencher.bench_local(|| diff_and_plan(base, base));
}
