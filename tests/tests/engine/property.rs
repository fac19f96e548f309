//! Property test: for random schemas A and B (tables, columns, types, nullability, defaults,
//! primary keys, indexes, foreign keys), migrating a real database at A to B yields B, and a
//! second plan is empty. SQLite (in memory) and Postgres.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use schema_sync_core::apply::postgres::PgDatabase;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::diff;
use schema_sync_core::introspect::{postgres as pg, sqlite as lite, IntrospectOptions};
use schema_sync_core::model::{Column, ForeignKey, Index, IndexKey, PrimaryKey, Schema, Table};
use schema_sync_core::SqlType;
use schema_sync_tests::{oracle, rows};

/// Random schema pairs, a fixed seed under CI, failures kept in `property.proptest-regressions`.
fn runner(cases: u32) -> TestRunner {
    let rng_seed = match std::env::var("PROPTEST_RNG_SEED").ok().and_then(|v| v.parse().ok()) {
        Some(s) => proptest::test_runner::RngSeed::Fixed(s),
        None if schema_sync::testing::running_in_ci() => proptest::test_runner::RngSeed::Fixed(0x5EED_0001),
        None => proptest::test_runner::RngSeed::Random,
    };
    TestRunner::new(Config {
        cases,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::SourceParallel(
            "proptest-regressions",
        ))),
        source_file: Some(file!()),
        rng_seed,
        ..Config::default()
    })
}

fn types() -> Vec<SqlType> {
    vec![
        SqlType::BigInt,
        SqlType::Int,
        SqlType::Text,
        SqlType::Bool,
        SqlType::Double,
        SqlType::Varchar { length: Some(40) },
        SqlType::Numeric { precision: Some(10), scale: Some(2) },
        SqlType::Date,
        SqlType::Timestamp { precision: None, tz: true },
        SqlType::Bytes,
    ]
}

/// (type index, nullable, has default) per column.
type ColSpec = (usize, bool, bool);
/// (columns, has pk, index on column k, fk to an earlier table)
type TableSpec = (Vec<ColSpec>, bool, Option<usize>, bool);

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        prop::collection::vec((0..10usize, any::<bool>(), any::<bool>()), 1..6),
        any::<bool>(),
        prop::option::of(0..6usize),
        any::<bool>(),
    )
}

fn schema_spec() -> impl Strategy<Value = Vec<TableSpec>> {
    prop::collection::vec(table_spec(), 0..4)
}

fn default_for(ty: &SqlType) -> &'static str {
    match ty {
        SqlType::Bool => "false",
        SqlType::Text | SqlType::Varchar { .. } => "'n/a'",
        SqlType::Date | SqlType::Timestamp { .. } => "CURRENT_TIMESTAMP",
        SqlType::Bytes => "''",
        _ => "0",
    }
}

/// A model schema (neutral types) from a spec. Table `t{i}` column `c{j}`; the PK is an `id`
/// bigint column; a FK points at the previous table's `id` through a `ref_id` column.
fn build(spec: &[TableSpec]) -> Schema {
    let ts = types();
    let mut s = Schema::default();
    for (i, (cols, pk, idx, fk)) in spec.iter().enumerate() {
        let mut t = Table::new(format!("t{i}"));
        t.columns.push(Column::new("id", SqlType::BigInt).not_null());
        if *pk {
            t.primary_key = Some(PrimaryKey::on(["id"]));
        }
        for (j, (ty, nullable, def)) in cols.iter().enumerate() {
            let ty = ts[*ty].clone();
            let mut c = Column::new(format!("c{j}"), ty.clone());
            c.nullable = *nullable;
            if *def && !matches!(ty, SqlType::Bytes) {
                c.default = Some(default_for(&ty).to_string());
            }
            t.columns.push(c);
        }
        if let Some(k) = idx.filter(|k| *k < cols.len()) {
            t.indexes.push(Index {
                name: format!("t{i}_c{k}_idx"),
                keys: vec![IndexKey::column(format!("c{k}"))],
                unique: false,
                predicate: None,
                method: None,
                include: vec![],
                nulls_not_distinct: false,
                with: Default::default(),
                invalid: false,
            });
        }
        let prev_has_pk = i > 0 && spec[i - 1].1;
        if *fk && prev_has_pk {
            t.columns.push(Column::new("ref_id", SqlType::BigInt));
            t.foreign_keys.push(ForeignKey {
                name: None,
                columns: vec!["ref_id".into()],
                ref_schema: None,
                ref_table: format!("t{}", i - 1),
                ref_columns: vec!["id".into()],
                on_delete: Default::default(),
                on_update: Default::default(),
                deferrable: Default::default(),
                match_full: false,
                not_valid: false,
            });
        }
        s.tables.push(t);
    }
    s.normalize();
    s
}

fn opts() -> ApplyOptions {
    ApplyOptions { allow_destructive: true, record_version: false, ..Default::default() }
}

