//! `fleet audit|baseline|apply` end to end: 2,000 real SQLite files (planted drift, garbage and
//! locked files) and 200 tenant schemas on a real Postgres, through the real binary — and a
//! `fleet apply` killed with SIGKILL part-way, then resumed.

use crate::{cli, lite_rows, pg_exec, pg_rows, Run, ScratchDir};
use schema_sync::testing::TempPostgres;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const FILES: usize = 2_000;

/// The desired schema, with rows.
const TEMPLATE: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL,
    CHECK (length(title) > 0));
CREATE INDEX posts_user_idx ON posts (user_id);
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);
INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', NULL), (3, 'çé@example.com', 'Çé');
INSERT INTO posts VALUES (1, 1, 'hello'), (2, 1, 'again'), (3, 2, 'x'), (4, 3, 'ünï');
INSERT INTO tags VALUES (1, 'rust'), (2, 'sql');
";

/// The planted drift of file (or tenant) `i`, as the audit words it; `None`: in sync.
fn planted(i: usize) -> Option<&'static str> {
    if i % 10 == 3 {
        Some("~ table posts: + index posts_user_idx (user_id)")
    } else if i % 25 == 7 {
        Some("~ table users: - column nickname TEXT")
    } else if i % 40 == 11 {
        Some("+ table tags")
    } else {
        None
    }
}

/// Files that are not databases at all.
fn garbage(i: usize) -> bool {
    i % 500 == 250
}

fn name(i: usize) -> String {
    format!("shard-{i:04}.db")
}

/// Writes `template.db` and `fleet/shard-NNNN.db` (copies with the planted drift; every file
/// also gets a row of its own, so rows are told apart per file).
fn make_fleet(dir: &ScratchDir) {
    let template = dir.join("template.db");
    rusqlite::Connection::open(&template).unwrap().execute_batch(TEMPLATE).unwrap();
    std::fs::create_dir_all(dir.join("fleet")).unwrap();
    for i in 0..FILES {
        let path = dir.join("fleet").join(name(i));
        if garbage(i) {
            std::fs::write(&path, b"this is not a database\n").unwrap();
            continue;
        }
        std::fs::copy(&template, &path).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let ddl = match planted(i) {
            Some(d) if d.contains("index") => "DROP INDEX posts_user_idx;",
            Some(d) if d.contains("nickname") => "ALTER TABLE users ADD COLUMN nickname TEXT;",
            Some(_) => "DROP TABLE tags;",
            None => "",
        };
        conn.execute_batch(&format!(
            "{ddl} INSERT INTO users (email, name) VALUES ('file{i}@example.com', 'File {i}');"
        ))
        .unwrap();
    }
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"))
}

/// `{drift lines → targets}` of a JSON report's groups (`drift`, `errors` or `resolved`).
fn groups(report: &Value, key: &str) -> BTreeMap<Vec<String>, BTreeSet<String>> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let items = g["items"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
            let targets: BTreeSet<String> =
                g["targets"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
            assert_eq!(g["count"].as_u64().unwrap() as usize, targets.len());
            (items, targets)
        })
        .collect()
}

/// What the audit must find: planted drift grouped by kind, with the files' paths as given.
fn expected_drift(prefix: &str, skip: impl Fn(usize) -> bool) -> BTreeMap<Vec<String>, BTreeSet<String>> {
    let mut want: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for i in (0..FILES).filter(|&i| !garbage(i) && !skip(i)) {
        if let Some(d) = planted(i) {
            want.entry(vec![d.to_string()]).or_default().insert(format!("{prefix}/{}", name(i)));
        }
    }
    want
}

/// Every row of every table of a SQLite file, as text.
fn contents(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for t in ["users", "posts", "tags"] {
        if lite_rows(&conn, &format!("SELECT name FROM sqlite_schema WHERE name = '{t}'")).is_empty() {
            continue;
        }
        out.extend(lite_rows(&conn, &format!("SELECT '{t}', * FROM {t} ORDER BY id")));
    }
    out
}

