//! sqldef's SQLite cases: load `current`, migrate to `desired`, and the database must then
//! introspect equal to `desired` loaded directly, with an empty second plan.

use rusqlite::Connection;
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::diff;
use schema_sync_core::introspect::{sqlite as lite, IntrospectOptions};
use schema_sync_core::{hints, source};
use schema_sync_tests::{oracle, read_cases, rows, sqlite_uses_uncovered_objects, Tally};

fn load(sql: &str) -> Result<schema_sync_core::Schema, String> {
    let mut s = source::load_sqlite_ddl(sql, "case", &IntrospectOptions::default()).map_err(|e| e.to_string())?;
    hints::apply(&mut s, &hints::rename_hints(sql));
    Ok(s)
}

/// How a case converged: with its generated rows all kept (how many), or without rows after
/// the tool correctly refused to change them.
enum Converged {
    WithRows(usize),
    WithoutRows,
}

fn run_case(current: &str, desired: &str) -> Result<Converged, String> {
    let target = load(desired)?;
    let mut conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
    conn.execute_batch(current).map_err(|e| e.to_string())?;
    let opts = ApplyOptions { allow_destructive: true, record_version: false, ..Default::default() };
    // Rows first: every row the migration keeps must keep its values.
    let seeded = rows::seed_sqlite(&conn);
    let (before, types_before) = rows::contents_sqlite(&conn);
    let mut converged = Converged::WithRows(seeded);
    if let Err(e) = apply::migrate_blocking(&mut conn, &target, &opts) {
        let rejected_row = e.innermost().database_message().is_some_and(|m| m.contains("constraint failed"));
        if !e.is_refusal() && !rejected_row && !matches!(e.innermost(), schema_sync_core::Error::Verify(_)) {
            return Err(format!("migrate: {e}"));
        }
        if rows::contents_sqlite(&conn).0 != before {
            return Err(format!("refused ({e}) but rows changed"));
        }
        conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
        conn.execute_batch(current).map_err(|e| e.to_string())?;
        apply::migrate_blocking(&mut conn, &target, &opts).map_err(|e| format!("migrate (without rows): {e}"))?;
        converged = Converged::WithoutRows;
    }
    if let Converged::WithRows(_) = converged {
        let (after, types_after) = rows::contents_sqlite(&conn);
        let lost = rows::lost(&before, &after, &types_before, &types_after);
        if !lost.is_empty() {
            return Err(format!("rows changed: {lost:?}"));
        }
    }
    let after = lite::introspect(&conn, &IntrospectOptions::default()).map_err(|e| e.to_string())?;
    let left = diff::diff(&after, &target);
    if !left.is_empty() {
        return Err(format!("not converged: {left:?}"));
    }
    // The independent check: SQLite's pragmas agree, read without schema-sync.
    let direct = Connection::open_in_memory().map_err(|e| e.to_string())?;
    direct.execute_batch(desired).map_err(|e| e.to_string())?;
    let seen = oracle::difference(&oracle::sqlite(&conn), &oracle::sqlite(&direct));
    if !seen.is_empty() {
        return Err(format!("the catalogs differ (oracle): {seen:?}"));
    }
    let again = apply::migrate_blocking(&mut conn, &target, &ApplyOptions { dry_run: true, ..opts })
        .map_err(|e| e.to_string())?;
    if !again.plan.is_empty() {
        return Err(format!("second plan not empty: {:?}", again.plan.steps));
    }
    Ok(converged)
}

#[test]
fn sqldef_sqlite_cases_converge() {
    let mut tally = Tally::default();
    let (mut kept, mut without_rows) = (0, 0);
    for case in read_cases("sqlite/cases.jsonl") {
        if sqlite_uses_uncovered_objects(&case.current) || sqlite_uses_uncovered_objects(&case.desired) {
            tally.skipped.push((case.name.clone(), "uses objects SQLite does not have".into()));
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
            (Ok(a), Ok(b)) => {
                tally.passed += 1;
                for c in [a, b] {
                    match c {
                        Converged::WithRows(n) => kept += n,
                        Converged::WithoutRows => without_rows += 1,
                    }
                }
            }
            (Err(e), _) => tally.failed.push((case.name.clone(), format!("up: {e}"))),
            (_, Err(e)) => tally.failed.push((case.name.clone(), format!("down: {e}"))),
        }
    }
    tally.report("sqlite/cases.jsonl");
    eprintln!("sqlite/cases.jsonl: {kept} generated rows kept value for value; {without_rows} direction(s) converged without rows after a correct refusal");
    assert_eq!(tally.passed + tally.failed.len(), 65, "the runnable count changed; update it only for a reason");
    assert!(tally.failed.is_empty(), "{} runnable case(s) do not converge: {:?}", tally.failed.len(), tally.failed);
}

/// The oracle catches a planted introspection bug (indexes lost on reading) that the tool's own
/// diff, reading both sides with the same bug, cannot see.
#[test]
fn the_oracle_catches_a_planted_introspection_bug_the_tools_diff_misses() {
    let desired = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); CREATE INDEX t_n ON t (n);";
    let buggy = |mut s: schema_sync_core::Schema| {
        s.tables.iter_mut().for_each(|t| t.indexes.clear());
        s
    };
    let target = buggy(load(desired).unwrap());
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);").unwrap();
    let opts = ApplyOptions { record_version: false, ..Default::default() };
    apply::migrate_blocking(&mut conn, &target, &opts).unwrap();
    let after = buggy(lite::introspect(&conn, &IntrospectOptions::default()).unwrap());
    assert!(diff::diff(&after, &target).is_empty(), "the tool's own diff sees nothing wrong");
    let direct = Connection::open_in_memory().unwrap();
    direct.execute_batch(desired).unwrap();
    let seen = oracle::difference(&oracle::sqlite(&conn), &oracle::sqlite(&direct));
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("+ index t t_n"), "{seen:?}");
}
