//! Third-party Postgres cases (sqldef, migra, pg-schema-diff): load `current` into a real
//! database, migrate it to `desired`, and it must then introspect equal to `desired` loaded
//! directly, with an empty second plan.

use schema_sync_core::apply::postgres::PgDatabase;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::introspect::{postgres as pg, IntrospectOptions};
use schema_sync_core::{diff, hints, Schema};
use schema_sync_tests::{read_cases, uses_uncovered_objects, Case, Tally};
use sqlx::{AssertSqlSafe, PgConnection};

/// Drops every user schema (with everything in it) and recreates an empty `public`.
pub async fn reset(conn: &mut PgConnection) {
    sqlx::raw_sql(
        "DO $$ DECLARE r record; BEGIN \
           FOR r IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP \
             EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname); \
           END LOOP; \
         END $$; CREATE SCHEMA public; RESET ALL;",
    )
    .execute(&mut *conn)
    .await
    .expect("reset database");
}

use schema_sync_tests::user_schemas;

pub async fn load(conn: &mut PgConnection, sql: &str) -> Result<(), String> {
    reset(conn).await;
    if sql.trim().is_empty() {
        return Ok(());
    }
    sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut *conn).await.map(|_| ()).map_err(|e| e.to_string())
}

fn not_runnable(case: &Case) -> Option<&'static str> {
    let f = &case.flags;
    if uses_uncovered_objects(&case.current) || uses_uncovered_objects(&case.desired) {
        return Some("uses objects outside the model (views, functions, triggers, policies, grants, comments, extensions, domains, composite types, partitions, inheritance)");
    }
    if f.get("flavor").and_then(|v| v.as_str()) == Some("pgvector") {
        return Some("needs pgvector");
    }
    if f.get("min_version")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.split('.').next().and_then(|m| m.parse::<u32>().ok()).unwrap_or(0) > 15)
    {
        return Some("needs a newer Postgres");
    }
    if f.get("user").is_some() || f.get("roles").is_some_and(|r| r.as_array().is_some_and(|a| !a.is_empty())) {
        return Some("needs upstream roles");
    }
    if f.get("offline").is_some() || f.get("error").is_some() {
        return Some("offline/error-expectation case");
    }
    if ["expected_plan_error_is", "expected_plan_error_contains", "expected_plan_error_message"]
        .iter()
        .any(|k| f.get(*k).is_some())
    {
        return Some("upstream expects the tool to refuse");
    }
    if f.get("not_run_by_upstream_tests").is_some()
        || f.get("additions").and_then(|a| a.as_str()).is_some_and(|a| !a.trim().is_empty())
    {
        return Some("migra fixture not run upstream / needs second phase");
    }
    None
}

async fn run_case(current: &mut PgConnection, desired_db: &mut PgConnection, case: &Case) -> Result<(), String> {
    // The schemas both sides use.
    let mut schemas = user_schemas(desired_db).await;
    for s in user_schemas(current).await {
        if !schemas.contains(&s) {
            schemas.push(s);
        }
    }
    let iopts = IntrospectOptions { schemas, ..Default::default() };
    let mut target: Schema = pg::introspect(desired_db, &iopts).await.map_err(|e| e.to_string())?;
    hints::apply(&mut target, &hints::rename_hints(&case.desired));
    let opts = ApplyOptions { allow_destructive: true, record_version: false, ..Default::default() };
    apply::migrate(PgDatabase::new(&mut *current).with_scope(iopts.clone()), &target, &opts)
        .await
        .map_err(|e| format!("migrate: {e}"))?;
    let after = pg::introspect(current, &iopts).await.map_err(|e| e.to_string())?;
    let left = diff::diff(&after, &target);
    if !left.is_empty() {
        return Err(format!("not converged: {left:?}"));
    }
    let again = apply::migrate(
        PgDatabase::new(&mut *current).with_scope(iopts.clone()),
        &target,
        &ApplyOptions { dry_run: true, ..opts },
    )
    .await
    .map_err(|e| e.to_string())?;
    if !again.plan.is_empty() {
        return Err(format!("second plan not empty: {:?}", again.plan.steps));
    }
    Ok(())
}

async fn converge_file(rel: &str, min_runnable: usize) {
    let pg = schema_sync::require_postgres!();
    let other = schema_sync::testing::TempPostgres::new().await;
    let mut current = pg.connect().await;
    let mut desired = other.connect().await;
    let mut tally = Tally::default();
    for case in read_cases(rel) {
        let key = format!("{} ({})", case.name, case.source);
        if let Some(why) = not_runnable(&case) {
            tally.skipped.push((key, why.into()));
            continue;
        }
        if let Err(e) = load(&mut desired, &case.desired).await {
            tally.skipped.push((key, format!("desired does not load on PG 15: {}", e.lines().next().unwrap_or(""))));
            continue;
        }
        if let Err(e) = load(&mut current, &case.current).await {
            tally.skipped.push((key, format!("current does not load on PG 15: {}", e.lines().next().unwrap_or(""))));
            continue;
        }
        match run_case(&mut current, &mut desired, &case).await {
            Ok(()) => tally.passed += 1,
            Err(e) => tally.failed.push((key, e.chars().take(400).collect())),
        }
    }
    tally.report(rel);
    assert!(
        tally.passed + tally.failed.len() >= min_runnable,
        "only {} runnable cases",
        tally.passed + tally.failed.len()
    );
    // Every runnable case converges today: any failure is a regression, not noise.
    assert!(
        tally.failed.is_empty(),
        "{rel}: {} runnable case(s) do not converge: {:?}",
        tally.failed.len(),
        tally.failed
    );
}

#[tokio::test]
async fn sqldef_postgres_cases_converge() {
    converge_file("postgres/cases.jsonl", 300).await;
}

#[tokio::test]
async fn migra_cases_converge() {
    converge_file("postgres/migra-cases.jsonl", 5).await;
}

#[tokio::test]
async fn pg_schema_diff_cases_converge() {
    converge_file("postgres/pg-schema-diff-cases.jsonl", 150).await;
}