/// Migrates a database at A (with generated rows) to B: every kept row keeps its values (or
/// the tool refuses and nothing changes, then B is reached without rows), the tool's own diff
/// is empty, and the catalog equals that of a database created at B directly (the oracle).
fn sqlite_case(a: &Schema, b: &Schema) -> Result<(), String> {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    apply::migrate_blocking(&mut conn, a, &opts()).map_err(|e| format!("create A: {e}"))?;
    rows::seed_sqlite(&conn);
    let (before, types_before) = rows::contents_sqlite(&conn);
    match apply::migrate_blocking(&mut conn, b, &opts()) {
        Ok(_) => {
            let (after, types_after) = rows::contents_sqlite(&conn);
            let lost = rows::lost(&before, &after, &types_before, &types_after);
            if !lost.is_empty() {
                return Err(format!("A → B changed rows: {lost:?}"));
            }
        }
        Err(e) => {
            if rows::contents_sqlite(&conn).0 != before {
                return Err(format!("A → B failed ({e}) and changed rows"));
            }
            conn = rusqlite::Connection::open_in_memory().unwrap();
            apply::migrate_blocking(&mut conn, a, &opts()).map_err(|e| format!("create A: {e}"))?;
            apply::migrate_blocking(&mut conn, b, &opts()).map_err(|e| format!("A → B (no rows): {e}"))?;
        }
    }
    let live = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    let left = diff::compare(&live, b, None, &Default::default()).unwrap();
    if !left.is_empty() {
        return Err(diff::render_text(&left));
    }
    let mut direct = rusqlite::Connection::open_in_memory().unwrap();
    apply::migrate_blocking(&mut direct, b, &opts()).map_err(|e| format!("create B: {e}"))?;
    let seen = oracle::difference(&oracle::sqlite(&conn), &oracle::sqlite(&direct));
    if !seen.is_empty() {
        return Err(format!("catalogs differ (oracle): {seen:?}"));
    }
    Ok(())
}

#[test]
fn random_migrations_converge_on_sqlite() {
    let mut runner = runner(300);
    runner
        .run(&(schema_spec(), schema_spec()), |(a, b)| {
            let (a, b) = (build(&a), build(&b));
            sqlite_case(&a, &b).map_err(TestCaseError::fail)?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn random_migrations_converge_on_postgres() {
    let db = schema_sync::require_postgres!();
    let direct_db = schema_sync::testing::TempPostgres::new().await;
    let mut conn = db.connect().await;
    let mut direct_conn = direct_db.connect().await;
    let mut runner = runner(200);
    let specs: Vec<(Vec<TableSpec>, Vec<TableSpec>)> =
        (0..200).map(|_| (schema_spec(), schema_spec()).new_tree(&mut runner).unwrap().current()).collect();
    let iopts = IntrospectOptions::default();
    for (n, (a, b)) in specs.iter().enumerate() {
        let (a, b) = (build(a), build(b));
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute(&mut conn).await.unwrap();
        apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &a, &opts())
            .await
            .unwrap_or_else(|e| panic!("case {n} create A: {e}"));
        rows::seed_postgres(&mut conn, &iopts.schemas).await;
        let (before, types_before) = rows::contents_postgres(&mut conn, &iopts.schemas).await;
        match apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &b, &opts()).await {
            Ok(_) => {
                let (after, types_after) = rows::contents_postgres(&mut conn, &iopts.schemas).await;
                let lost = rows::lost(&before, &after, &types_before, &types_after);
                assert!(lost.is_empty(), "case {n}: A → B changed rows: {lost:?}\nA={a:?}\nB={b:?}");
            }
            Err(e) => {
                let (now, _) = rows::contents_postgres(&mut conn, &iopts.schemas).await;
                assert_eq!(now, before, "case {n}: A → B failed ({e}) and changed rows");
                sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute(&mut conn).await.unwrap();
                apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &a, &opts()).await.unwrap();
                apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &b, &opts())
                    .await
                    .unwrap_or_else(|e| panic!("case {n} A → B (no rows): {e}\nA={a:?}\nB={b:?}"));
            }
        }
        let live = pg::introspect(&mut conn, &iopts).await.unwrap();
        let left = diff::compare(&live, &b, None, &Default::default()).unwrap();
        assert!(left.is_empty(), "case {n}: not converged:\n{}", diff::render_text(&left));
        sqlx::raw_sql("DROP SCHEMA IF EXISTS direct CASCADE").execute(&mut direct_conn).await.unwrap();
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute(&mut direct_conn).await.unwrap();
        apply::migrate(&mut direct_conn, &b, &opts()).await.unwrap_or_else(|e| panic!("case {n} create B: {e}"));
        let seen = oracle::difference(
            &oracle::postgres(&mut conn, &iopts.schemas).await,
            &oracle::postgres(&mut direct_conn, &iopts.schemas).await,
        );
        assert!(seen.is_empty(), "case {n}: catalogs differ (oracle): {seen:?}\nA={a:?}\nB={b:?}");
        let again = apply::migrate(
            PgDatabase::new(&mut conn).with_scope(iopts.clone()),
            &b,
            &ApplyOptions { dry_run: true, ..opts() },
        )
        .await
        .unwrap();
        assert!(again.plan.is_empty(), "case {n}: second plan {:?}", again.plan.steps);
    }
}