#[test]
fn sqlite_fleet_audit_finds_exactly_the_planted_drift_and_a_baseline_accepts_it() {
    let dir = ScratchDir::new("fleet-audit");
    make_fleet(&dir);
    let fleet = dir.s("fleet");
    let glob = format!("{fleet}/*.db");
    let to = dir.s("template.db");

    // Two files locked by a writer for the whole first run: reported unreadable, not waited for.
    let locked: Vec<usize> = vec![1, 2];
    let holders: Vec<rusqlite::Connection> = locked
        .iter()
        .map(|&i| {
            let c = rusqlite::Connection::open(dir.join("fleet").join(name(i))).unwrap();
            c.execute_batch("BEGIN EXCLUSIVE").unwrap();
            c
        })
        .collect();
    let started = std::time::Instant::now();
    let r = cli(&["fleet", "audit", "--to", &to, "--busy-timeout", "200", "--format", "json", &glob]).expect(2);
    eprintln!("fleet audit of {FILES} files: {:?} (debug build)", started.elapsed());
    drop(holders);
    let report = json(&r);
    assert_eq!(groups(&report, "drift"), expected_drift(&fleet, |i| locked.contains(&i)));
    let unreadable: BTreeSet<String> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] == "unreadable")
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    let want: BTreeSet<String> =
        (0..FILES).filter(|&i| garbage(i) || locked.contains(&i)).map(|i| format!("{fleet}/{}", name(i))).collect();
    assert_eq!(unreadable, want);
    let errors = groups(&report, "errors");
    assert!(errors.keys().any(|k| k[0].contains("not a SQLite database")), "{errors:?}");
    assert!(errors.keys().any(|k| k[0].contains("locked")), "{errors:?}");
    assert_eq!(report["targets"].as_array().unwrap().len(), FILES);
    let drifted: usize = expected_drift(&fleet, |i| locked.contains(&i)).values().map(BTreeSet::len).sum();
    assert_eq!(report["summary"]["drifted"].as_u64().unwrap() as usize, drifted);

    // Garbage removed, locks released: drift only, exit 1; the text names every drifted file.
    for i in (0..FILES).filter(|&i| garbage(i)) {
        std::fs::remove_file(dir.join("fleet").join(name(i))).unwrap();
    }
    let text = cli(&["fleet", "audit", "--to", &to, &glob]).expect(1).stdout;
    let all = expected_drift(&fleet, |_| false);
    assert_eq!(all.len(), 3);
    for (items, targets) in &all {
        assert!(
            text.contains(&format!(
                "[{}] {} targets:",
                1 + all.values().filter(|t| t.len() > targets.len()).count(),
                targets.len()
            )),
            "{text}"
        );
        assert!(text.contains(&items[0]), "{text}");
        for t in targets {
            assert!(text.contains(&format!("\n    {t}\n")), "{t} not named:\n{text}");
        }
    }

    // The baseline accepts exactly that drift: exit 0.
    let base = dir.s("baseline.json");
    cli(&["fleet", "baseline", "--to", &to, "--out", &base, &glob]).expect(0);
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(b["accepted"].as_array().unwrap().len(), 3);
    let r = cli(&["fleet", "audit", "--to", &to, "--baseline", &base, "--format", "json", &glob]).expect(0);
    let report = json(&r);
    assert_eq!(
        report["summary"]["known_drift"].as_u64().unwrap() as usize,
        all.values().map(BTreeSet::len).sum::<usize>()
    );
    assert!(report["drift"].as_array().unwrap().is_empty());

    // One new drift (on a file that was in sync) fails the run and is the only one named; a
    // file whose accepted drift went away is reported as such, without failing the run.
    let new_on = dir.join("fleet").join(name(5));
    rusqlite::Connection::open(&new_on)
        .unwrap()
        .execute_batch("CREATE INDEX users_email_idx ON users (email)")
        .unwrap();
    let fixed = dir.join("fleet").join(name(3));
    rusqlite::Connection::open(&fixed)
        .unwrap()
        .execute_batch("CREATE INDEX posts_user_idx ON posts (user_id)")
        .unwrap();
    let r = cli(&["fleet", "audit", "--to", &to, "--baseline", &base, "--format", "json", &glob]).expect(1);
    let report = json(&r);
    let new: BTreeMap<Vec<String>, BTreeSet<String>> =
        [(vec!["~ table users: - index users_email_idx (email)".to_string()], [new_on.display().to_string()].into())]
            .into();
    assert_eq!(groups(&report, "drift"), new);
    let resolved = groups(&report, "resolved");
    assert_eq!(resolved.values().flatten().collect::<Vec<_>>(), [&fixed.display().to_string()]);
    let text = cli(&["fleet", "audit", "--to", &to, "--baseline", &base, &glob]).expect(1).stdout;
    assert!(text.contains("1 kind of drift") && text.contains(&new_on.display().to_string()), "{text}");
    assert!(!text.contains(&dir.join("fleet").join(name(13)).display().to_string()), "known drift named:\n{text}");
}

