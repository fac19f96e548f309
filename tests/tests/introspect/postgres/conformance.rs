//! Third-party schemas through Postgres introspection: the sqldef, migra and pg-schema-diff
//! cases of /work/shared/conformance/postgres, and four real-world schemas.

use schema_sync_tests::{conformance_dir, UPSTREAM_ROLES};
use std::collections::BTreeMap;
use std::path::Path;

use schema_sync::testing::TempPostgres;
use schema_sync_core::introspect::{postgres as pg, IntrospectOptions};
use schema_sync_core::model::Schema;
use sqlx::{PgConnection, Row};

use super::load;

/// Reads a conformance file, failing clearly when the shared data is missing.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

async fn roles(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query("SELECT rolname::text FROM pg_roles ORDER BY 1")
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

fn quote(name: &str) -> String {
    schema_sync_core::sql::quote_ident(name)
}

/// Puts the database back to an empty `public` schema, and drops roles a case created
/// (other than the `ss_…` roles other tests of this binary own).
async fn reset(admin: &mut PgConnection, roles_before: &[String]) {
    let mut sql = String::new();
    for s in schema_sync_tests::user_schemas(admin).await {
        sql.push_str(&format!("DROP SCHEMA {} CASCADE;\n", quote(&s)));
    }
    sql.push_str("CREATE SCHEMA public AUTHORIZATION pg_database_owner; GRANT USAGE ON SCHEMA public TO PUBLIC;\n");
    load(admin, &sql).await.unwrap_or_else(|e| panic!("resetting the conformance database: {e}"));
    for role in roles(admin).await {
        if !roles_before.contains(&role) && !role.starts_with("ss_") {
            let r = quote(&role);
            let _ = load(admin, &format!("DROP OWNED BY {r} CASCADE; DROP ROLE {r};")).await;
        }
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    skipped: BTreeMap<String, usize>,
    load_failed: BTreeMap<String, usize>,
    passed: usize,
    failed: Vec<String>,
}

impl Tally {
    fn loadable(&self) -> usize {
        self.passed + self.failed.len()
    }
}

/// Why a case is not run at all, from its flags.
fn skip_reason(case: &serde_json::Value, server_major: u32) -> Option<String> {
    let flags = &case["flags"];
    let desired = case["desired"].as_str().unwrap_or_default();
    if flags["flavor"].as_str() == Some("pgvector") || desired.to_ascii_lowercase().contains("extension vector") {
        return Some("needs pgvector".into());
    }
    if let Some(v) = flags["min_version"].as_str() {
        let major: u32 = v.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        if major > server_major {
            return Some(format!("needs PG {major}"));
        }
    }
    if desired.trim().is_empty() {
        return Some("empty desired schema".into());
    }
    None
}

/// A short class for a load error: the SQLSTATE and the first words of the message.
fn load_error_class(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => {
            let msg: String = db.message().split_whitespace().take(4).collect::<Vec<_>>().join(" ");
            format!("{} {msg}", db.code().unwrap_or_default())
        }
        other => other.to_string().split_whitespace().take(5).collect::<Vec<_>>().join(" "),
    }
}

async fn load_case(conn: &mut PgConnection, case: &serde_json::Value) -> Result<(), sqlx::Error> {
    let flags = &case["flags"];
    // pg-schema-diff creates these roles before each case (verbatim `CREATE ROLE <string>`).
    for role in flags["roles"].as_array().into_iter().flatten().filter_map(|r| r.as_str()) {
        let _ = load(conn, &format!("CREATE ROLE {role}")).await;
    }
    // pg-schema-diff ran each element as its own Exec (CREATE INDEX CONCURRENTLY must not be in
    // a multi-statement transaction); everything else loads as one script.
    if let Some(parts) = flags["new_schema_ddl"].as_array() {
        for part in parts.iter().filter_map(|p| p.as_str()) {
            load(conn, part).await?;
        }
        Ok(())
    } else {
        load(conn, case["desired"].as_str().unwrap_or_default()).await
    }
}

/// Loads every case of one file into the shared database and checks introspection.
async fn run_file(db: &TempPostgres, file: &str, server_major: u32, roles_before: &[String]) -> Tally {
    let text = read(&conformance_dir().join("postgres").join(file));
    let mut admin = db.connect().await;
    let mut tally = Tally::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = case["source"].as_str().unwrap_or_default().to_string();
        tally.cases += 1;
        if let Some(reason) = skip_reason(&case, server_major) {
            *tally.skipped.entry(reason).or_default() += 1;
            continue;
        }
        let mut conn = db.connect().await;
        let _ = load(&mut conn, "SET statement_timeout = '20s'").await;
        if let Err(e) = load_case(&mut conn, &case).await {
            *tally.load_failed.entry(load_error_class(&e)).or_default() += 1;
            drop(conn);
            reset(&mut admin, roles_before).await;
            continue;
        }
        let opts =
            IntrospectOptions { schemas: schema_sync_tests::user_schemas(&mut conn).await, ..Default::default() };
        let outcome = async {
            let first = pg::introspect(&mut conn, &opts).await.map_err(|e| format!("introspect: {e}"))?;
            let json = serde_json::to_string(&first).map_err(|e| format!("serialise: {e}"))?;
            let back: Schema = serde_json::from_str(&json).map_err(|e| format!("deserialise: {e}"))?;
            if back != first {
                return Err("JSON round trip changed the schema".to_string());
            }
            let second = pg::introspect(&mut conn, &opts).await.map_err(|e| format!("introspect: {e}"))?;
            if serde_json::to_string(&second).unwrap_or_default() != json {
                return Err("second introspection differs".to_string());
            }
            Ok::<_, String>(())
        }
        .await;
        match outcome {
            Ok(()) => tally.passed += 1,
            Err(why) => tally.failed.push(format!("{id}: {why}")),
        }
        drop(conn);
        reset(&mut admin, roles_before).await;
    }
    tally
}

