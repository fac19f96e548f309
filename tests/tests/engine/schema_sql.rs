//! `inspect --format sql` (`render::schema_sql`): the CREATE statements printed for a schema,
//! loaded into a fresh database, introspect equal to the original — on every loadable
//! third-party case.

use schema_sync_core::introspect::{postgres as pg, IntrospectOptions};
use schema_sync_core::render::{schema_sql, script};
use schema_sync_core::{diff, source, Dialect};
use schema_sync_tests::{read_cases, Tally};

#[test]
fn sqlite_schema_sql_round_trips() {
    let mut tally = Tally::default();
    for case in read_cases("sqlite/cases.jsonl") {
        let Ok(original) = source::load_sqlite_ddl(&case.desired, "case", &IntrospectOptions::default()) else {
            tally.skipped.push((case.name, "does not load".into()));
            continue;
        };
        let sql = script(&schema_sql(&original, Dialect::Sqlite).unwrap());
        match source::load_sqlite_ddl(&sql, "printed", &IntrospectOptions::default()) {
            Ok(back) if diff::diff(&back, &original).is_empty() => tally.passed += 1,
            Ok(back) => tally.failed.push((case.name, format!("{:?}", diff::diff(&back, &original)))),
            Err(e) => tally.failed.push((case.name, format!("{e}\n{sql}"))),
        }
    }
    tally.report("sqlite/cases.jsonl schema_sql");
    assert_eq!(tally.failed.len(), 0);
    assert_eq!(tally.passed, 65, "every case round-trips; update the count only for a reason");
}

async fn pg_file(rel: &str, expected: usize) {
    let a = schema_sync::require_postgres!();
    let b = schema_sync::testing::TempPostgres::new().await;
    let mut ca = a.connect().await;
    let mut cb = b.connect().await;
    schema_sync_tests::create_upstream_roles(&mut ca).await;
    schema_sync_tests::create_upstream_roles(&mut cb).await;
    let mut tally = Tally::default();
    for case in read_cases(rel) {
        let key = case.name.clone();
        if schema_sync_tests::uses_uncovered_objects(&case.desired) {
            tally.skipped.push((key, "uses objects outside the model (rules, operators, aggregates)".into()));
            continue;
        }
        schema_sync_tests::create_case_roles(&mut ca, &case).await;
        schema_sync_tests::create_case_roles(&mut cb, &case).await;
        if super::postgres_convergence::load(&mut ca, &case.desired).await.is_err() {
            tally.skipped.push((key, "desired does not load on PG 15".into()));
            continue;
        }
        let schemas = schema_sync_tests::user_schemas(&mut ca).await;
        let iopts =
            IntrospectOptions { schemas, managed_roles: schema_sync_tests::managed_roles(&case), ..Default::default() };
        let original = pg::introspect(&mut ca, &iopts).await.unwrap();
        let sql = match schema_sql(&original, Dialect::Postgres) {
            Ok(s) => script(&s),
            Err(e) => {
                tally.failed.push((key, e.to_string()));
                continue;
            }
        };
        match super::postgres_convergence::load(&mut cb, &sql).await {
            Ok(()) => {
                let back = pg::introspect(&mut cb, &iopts).await.unwrap();
                let left = diff::diff(&back, &original);
                if left.is_empty() {
                    tally.passed += 1
                } else {
                    tally.failed.push((key, format!("{left:?}").chars().take(300).collect()))
                }
            }
            Err(e) => tally.failed.push((key, e.to_string().chars().take(300).collect())),
        }
    }
    tally.report(&format!("{rel} schema_sql"));
    assert!(tally.failed.is_empty(), "{rel}: {} case(s) do not round-trip: {:?}", tally.failed.len(), tally.failed);
    assert_eq!(tally.passed, expected, "{rel}: the round-trip count changed; update it only for a reason");
}

#[tokio::test]
async fn postgres_schema_sql_round_trips_sqldef() {
    pg_file("postgres/cases.jsonl", 776).await;
}

#[tokio::test]
async fn postgres_schema_sql_round_trips_pg_schema_diff() {
    pg_file("postgres/pg-schema-diff-cases.jsonl", 414).await;
}

#[tokio::test]
async fn postgres_schema_sql_round_trips_migra() {
    pg_file("postgres/migra-cases.jsonl", 26).await;
}