#[test]
fn sqlite_fleet_apply_killed_part_way_resumes_keeps_every_row_and_never_applies_twice() {
    let dir = ScratchDir::new("fleet-apply");
    make_fleet(&dir);
    for i in (0..FILES).filter(|&i| garbage(i)) {
        std::fs::remove_file(dir.join("fleet").join(name(i))).unwrap();
    }
    let fleet = dir.join("fleet");
    let files: Vec<usize> = (0..FILES).filter(|&i| !garbage(i)).collect();
    let before: Vec<Vec<String>> = files.iter().map(|&i| contents(&fleet.join(name(i)))).collect();
    let glob = format!("{}/*.db", fleet.display());
    let to = dir.s("template.db");
    let ledger = dir.join("ledger.jsonl");
    let args = [
        "fleet",
        "apply",
        "--to",
        &to,
        "--allow-destructive",
        "--jobs",
        "2",
        "--ledger",
        &ledger.display().to_string(),
        "--format",
        "json",
        &glob,
    ]
    .map(str::to_string);

    // Killed once a hundred targets are done.
    let mut child = std::process::Command::new(schema_sync_tests::schema_sync_bin())
        .args(&args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = || std::fs::read_to_string(&ledger).map(|t| t.lines().count()).unwrap_or(0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while lines() < 100 {
        assert!(child.try_wait().unwrap().is_none(), "fleet apply ended before it could be killed");
        assert!(std::time::Instant::now() < deadline, "fleet apply made no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(child.try_wait().unwrap().is_none(), "finished before the kill: the test proves nothing");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done_before = lines();
    assert!(done_before < files.len(), "the first run was not interrupted ({done_before} lines)");

    // The rerun finishes the rest and skips what the ledger lists.
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = cli(&args).expect(0);
    let report = json(&r);
    let s = &report["summary"];
    assert_eq!(s["failed"], 0);
    assert!(s["already_done"].as_u64().unwrap() as usize >= done_before - 1, "{s}");
    assert_eq!(
        s["already_done"].as_u64().unwrap() + s["migrated"].as_u64().unwrap() + s["in_sync"].as_u64().unwrap(),
        files.len() as u64
    );
    let checksum = report["desired"].as_str().unwrap().to_string();

    // Every file is at the desired schema, has every row it had, and each changed file
    // recorded the change exactly once.
    cli(&["fleet", "audit", "--to", &to, &glob]).expect(0);
    let mut migrated_lines: BTreeMap<String, usize> = BTreeMap::new();
    for line in std::fs::read_to_string(&ledger).unwrap().lines() {
        if let Ok(v) = serde_json::from_str::<Value>(line) {
            if v["state"] == "migrated" {
                *migrated_lines.entry(v["target"].as_str().unwrap().to_string()).or_default() += 1;
            }
        }
    }
    assert!(migrated_lines.values().all(|&n| n == 1), "a target was migrated twice: {migrated_lines:?}");
    for (k, &i) in files.iter().enumerate() {
        let path = fleet.join(name(i));
        let mut want = before[k].clone();
        let mut got = contents(&path);
        if planted(i) == Some("+ table tags") {
            // The table was missing: it is created, empty.
            want.retain(|r| !r.starts_with("tags|"));
        }
        want.sort();
        got.sort();
        // The dropped column's values go (--allow-destructive); every row stays.
        if planted(i).is_some_and(|d| d.contains("nickname")) {
            assert_eq!(got.len(), want.len(), "{}", path.display());
        } else {
            assert_eq!(got, want, "rows of {}", path.display());
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(lite_rows(&conn, "PRAGMA foreign_key_check"), Vec::<String>::new());
        let recorded = if lite_rows(&conn, "SELECT name FROM sqlite_schema WHERE name = 'schema_version'").is_empty() {
            0
        } else {
            lite_rows(&conn, &format!("SELECT count(*) FROM schema_version WHERE checksum = '{checksum}'"))[0]
                .parse()
                .unwrap()
        };
        let want_rows = usize::from(planted(i).is_some());
        assert_eq!(recorded, want_rows, "schema_version rows of {}", path.display());
    }
}

/// Creates the template in `public` and `n` tenant schemas with the planted drift and rows.
async fn make_tenants(url: &str, n: usize) {
    let ddl = "CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email text NOT NULL, name text);
        CREATE TABLE posts (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),
            title text NOT NULL CHECK (length(title) > 0));
        CREATE INDEX posts_user_idx ON posts (user_id);
        CREATE TABLE tags (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, label text NOT NULL UNIQUE);";
    let mut sql = format!("BEGIN; {ddl} COMMIT;");
    for i in 0..n {
        let s = format!("tenant_{i:04}");
        let drift = match planted(i) {
            Some(d) if d.contains("index") => "DROP INDEX posts_user_idx;",
            Some(d) if d.contains("nickname") => "ALTER TABLE users ADD COLUMN nickname text;",
            Some(_) => "DROP TABLE tags;",
            None => "",
        };
        sql.push_str(&format!(
            "BEGIN; CREATE SCHEMA {s}; SET LOCAL search_path = {s}; {ddl} {drift}
             INSERT INTO users (email, name) VALUES ('a@{s}', 'A'), ('b@{s}', NULL);
             INSERT INTO posts (user_id, title) VALUES (1, 'hello {s}'); COMMIT;"
        ));
    }
    pg_exec(url, &sql).await;
}

#[tokio::test]
async fn tenant_fleet_audit_baseline_and_apply_on_a_real_postgres() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    const TENANTS: usize = 200;
    make_tenants(pg.url(), TENANTS).await;
    let dir = ScratchDir::new("fleet-tenants");
    let shown = schema_sync::core::url::redact_url(pg.url());
    let tenant = |i: usize| format!("{shown}#tenant_{i:04}");
    let mut want: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for i in 0..TENANTS {
        if let Some(d) = planted(i) {
            want.entry(vec![d.replace(" TEXT", " text")]).or_default().insert(tenant(i));
        }
    }
    assert_eq!(want.len(), 3);
    let url = pg.url();
    let audit = |extra: &[&str]| {
        let mut a = vec!["fleet", "audit", "--to", url, "--schema", "tenant_*", "--format", "json"];
        a.extend_from_slice(extra);
        a.push(url);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| cli(&a.iter().map(String::as_str).collect::<Vec<_>>());

    // With a database that refuses connections beside it: exit 2, the rest still audited.
    let refused = "postgres://nobody:secret@127.0.0.1:1/nope";
    let r = run(audit(&[refused])).expect(2);
    let report = json(&r);
    assert_eq!(groups(&report, "drift"), want);
    assert_eq!(report["summary"]["unreadable"], 1);
    assert_eq!(report["summary"]["targets"].as_u64().unwrap() as usize, TENANTS + 1);
    assert!(!r.stdout.contains("secret"), "password shown: {}", r.stdout);

    let r = run(audit(&[])).expect(1);
    assert_eq!(groups(&json(&r), "drift"), want);

    let base = dir.s("tenants.json");
    cli(&["fleet", "baseline", "--to", url, "--schema", "tenant_*", "--out", &base, url]).expect(0);
    run(audit(&["--baseline", &base])).expect(0);
    pg_exec(url, "CREATE INDEX users_name_idx ON tenant_0005.users (name)").await;
    let r = run(audit(&["--baseline", &base])).expect(1);
    let only: BTreeMap<Vec<String>, BTreeSet<String>> =
        [(vec!["~ table users: - index users_name_idx (name)".to_string()], [tenant(5)].into())].into();
    assert_eq!(groups(&json(&r), "drift"), only);

    // Apply: every tenant at the template, rows kept, one schema_version row per change.
    let before: Vec<Vec<String>> = {
        let mut v = Vec::new();
        for i in 0..TENANTS {
            v.push(pg_rows(url, &format!("SELECT id, email, name FROM tenant_{i:04}.users ORDER BY id")).await);
        }
        v
    };
    let ledger = dir.s("tenants.jsonl");
    let r = cli(&[
        "fleet",
        "apply",
        "--to",
        url,
        "--schema",
        "tenant_*",
        "--allow-destructive",
        "--ledger",
        &ledger,
        "--format",
        "json",
        url,
    ])
    .expect(0);
    let report = json(&r);
    let changed = want.values().map(BTreeSet::len).sum::<usize>() + 1;
    assert_eq!(report["summary"]["migrated"].as_u64().unwrap() as usize, changed);
    assert_eq!(report["summary"]["in_sync"].as_u64().unwrap() as usize, TENANTS - changed);
    let checksum = report["desired"].as_str().unwrap();
    run(audit(&[])).expect(0);
    for (i, rows) in before.iter().enumerate() {
        let s = format!("tenant_{i:04}");
        assert_eq!(&pg_rows(url, &format!("SELECT id, email, name FROM {s}.users ORDER BY id")).await, rows, "{s}");
        let recorded = pg_rows(
            url,
            &format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{s}' AND tablename = 'schema_version'"),
        )
        .await;
        let n = if recorded == ["1"] {
            pg_rows(url, &format!("SELECT count(*) FROM {s}.schema_version WHERE checksum = '{checksum}'")).await[0]
                .clone()
        } else {
            "0".to_string()
        };
        let want_n = usize::from(planted(i).is_some() || i == 5);
        assert_eq!(n, want_n.to_string(), "{s}");
    }
    // A second run has nothing to do.
    let r = cli(&["fleet", "apply", "--to", url, "--schema", "tenant_*", "--ledger", &ledger, "--format", "json", url])
        .expect(0);
    assert_eq!(json(&r)["summary"]["already_done"].as_u64().unwrap() as usize, TENANTS);
}

/// A tenant's whole schema: an enum, a domain, a function, a trigger, a view, row-level
/// security with a policy, a comment.
const WHOLE_TENANT: &str = "
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE DOMAIN address AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE users (id bigint PRIMARY KEY, email address NOT NULL, mood mood, seen int NOT NULL DEFAULT 0);
CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.seen = OLD.seen + 1; RETURN NEW; END $$;
CREATE TRIGGER users_bump BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump();
CREATE VIEW happy AS SELECT id, email FROM users WHERE mood = 'ok';
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_row ON users USING (email::text = current_user);
COMMENT ON TABLE users IS 'People';";

#[tokio::test]
async fn tenant_fleet_audit_and_apply_cover_views_functions_triggers_policies_and_comments() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    let url = pg.url();
    let mut sql = format!("BEGIN; {WHOLE_TENANT} COMMIT;");
    for i in 0..6 {
        let drift = match i {
            2 => "DROP POLICY own_row ON users;",
            4 => "CREATE OR REPLACE VIEW happy AS SELECT id, email FROM users WHERE mood = 'meh';",
            _ => "",
        };
        sql.push_str(&format!(
            "BEGIN; CREATE SCHEMA t{i}; SET LOCAL search_path = t{i}; {WHOLE_TENANT} {drift}
             INSERT INTO users (id, email, mood) VALUES (1, 'a@x', 'ok'), (2, 'b@x', 'meh'); COMMIT;"
        ));
    }
    pg_exec(url, &sql).await;
    let shown = schema_sync::core::url::redact_url(url);
    let audit = || cli(&["fleet", "audit", "--to", url, "--schema", "t*", "--format", "json", url]);
    // Tenants built alike are in sync (their objects compared as the template's); the two
    // changed ones are named, each with its one difference.
    let r = audit().expect(1);
    let report = json(&r);
    assert_eq!(report["summary"]["in_sync"], 4, "{}", r.stdout);
    let found = groups(&report, "drift");
    assert_eq!(found.len(), 2, "{found:?}");
    let named = |i: usize, what: &str| {
        found.iter().any(|(items, targets)| {
            items.len() == 1 && items[0].contains(what) && *targets == BTreeSet::from([format!("{shown}#t{i}")])
        })
    };
    assert!(named(2, "policy own_row on public.users"), "{found:?}");
    assert!(named(4, "view public.happy"), "{found:?}");

    // Apply brings both back; every row stays and the trigger still fires.
    // The ledger in a scratch directory (the default is `.schema-sync/` under the working one).
    let dir = ScratchDir::new("fleet-whole-tenants");
    let ledger = dir.s("ledger.jsonl");
    cli(&["fleet", "apply", "--to", url, "--schema", "t*", "--ledger", &ledger, "--format", "json", url]).expect(0);
    audit().expect(0);
    for i in 0..6 {
        pg_exec(url, &format!("UPDATE t{i}.users SET mood = 'ok' WHERE id = 2")).await;
        let rows = pg_rows(url, &format!("SELECT id, seen FROM t{i}.users ORDER BY id")).await;
        assert_eq!(rows, ["1|0", "2|1"], "t{i}");
        assert_eq!(pg_rows(url, &format!("SELECT count(*) FROM t{i}.happy")).await, ["2"], "t{i}");
    }
}

#[tokio::test]
async fn tenants_lock_their_own_schema_so_a_fleet_runs_in_parallel() {
    use schema_sync::core::apply::{postgres::PgDatabase, Database};
    use schema_sync::core::introspect::IntrospectOptions;
    let pg: TempPostgres = schema_sync::require_postgres!();
    make_tenants(pg.url(), 2).await;
    // One run holds tenant_0000's lock in an open transaction.
    let mut holder = pg.connect().await;
    let scope = |s: &str| IntrospectOptions { schemas: vec![s.to_string()], ..Default::default() };
    let mut db = PgDatabase::new(&mut holder).with_scope(scope("tenant_0000"));
    db.begin(&schema_sync::core::plan::Plan::empty(schema_sync::Dialect::Postgres)).await.unwrap();
    // Another tenant is not held up.
    let mut other = pg.connect().await;
    let mut db2 = PgDatabase::new(&mut other).with_scope(scope("tenant_0001"));
    let quick = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        db2.begin(&schema_sync::core::plan::Plan::empty(schema_sync::Dialect::Postgres)),
    )
    .await;
    assert!(matches!(quick, Ok(Ok(()))), "tenant_0001 waited for tenant_0000's lock");
    db2.finish(false).await.unwrap();
    // The same tenant waits, and so does a change that may touch any schema (migration files).
    let mut same = pg.connect().await;
    let mut db3 = PgDatabase::new(&mut same).with_scope(scope("tenant_0000"));
    let blocked = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        db3.begin(&schema_sync::core::plan::Plan::empty(schema_sync::Dialect::Postgres)),
    )
    .await;
    assert!(blocked.is_err(), "two runs on one schema did not queue");
    drop(db3);
    drop(same);
    let mut whole = pg.connect().await;
    let mut db4 = PgDatabase::new(&mut whole);
    let blocked = tokio::time::timeout(std::time::Duration::from_millis(500), db4.begin_exclusive()).await;
    assert!(blocked.is_err(), "a database-wide change did not wait for a tenant's run");
    drop(db4);
    drop(whole);
    db.finish(false).await.unwrap();
}

#[test]
fn bad_fleet_input_is_one_line_and_exit_2() {
    let dir = ScratchDir::new("fleet-bad");
    let db = dir.join("a.db");
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY)").unwrap();
    let to = db.display().to_string();
    for (args, says) in [
        (vec!["fleet", "audit", "--to", &to, "nothing/*.db"], "no file matches"),
        (vec!["fleet", "audit", "--to", &to, "--schema", "t_*", &to], "schema patterns"),
        (vec!["fleet", "audit", "--to", &to, "@/nonexistent/list.txt"], "target list"),
        (vec!["fleet", "audit", "--to", &to, "--baseline", &to, &to], "baseline"),
        (vec!["fleet", "audit", "--to", &to, "mysql://u:hunter2@h/db"], "unsupported target"),
    ] {
        let r = cli(&args).expect(2);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{r:?}");
        assert!(r.stderr.contains(says), "{says}: {r:?}");
        assert!(!r.stderr.contains("hunter2"), "{r:?}");
    }
}