#[tokio::test]
async fn third_party_cases_round_trip() {
    let db = schema_sync::require_postgres!();
    let mut admin = db.connect().await;
    let server_major = pg::server_version(&mut admin).await.unwrap() / 10_000;
    // The roles the upstream harnesses create before running (sqldef README, migra's
    // setup_roles_on_current); kept for the whole run.
    let preexisting = roles(&mut admin).await;
    for role in UPSTREAM_ROLES {
        let _ = load(&mut admin, &format!("CREATE ROLE {}", quote(role))).await;
    }
    let roles_before = roles(&mut admin).await;
    let started = std::time::Instant::now();
    let mut all_ok = true;
    for file in ["cases.jsonl", "migra-cases.jsonl", "pg-schema-diff-cases.jsonl"] {
        let t = run_file(&db, file, server_major, &roles_before).await;
        let load_failed: usize = t.load_failed.values().sum();
        eprintln!(
            "{file}: {} cases, {} skipped {:?}, {load_failed} failed to load, {} loadable: {} passed, {} failed",
            t.cases,
            t.skipped.values().sum::<usize>(),
            t.skipped,
            t.loadable(),
            t.passed,
            t.failed.len()
        );
        let mut classes: Vec<_> = t.load_failed.iter().collect();
        classes.sort_by(|a, b| b.1.cmp(a.1));
        for (class, n) in classes.iter().take(12) {
            eprintln!("    load failure x{n}: {class}");
        }
        for f in t.failed.iter().take(20) {
            eprintln!("    FAILED {f}");
        }
        // Every case that loads must read back right: no slack.
        let expected_loadable = match file {
            "cases.jsonl" => 755,
            "migra-cases.jsonl" => 26,
            _ => 396,
        };
        if t.passed != t.loadable() || t.loadable() != expected_loadable {
            eprintln!("{file}: expected all {expected_loadable} loadable cases to pass");
            all_ok = false;
        }
    }
    eprintln!("third-party cases took {:?}", started.elapsed());
    // Roles are server-wide: leave none behind on a shared server.
    for role in UPSTREAM_ROLES.iter().filter(|r| !preexisting.iter().any(|p| p == *r)) {
        let r = quote(role);
        let _ = load(&mut admin, &format!("DROP OWNED BY {r} CASCADE; DROP ROLE {r};")).await;
    }
    assert!(all_ok, "a loadable case failed, or the loadable count changed (see above)");
}

/// Counts from plain catalog queries, written independently of the introspection queries. A
/// partition counts as a table; what it has from its parent (its index of the parent's index,
/// its clone of the parent's foreign key) is the parent's and is not counted again.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    tables: usize,
    columns: usize,
    indexes: usize,
    foreign_keys: usize,
}

