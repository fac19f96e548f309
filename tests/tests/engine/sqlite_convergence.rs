//! sqldef's SQLite cases: load `current`, migrate to `desired`, and the database must then
//! introspect equal to `desired` loaded directly, with an empty second plan.

use rusqlite::Connection;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::diff;
use schema_sync_core::introspect::{sqlite as lite, IntrospectOptions};
use schema_sync_core::{hints, source};
use schema_sync_tests::{read_cases, uses_uncovered_objects, Tally};

fn load(sql: &str) -> Result<schema_sync_core::Schema, String> {
    let mut s = source::load_sqlite_ddl(sql, "case", &IntrospectOptions::default()).map_err(|e| e.to_string())?;
    hints::apply(&mut s, &hints::rename_hints(sql));
    Ok(s)
}

fn run_case(current: &str, desired: &str) -> Result<(), String> {
    let target = load(desired)?;
    let mut conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
    conn.execute_batch(current).map_err(|e| e.to_string())?;
    let opts = ApplyOptions { allow_destructive: true, record_version: false, ..Default::default() };
    apply::migrate_blocking(&mut conn, &target, &opts).map_err(|e| format!("migrate: {e}"))?;
    let after = lite::introspect(&conn, &IntrospectOptions::default()).map_err(|e| e.to_string())?;
    let left = diff::diff(&after, &target);
    if !left.is_empty() {
        return Err(format!("not converged: {left:?}"));
    }
    let again = apply::migrate_blocking(&mut conn, &target, &ApplyOptions { dry_run: true, ..opts })
        .map_err(|e| e.to_string())?;
    if !again.plan.is_empty() {
        return Err(format!("second plan not empty: {:?}", again.plan.steps));
    }
    Ok(())
}

#[test]
fn sqldef_sqlite_cases_converge() {
    let mut tally = Tally::default();
    for case in read_cases("sqlite/cases.jsonl") {
        if uses_uncovered_objects(&case.current) || uses_uncovered_objects(&case.desired) {
            tally.skipped.push((case.name.clone(), "views/triggers are not part of the model".into()));
            continue;
        }
        if case.flags.get("offline").is_some() || case.flags.get("error").is_some() {
            tally.skipped.push((case.name.clone(), "offline/error case".into()));
            continue;
        }
        let loads = |sql: &str| Connection::open_in_memory().unwrap().execute_batch(sql).is_ok();
        if !loads(&case.current) || !loads(&case.desired) {
            tally.skipped.push((case.name.clone(), "does not load in SQLite".into()));
            continue;
        }
        // Both directions, as upstream does (up, then down).
        let forward = run_case(&case.current, &case.desired);
        let back = run_case(&case.desired, &case.current);
        match (forward, back) {
            (Ok(()), Ok(())) => tally.passed += 1,
            (Err(e), _) => tally.failed.push((case.name.clone(), format!("up: {e}"))),
            (_, Err(e)) => tally.failed.push((case.name.clone(), format!("down: {e}"))),
        }
    }
    tally.report("sqlite/cases.jsonl");
    assert!(tally.passed + tally.failed.len() >= 40, "too few runnable cases");
    assert!(tally.failed.is_empty(), "{} runnable case(s) do not converge: {:?}", tally.failed.len(), tally.failed);
}