/// The library API the CLI is a shell over: results stream one per target; a failing canary
/// stops the run before the rest is touched; a target that needs a destructive step fails with
/// its reason and is left exactly as it was while the others migrate.
#[test]
fn library_fleet_apply_streams_results_stops_on_a_failed_canary_and_leaves_failures_untouched() {
    use schema_sync::fleet::{self, ApplyOptions, FleetOptions, State};
    let dir = ScratchDir::new("fleet-lib");
    let template = dir.join("template.db");
    rusqlite::Connection::open(&template).unwrap().execute_batch(TEMPLATE).unwrap();
    let desired = {
        let conn = rusqlite::Connection::open(&template).unwrap();
        schema_sync::core::introspect::sqlite::introspect(&conn, &Default::default()).unwrap()
    };
    std::fs::create_dir_all(dir.join("f")).unwrap();
    let path = |i: usize| dir.join("f").join(format!("{i:02}.db"));
    for i in 0..12 {
        std::fs::copy(&template, path(i)).unwrap();
        // Every file lacks the index; file 1 is not a database; file 7 has a column the
        // desired schema does not (dropping it would lose data).
        let extra =
            if i == 7 { "ALTER TABLE users ADD COLUMN nickname TEXT; UPDATE users SET nickname = 'n';" } else { "" };
        rusqlite::Connection::open(path(i))
            .unwrap()
            .execute_batch(&format!("DROP INDEX posts_user_idx; {extra}"))
            .unwrap();
    }
    std::fs::write(path(1), b"not a database").unwrap();
    let before: Vec<Vec<String>> = (0..12).map(|i| if i == 1 { vec![] } else { contents(&path(i)) }).collect();
    let specs = fleet::parse_targets(&[format!("{}/*.db", dir.join("f").display())], &[]).unwrap();
    let opts = FleetOptions { jobs: 2, ..Default::default() };
    let run = |canary: usize| {
        let mut streamed = Vec::new();
        let report = schema_sync::block_on(fleet::apply(
            &specs,
            &desired,
            &opts,
            &ApplyOptions { canary, ..Default::default() },
            None,
            &mut |r| streamed.push((r.target.clone(), r.state)),
        ))
        .unwrap();
        assert_eq!(streamed.len(), 12, "one streamed result per target");
        let state = |i: usize| report.targets.iter().find(|t| t.target == path(i).display().to_string()).unwrap().state;
        ((0..12).map(state).collect::<Vec<State>>(), report)
    };

    // Canary of 3 (files 00–02): file 01 fails, the other nine are not attempted.
    let (states, report) = run(3);
    assert_eq!(&states[..3], &[State::Migrated, State::Failed, State::Migrated]);
    assert_eq!(&states[3..], &[State::Skipped; 9]);
    assert!(report
        .targets
        .iter()
        .filter(|t| t.state == State::Skipped)
        .all(|t| t.error.as_deref() == Some("not attempted: a canary target failed")));
    for (i, was) in before.iter().enumerate().skip(3) {
        assert_eq!(&contents(&path(i)), was, "skipped file {i} untouched");
        let conn = rusqlite::Connection::open(path(i)).unwrap();
        assert!(lite_rows(&conn, "SELECT name FROM sqlite_schema WHERE name = 'posts_user_idx'").is_empty());
    }

    // The garbage file replaced by a good one: everything left but file 07 migrates.
    std::fs::copy(&template, path(1)).unwrap();
    let (states, report) = run(3);
    for (i, s) in states.iter().enumerate() {
        let want = match i {
            7 => State::Failed,
            0..=2 => State::InSync, // the canaries of the first run, and the new file
            _ => State::Migrated,
        };
        assert_eq!(*s, want, "file {i}");
    }
    let failed = report.targets.iter().find(|t| t.state == State::Failed).unwrap();
    assert!(failed.error.as_deref().unwrap().contains("nickname"), "{failed:?}");
    assert_eq!(contents(&path(7)), before[7], "the failed target is untouched");
    let conn = rusqlite::Connection::open(path(7)).unwrap();
    assert!(lite_rows(&conn, "SELECT name FROM sqlite_schema WHERE name = 'schema_version'").is_empty());
    for i in [0, 2, 3, 11] {
        assert_eq!(contents(&path(i)), before[i], "file {i} kept every row");
        let conn = rusqlite::Connection::open(path(i)).unwrap();
        assert_eq!(lite_rows(&conn, "SELECT count(*) FROM schema_version"), ["1"]);
        assert_eq!(
            lite_rows(&conn, "SELECT name FROM sqlite_schema WHERE name = 'posts_user_idx'"),
            ["posts_user_idx"]
        );
    }
}

