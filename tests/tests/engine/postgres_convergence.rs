//! Third-party Postgres cases (sqldef, migra, pg-schema-diff): load `current` into a real
//! database, migrate it to `desired`, and it must then introspect equal to `desired` loaded
//! directly, with an empty second plan.

use schema_sync_core::apply::postgres::PgDatabase;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::introspect::{postgres as pg, IntrospectOptions};
use schema_sync_core::{diff, hints, Schema};
use schema_sync_tests::{
    create_case_roles, create_upstream_roles, managed_roles, oracle, read_cases, rows, uses_uncovered_objects, Case,
    Tally,
};
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
        return Some("uses objects outside the model (rules, operators, aggregates)");
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
    if f.get("user").is_some() {
        return Some("needs a non-superuser login role with its own search path");
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

/// Prefix of the error of a case whose catalog difference is a listed, known gap.
const KNOWN_GAP: &str = "known gap: ";

/// Why a case is listed in `oracle_gaps.tsv`, if it is.
fn known_gap(source: &str) -> Option<&'static str> {
    static GAPS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    let gaps = GAPS.get_or_init(|| {
        include_str!("oracle_gaps.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect()
    });
    gaps.iter().find(|(k, _)| k == source).map(|(_, v)| v.as_str())
}

/// How a case converged: with its generated rows all kept, or (when the tool refused to
/// change values of the generated rows, correctly) without rows.
enum Converged {
    WithRows(usize),
    WithoutRows(String),
}

async fn run_case(
    current: &mut PgConnection,
    desired_db: &mut PgConnection,
    case: &Case,
    online: bool,
) -> Result<Converged, String> {
    // The schemas both sides use.
    let mut schemas = user_schemas(desired_db).await;
    for s in user_schemas(current).await {
        if !schemas.contains(&s) {
            schemas.push(s);
        }
    }
    let iopts = IntrospectOptions { schemas, managed_roles: managed_roles(case), ..Default::default() };
    let mut target: Schema = pg::introspect(desired_db, &iopts).await.map_err(|e| e.to_string())?;
    hints::apply(&mut target, &hints::rename_hints(&case.desired));
    let mut opts = ApplyOptions { allow_destructive: true, record_version: false, ..Default::default() };
    opts.plan.online = online;
    // Rows first: every row the migration keeps must keep its values.
    let seeded = rows::seed_postgres(current, &iopts.schemas).await;
    let (before, types_before) = rows::contents_postgres(current, &iopts.schemas).await;
    let mut converged = Converged::WithRows(seeded);
    if let Err(e) = apply::migrate(PgDatabase::new(&mut *current).with_scope(iopts.clone()), &target, &opts).await {
        // A refusal before anything ran, or the database rejecting a row (a CHECK, a foreign
        // key, a value a cast cannot take) inside the one transaction: atomic either way.
        let rejected_row = e.sqlstate().is_some_and(|s| s.starts_with("22") || s.starts_with("23"));
        if !e.is_refusal() && !rejected_row {
            return Err(format!("migrate: {e}"));
        }
        // The generated rows made the tool refuse (a value that would change, a NULL under a
        // new NOT NULL): nothing changed — checked — and the schema must still converge.
        let (now, _) = rows::contents_postgres(current, &iopts.schemas).await;
        if now != before {
            return Err(format!("refused ({e}) but rows changed"));
        }
        load(current, &case.current).await?;
        apply::migrate(PgDatabase::new(&mut *current).with_scope(iopts.clone()), &target, &opts)
            .await
            .map_err(|e| format!("migrate (without rows): {e}"))?;
        converged = Converged::WithoutRows(e.to_string());
    }
    if let Converged::WithRows(_) = converged {
        let (after, types_after) = rows::contents_postgres(current, &iopts.schemas).await;
        let lost = rows::lost(&before, &after, &types_before, &types_after);
        if !lost.is_empty() {
            return Err(format!("rows changed: {lost:?}"));
        }
    }
    let after = pg::introspect(current, &iopts).await.map_err(|e| e.to_string())?;
    let left = diff::diff(&after, &target);
    if !left.is_empty() {
        return Err(format!("not converged: {left:?}"));
    }
    // The independent check: the catalogs themselves agree, read without schema-sync.
    let seen = oracle::difference(
        &oracle::postgres_for(current, &iopts.schemas, &iopts.managed_roles).await,
        &oracle::postgres_for(desired_db, &iopts.schemas, &iopts.managed_roles).await,
    );
    match (seen.is_empty(), known_gap(&case.source)) {
        (true, None) => {}
        (false, None) => return Err(format!("the catalogs differ (oracle): {seen:?}")),
        (true, Some(_)) => {
            return Err("listed in oracle_gaps.tsv but the catalogs now agree: remove it from the list".into())
        }
        (false, Some(why)) => return Err(format!("{KNOWN_GAP}{why}")),
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
    Ok(converged)
}

/// Every case of `rel` in one mode: the online form (the default for a live Postgres) or the
/// plain one transaction (`--no-online`). Both must give the same figures.
async fn converge_file(rel: &str, expected_runnable: usize, online: bool) {
    let pg = schema_sync::require_postgres!();
    let other = schema_sync::testing::TempPostgres::new().await;
    let mut current = pg.connect().await;
    let mut desired = other.connect().await;
    create_upstream_roles(&mut current).await;
    create_upstream_roles(&mut desired).await;
    let mut tally = Tally::default();
    let mut gaps: Vec<(String, String)> = Vec::new();
    let (mut rows_kept, mut refused_rows) = (0, Vec::<(String, String)>::new());
    for case in read_cases(rel) {
        let key = format!("{} ({})", case.name, case.source);
        if let Some(why) = not_runnable(&case) {
            tally.skipped.push((key, why.into()));
            continue;
        }
        create_case_roles(&mut current, &case).await;
        create_case_roles(&mut desired, &case).await;
        if let Err(e) = load(&mut desired, &case.desired).await {
            tally.skipped.push((key, format!("desired does not load on PG 15: {}", e.lines().next().unwrap_or(""))));
            continue;
        }
        if let Err(e) = load(&mut current, &case.current).await {
            tally.skipped.push((key, format!("current does not load on PG 15: {}", e.lines().next().unwrap_or(""))));
            continue;
        }
        match run_case(&mut current, &mut desired, &case, online).await {
            Ok(Converged::WithRows(n)) => {
                tally.passed += 1;
                rows_kept += n;
            }
            Ok(Converged::WithoutRows(why)) => {
                tally.passed += 1;
                refused_rows.push((key, why));
            }
            Err(e) if e.starts_with(KNOWN_GAP) => gaps.push((key, e)),
            Err(e) => tally.failed.push((key, e.chars().take(400).collect())),
        }
    }
    eprintln!("mode: {}", if online { "online" } else { "plain (--no-online)" });
    tally.report(rel);
    for (key, why) in &gaps {
        eprintln!("  known gap (the tool converges, the catalogs differ): {key}: {why}");
    }
    for (key, why) in &refused_rows {
        eprintln!("  converged without rows (the generated rows were refused, nothing changed): {key}: {why}");
    }
    let runnable = tally.passed + tally.failed.len() + gaps.len();
    eprintln!(
        "{rel}: {runnable} runnable, {} converged ({} with generated rows, {rows_kept} rows kept value for value), {} known gaps",
        tally.passed,
        tally.passed - refused_rows.len(),
        gaps.len()
    );
    assert_eq!(runnable, expected_runnable, "{rel}: the runnable count changed; update it only for a reason");
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
    converge_file("postgres/cases.jsonl", 753, true).await;
}

#[tokio::test]
async fn sqldef_postgres_cases_converge_plain() {
    converge_file("postgres/cases.jsonl", 753, false).await;
}

#[tokio::test]
async fn migra_cases_converge() {
    converge_file("postgres/migra-cases.jsonl", 22, true).await;
}

#[tokio::test]
async fn migra_cases_converge_plain() {
    converge_file("postgres/migra-cases.jsonl", 22, false).await;
}

#[tokio::test]
async fn pg_schema_diff_cases_converge() {
    converge_file("postgres/pg-schema-diff-cases.jsonl", 396, true).await;
}

#[tokio::test]
async fn pg_schema_diff_cases_converge_plain() {
    converge_file("postgres/pg-schema-diff-cases.jsonl", 396, false).await;
}

/// The oracle catches what an introspection bug would hide: were the reader to lose CHECK
/// constraints, the target and the migrated database would both be read without them, the
/// tool's own diff would call them equal — and the catalogs, read independently, still differ.
#[tokio::test]
async fn the_oracle_catches_a_planted_introspection_bug_the_tools_diff_misses() {
    let pg = schema_sync::require_postgres!();
    let other = schema_sync::testing::TempPostgres::new().await;
    let (mut current, mut desired) = (pg.connect().await, other.connect().await);
    load(&mut current, "CREATE TABLE t (id bigint PRIMARY KEY, n integer)").await.unwrap();
    load(&mut desired, "CREATE TABLE t (id bigint PRIMARY KEY, n integer CONSTRAINT n_positive CHECK (n > 0))")
        .await
        .unwrap();
    let iopts = IntrospectOptions::default();
    // The planted bug: every CHECK is lost on reading.
    let buggy = |mut s: Schema| {
        s.tables.iter_mut().for_each(|t| t.checks.clear());
        s
    };
    let target = buggy(pg::introspect(&mut desired, &iopts).await.unwrap());
    let opts = ApplyOptions { allow_destructive: true, record_version: false, ..Default::default() };
    apply::migrate(&mut current, &target, &opts).await.unwrap();
    let after = buggy(pg::introspect(&mut current, &iopts).await.unwrap());
    assert!(diff::diff(&after, &target).is_empty(), "the tool's own diff sees nothing wrong");
    let seen = oracle::difference(
        &oracle::postgres(&mut current, &iopts.schemas).await,
        &oracle::postgres(&mut desired, &iopts.schemas).await,
    );
    assert_eq!(seen, ["+ constraint public.t n_positive c CHECK ((n > 0))"], "the oracle sees the missing CHECK");
}