async fn catalog_counts(conn: &mut PgConnection) -> Counts {
    let tables = "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')";
    let queries = [
        format!("SELECT count(*) FROM ({tables}) t"),
        format!(
            "SELECT count(*) FROM information_schema.columns col \
             JOIN pg_class c ON c.relname = col.table_name \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = col.table_schema \
             WHERE c.oid IN ({tables})"
        ),
        format!(
            "SELECT count(*) FROM pg_indexes i JOIN pg_class c ON c.relname = i.tablename \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname \
             JOIN pg_class ic ON ic.relname = i.indexname AND ic.relnamespace = n.oid \
             WHERE c.oid IN ({tables}) AND NOT ic.relispartition \
               AND ic.oid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))"
        ),
        format!(
            "SELECT count(*) FROM information_schema.table_constraints tc \
             JOIN pg_class c ON c.relname = tc.table_name \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = tc.table_schema \
             JOIN pg_constraint con ON con.conname = tc.constraint_name AND con.conrelid = c.oid \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND c.oid IN ({tables}) AND con.conparentid = 0"
        ),
    ];
    let mut n = Vec::new();
    for q in queries {
        let v: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(q)).persistent(false).fetch_one(&mut *conn).await.unwrap();
        n.push(usize::try_from(v).unwrap());
    }
    Counts { tables: n[0], columns: n[1], indexes: n[2], foreign_keys: n[3] }
}

/// psql meta-commands and the database switch are not SQL.
fn strip_chinook(sql: &str) -> String {
    sql.lines()
        .filter(|l| {
            let t = l.trim_start().to_ascii_uppercase();
            !(t.starts_with('\\') || t.starts_with("DROP DATABASE") || t.starts_with("CREATE DATABASE"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Pagila without pgvector: drop the pg_dump entries that need it (the extension, the
/// `film_embedding` table and everything hanging on it). Its PG 18 features are lowered so the
/// file loads on older servers (only counts are compared): the `VIRTUAL` generated column becomes
/// `STORED`, `uuidv7()` defaults become `gen_random_uuid()`.
fn strip_pgvector(sql: &str) -> String {
    const HEADER: &str = "\n--\n-- Name: ";
    sql.replace(") VIRTUAL\n", ") STORED\n")
        .replace("DEFAULT uuidv7()", "DEFAULT gen_random_uuid()")
        .split(HEADER)
        .enumerate()
        .filter(|(i, block)| {
            *i == 0 || !(block.replace("tsvector", "").contains("vector") || block.contains("film_embedding"))
        })
        .map(|(i, block)| if i == 0 { block.to_string() } else { format!("{HEADER}{block}") })
        .collect()
}

#[tokio::test]
async fn real_schemas_match_catalog_counts() {
    let base = conformance_dir().join("real-schemas");
    type Prepare = fn(&str) -> String;
    let cases: [(&str, &str, Prepare); 4] = [
        ("chinook", "chinook/Chinook_PostgreSql.sql", strip_chinook),
        ("sakila", "sakila/postgres-sakila-schema.sql", |s| s.to_string()),
        ("northwind", "northwind/northwind_psql-northwind.sql", |s| s.to_string()),
        ("pagila", "pagila/pagila-schema.sql", strip_pgvector),
    ];
    for (name, file, prepare) in cases {
        let db = schema_sync::require_postgres!();
        let mut conn = db.connect().await;
        let sql = prepare(&read(&base.join(file)));
        load(&mut conn, &sql).await.unwrap_or_else(|e| panic!("{name}: loading {file}: {e}"));
        let mut fresh = db.connect().await;
        let schema = pg::introspect(&mut fresh, &IntrospectOptions::default()).await.unwrap();
        let s = schema.stats();
        let got = Counts { tables: s.tables, columns: s.columns, indexes: s.indexes, foreign_keys: s.foreign_keys };
        let want = catalog_counts(&mut fresh).await;
        eprintln!(
            "{name}: {got:?}, {} PKs, {} uniques, {} checks, {} enums",
            s.primary_keys, s.uniques, s.checks, s.enums
        );
        assert!(want.tables > 5, "{name}: schema did not load ({want:?})");
        assert_eq!(got, want, "{name}");
        let json = serde_json::to_string(&schema).unwrap();
        assert_eq!(serde_json::from_str::<Schema>(&json).unwrap(), schema, "{name}: JSON round trip");
    }
}