/// One tenant of the digest test: a schema with an enum, identity keys, a foreign key, a CHECK,
/// defaults, a collated column, a partial and an expression index and a standalone sequence;
/// `pad` is written before the `n` column (the same schema, its expressions at other offsets
/// of the statement).
fn digest_tenant(s: &str, pad: &str) -> String {
    format!(
        "CREATE SCHEMA {s};
         CREATE TYPE {s}.mood AS ENUM ('calm', 'busy');
         CREATE TABLE {s}.users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE,
             mood {s}.mood, moods {s}.mood[],{pad} n int DEFAULT 0 CONSTRAINT users_n_check CHECK (n >= 0),
             created timestamptz NOT NULL DEFAULT now());
         CREATE TABLE {s}.posts (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
             user_id bigint CONSTRAINT posts_user_fkey REFERENCES {s}.users (id) ON DELETE CASCADE,
             title text, body text COLLATE \"C\");
         CREATE INDEX posts_title_idx ON {s}.posts (title) WHERE title IS NOT NULL;
         CREATE INDEX posts_lower_idx ON {s}.posts (lower(title));
         CREATE SEQUENCE {s}.counter START 5;"
    )
}

/// Tenants are read once per kind (`introspect_tenants`: the server digests each tenant's
/// tables, columns, defaults, constraints, indexes and sequences): tenants built alike share
/// one reading, while every kind of difference in those families — planted one per tenant —
/// keeps its tenant apart, and the fleet audit reports for every tenant exactly what reading
/// that tenant alone and comparing it reports.
#[tokio::test]
async fn tenants_built_alike_are_read_once_and_every_difference_keeps_a_tenant_apart() {
    use schema_sync::core::diff::{self, DiffOptions};
    use schema_sync::core::introspect::{postgres as pgi, IntrospectOptions};
    use schema_sync::fleet::{self, FleetOptions, TargetSpec};
    let pg = schema_sync::require_postgres!();
    let url = pg.url().to_string();
    // What sets each tenant apart from k000, k001 and k002, which are alike (as are the tenants
    // after the last change, up to `fleet::READ_ONCE_FROM`, where the audit reads each kind of
    // tenant once). Every name has the
    // same length, so the same statement puts its expressions at the same offsets (a node
    // tree's `:location`): only the planted difference tells a tenant apart.
    let changes: &[&str] = &[
        "",
        "",
        "",
        // The same tables written with more spaces: the node trees' `:location`s differ, so it
        // may be a kind of its own, but it is in sync.
        "",
        "ALTER TABLE {s}.posts ALTER title TYPE varchar(200)",
        "ALTER TABLE {s}.posts ALTER title SET NOT NULL",
        "ALTER TABLE {s}.users ALTER n SET DEFAULT 1",
        "ALTER TABLE {s}.users DROP CONSTRAINT users_n_check, ADD CONSTRAINT users_n_check CHECK (n > 0)",
        "ALTER TABLE {s}.posts DROP CONSTRAINT posts_user_fkey, ADD CONSTRAINT posts_user_fkey \
         FOREIGN KEY (user_id) REFERENCES {s}.users (id) ON DELETE SET NULL",
        "ALTER TABLE {s}.posts DROP CONSTRAINT posts_user_fkey, ADD CONSTRAINT posts_user_fkey \
         FOREIGN KEY (user_id) REFERENCES k000.users (id) ON DELETE CASCADE",
        "ALTER TABLE {s}.users ADD CONSTRAINT users_email_len CHECK (length(email) > 0) NOT VALID",
        "ALTER TABLE {s}.users ADD CONSTRAINT users_email_len CHECK (length(email) > 0)",
        "DROP INDEX {s}.posts_title_idx; CREATE INDEX posts_title_idx ON {s}.posts (title) WHERE body IS NOT NULL",
        "ALTER TABLE {s}.posts ALTER body TYPE text COLLATE \"POSIX\"",
        "ALTER TABLE {s}.users ALTER id SET INCREMENT BY 2",
        "ALTER SEQUENCE {s}.counter START WITH 6",
        "ALTER TABLE {s}.users ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE {s}.users ALTER mood TYPE k000.mood USING mood::text::k000.mood",
        "ALTER TABLE {s}.posts ADD CONSTRAINT posts_title_key UNIQUE (title)",
        "ALTER TABLE {s}.posts ADD CONSTRAINT posts_title_key UNIQUE (title) DEFERRABLE",
        "DROP INDEX {s}.posts_lower_idx; CREATE INDEX posts_lower_idx ON {s}.posts (upper(title))",
        "DROP INDEX {s}.posts_title_idx; CREATE INDEX posts_title_idx ON {s}.posts USING hash (title) \
         WHERE title IS NOT NULL",
    ];
    let n = fleet::READ_ONCE_FROM.max(changes.len() + 2);
    let variants: Vec<(String, String)> = (0..n)
        .map(|i| {
            let s = format!("k{i:03}");
            (s.clone(), changes.get(i).unwrap_or(&"").replace("{s}", &s))
        })
        .collect();
    let planted = |s: &str| s.trim_start_matches('k').parse::<usize>().is_ok_and(|i| (4..changes.len()).contains(&i));
    // One batch per tenant, as a migration run per tenant sends it: a node tree's `:location`
    // counts from the start of the batch.
    for (s, change) in &variants {
        let pad = if s == "k003" { "      " } else { "" };
        pg_exec(&url, &format!("{}; {change}", digest_tenant(s, pad))).await;
    }

    let schemas: Vec<String> = variants.iter().map(|(s, _)| s.to_string()).collect();
    let scope = IntrospectOptions { schemas: schemas.clone(), ..Default::default() };
    let mut conn = pgi::connect(&url).await.unwrap();
    let mut helper = pgi::connect(&url).await.unwrap();
    let read = pgi::introspect_tenants(&mut conn, Some(&mut helper), &scope).await.unwrap();
    let kinds: BTreeMap<&str, BTreeSet<&str>> = read.representative.iter().fold(BTreeMap::new(), |mut m, (t, r)| {
        m.entry(r.as_str()).or_default().insert(t.as_str());
        m
    });
    let alike: BTreeSet<&str> =
        variants.iter().map(|(s, _)| s.as_str()).filter(|s| *s != "k003" && !planted(s)).collect();
    assert_eq!(kinds.get("k000"), Some(&alike), "{kinds:?}");
    let spaced_alone = usize::from(read.representative["k003"] == "k003");
    assert_eq!(kinds.len(), changes.len() - 4 + 1 + spaced_alone, "every variant is a kind of its own: {kinds:?}");
    // Only the representatives' tables were read; every tenant's enum was.
    let read_tables: BTreeSet<&str> = read.schema.tables.iter().filter_map(|t| t.schema.as_deref()).collect();
    assert!(!read_tables.contains("k001") && !read_tables.contains("k099") && read_tables.contains("k000"));
    assert_eq!(read.schema.enums.len(), variants.len());
    // A constant number of catalog queries: three tenants cost as many as all of them.
    let few = IntrospectOptions { schemas: schemas[..3].to_vec(), ..Default::default() };
    let three = pgi::introspect_tenants(&mut conn, Some(&mut helper), &few).await.unwrap();
    assert_eq!(three.queries, read.queries);
    assert!(three.queries >= 3, "{}", three.queries);

    // The audit against k000's schema names exactly what reading each tenant alone finds (for
    // every planted tenant and a tenth of the alike ones).
    let mut desired =
        pgi::introspect(&mut conn, &IntrospectOptions { schemas: vec!["k000".into()], ..Default::default() })
            .await
            .unwrap();
    desired.rehome_as("k000", "public", "");
    let spec = TargetSpec::Postgres { url: url.clone(), schemas: vec!["k*".into()] };
    let opts = FleetOptions { jobs: 2, ..Default::default() };
    let report = fleet::audit(&[spec], &desired, &opts, None, &mut |_| {}).await.unwrap();
    assert_eq!(report.targets.len(), variants.len());
    let diff_opts = DiffOptions { default_schema: Some("public".into()), ..Default::default() };
    for t in &report.targets {
        let tenant = t.target.rsplit('#').next().unwrap().to_string();
        if !planted(&tenant) && !tenant.ends_with('0') && tenant != "k003" {
            assert!(t.drift.is_empty(), "{tenant}: {:?}", t.drift);
            continue;
        }
        let mut alone =
            pgi::introspect(&mut conn, &IntrospectOptions { schemas: vec![tenant.clone()], ..Default::default() })
                .await
                .unwrap();
        alone.rehome_as(&tenant, "public", "");
        let c = diff::compare_owned(alone, desired.clone(), Some(schema_sync::core::Dialect::Postgres), &diff_opts)
            .unwrap();
        let want = fleet::drift_items(&c, Some("public"));
        assert_eq!(t.drift, want, "{tenant}");
        assert_eq!(want.is_empty(), !planted(&tenant), "{tenant}: {want:?}");
    }
}
