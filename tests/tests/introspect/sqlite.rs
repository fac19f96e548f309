//! SQLite introspection against real database files and in-memory databases.

use rusqlite::Connection;
use schema_sync::testing::TempSqlite;
use schema_sync_core::introspect::sqlite::{self, introspect_with_stats};
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::model::{
    Check, Column, Deferrable, FkAction, ForeignKey, Generated, Identity, Index, IndexKey, KeyTarget, PrimaryKey,
    Table, TableOptions, Unique,
};
use schema_sync_core::types::{Dialect, SqlType};
use schema_sync_core::{Error, Schema};

fn opts() -> IntrospectOptions {
    IntrospectOptions::default()
}

fn read(conn: &Connection) -> Schema {
    sqlite::introspect(conn, &opts()).unwrap()
}

fn other(raw: &str) -> SqlType {
    SqlType::Other { dialect: Dialect::Sqlite, raw: raw.into() }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const RICH: &str = r#"
CREATE TABLE "Org ""Units""" (
  id INTEGER CONSTRAINT org_pk PRIMARY KEY AUTOINCREMENT,
  "name" TEXT NOT NULL COLLATE NOCASE,
  [select] VARCHAR(20) DEFAULT 'pending' CHECK ([select] IN ('pending', 'done')),
  created_at TEXT NOT NULL DEFAULT (datetime('now')), -- a comment (with parens
  CONSTRAINT org_name_uq UNIQUE ("name")
);
CREATE TABLE members (
  org_id INTEGER NOT NULL,
  user_no INT NOT NULL,
  email TEXT NOT NULL,
  score REAL DEFAULT 0,
  total INTEGER GENERATED ALWAYS AS (score * (2 + 1)) STORED,
  lower_email TEXT AS (lower(email)),
  CONSTRAINT members_pk PRIMARY KEY (org_id, user_no),
  CONSTRAINT members_org_fk FOREIGN KEY (org_id) REFERENCES "Org ""Units""" (id)
    ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (email),
  CONSTRAINT score_ok CHECK (score >= 0 AND (score < 100))
);
CREATE INDEX members_email_lower ON members (lower(email) DESC, user_no) WHERE email IS NOT NULL;
CREATE INDEX "ix ünï" ON members (email COLLATE NOCASE, score DESC);
CREATE UNIQUE INDEX members_org_email ON members (org_id, email);
CREATE TABLE kv (k TEXT PRIMARY KEY, v ANY, parent TEXT REFERENCES kv ON DELETE SET NULL) STRICT, WITHOUT ROWID;
CREATE TABLE "日本語" (
  "列" INTEGER PRIMARY KEY,
  "order" INTEGER,
  "group" INTEGER,
  FOREIGN KEY ("order", "group") REFERENCES members (org_id, user_no) DEFERRABLE
);
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT);
CREATE VIRTUAL TABLE docs USING fts5(title, body);
CREATE VIEW member_emails AS SELECT email FROM members;
CREATE TRIGGER members_ai AFTER INSERT ON members BEGIN SELECT 1; END;
"#;

fn expected_rich() -> Vec<Table> {
    let mut org = Table::new("Org \"Units\"");
    org.columns = vec![
        Column { identity: Some(Identity::Autoincrement), ..Column::new("id", SqlType::BigInt) },
        Column { collation: Some("NOCASE".into()), ..Column::new("name", SqlType::Text).not_null() },
        Column::new("select", SqlType::Varchar { length: Some(20) }).default_expr("'pending'"),
        // pragma_table_xinfo.dflt_value drops the parentheses around an expression default
        Column::new("created_at", SqlType::Text).not_null().default_expr("datetime('now')"),
    ];
    org.primary_key = Some(PrimaryKey::named("org_pk", ["id"]));
    org.uniques = vec![Unique {
        name: Some("org_name_uq".into()),
        columns: names(&["name"]),
        nulls_not_distinct: false,
        deferrable: Deferrable::No,
    }];
    org.checks =
        vec![Check { name: None, expr: "[select] IN ('pending', 'done')".into(), no_inherit: false, not_valid: false }];

    let mut members = Table::new("members");
    members.columns = vec![
        Column::new("org_id", SqlType::BigInt).not_null(),
        Column::new("user_no", other("INT")).not_null(),
        Column::new("email", SqlType::Text).not_null(),
        Column::new("score", SqlType::Double).default_expr("0"),
        Column {
            generated: Some(Generated { expr: "score * (2 + 1)".into(), stored: true }),
            ..Column::new("total", SqlType::BigInt)
        },
        Column {
            generated: Some(Generated { expr: "lower(email)".into(), stored: false }),
            ..Column::new("lower_email", SqlType::Text)
        },
    ];
    members.primary_key = Some(PrimaryKey::named("members_pk", ["org_id", "user_no"]));
    let key = |target: KeyTarget, descending: bool, collation: Option<&str>| IndexKey {
        target,
        descending,
        nulls_first: None,
        collation: collation.map(str::to_string),
        opclass: None,
    };
    let index = |name: &str, keys: Vec<IndexKey>, unique: bool, predicate: Option<&str>| Index {
        name: name.into(),
        keys,
        unique,
        predicate: predicate.map(str::to_string),
        method: None,
        include: vec![],
        nulls_not_distinct: false,
        with: Default::default(),
        invalid: false,
    };
    members.indexes = vec![
        index(
            "ix ünï",
            vec![
                key(KeyTarget::Column("email".into()), false, Some("NOCASE")),
                key(KeyTarget::Column("score".into()), true, None),
            ],
            false,
            None,
        ),
        index(
            "members_email_lower",
            vec![
                key(KeyTarget::Expression("lower(email)".into()), true, None),
                key(KeyTarget::Column("user_no".into()), false, None),
            ],
            false,
            Some("email IS NOT NULL"),
        ),
        index(
            "members_org_email",
            vec![
                key(KeyTarget::Column("org_id".into()), false, None),
                key(KeyTarget::Column("email".into()), false, None),
            ],
            true,
            None,
        ),
    ];
    members.uniques =
        vec![Unique { name: None, columns: names(&["email"]), nulls_not_distinct: false, deferrable: Deferrable::No }];
    members.foreign_keys = vec![ForeignKey {
        name: Some("members_org_fk".into()),
        columns: names(&["org_id"]),
        ref_schema: None,
        ref_table: "Org \"Units\"".into(),
        ref_columns: names(&["id"]),
        on_delete: FkAction::Cascade,
        on_update: FkAction::Restrict,
        deferrable: Deferrable::InitiallyDeferred,
        match_full: false,
        not_valid: false,
    }];
    members.checks = vec![Check {
        name: Some("score_ok".into()),
        expr: "score >= 0 AND (score < 100)".into(),
        no_inherit: false,
        not_valid: false,
    }];

    let mut kv = Table::new("kv");
    kv.columns = vec![
        Column::new("k", SqlType::Text).not_null(),
        Column::new("v", other("ANY")),
        Column::new("parent", SqlType::Text),
    ];
    kv.primary_key = Some(PrimaryKey::on(["k"]));
    kv.foreign_keys = vec![ForeignKey {
        name: None,
        columns: names(&["parent"]),
        ref_schema: None,
        ref_table: "kv".into(),
        ref_columns: vec![],
        on_delete: FkAction::SetNull,
        on_update: FkAction::NoAction,
        deferrable: Deferrable::No,
        match_full: false,
        not_valid: false,
    }];
    kv.options = TableOptions { without_rowid: true, strict: true };

    let mut jp = Table::new("日本語");
    jp.columns = vec![
        Column::new("列", SqlType::BigInt),
        Column::new("order", SqlType::BigInt),
        Column::new("group", SqlType::BigInt),
    ];
    jp.primary_key = Some(PrimaryKey::on(["列"]));
    jp.foreign_keys = vec![ForeignKey {
        name: None,
        columns: names(&["order", "group"]),
        ref_schema: None,
        ref_table: "members".into(),
        ref_columns: names(&["org_id", "user_no"]),
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: Deferrable::InitiallyImmediate,
        match_full: false,
        not_valid: false,
    }];
    let mut tables = vec![org, members, kv, jp];
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    tables
}

/// A database file holding [`RICH`].
fn rich_db() -> TempSqlite {
    let db = TempSqlite::new();
    db.connect().execute_batch(RICH).unwrap();
    db
}

#[test]
fn rich_schema_reads_exactly() {
    let db = rich_db();
    let conn = sqlite::open(db.path()).unwrap();
    let schema = read(&conn);
    assert_eq!(schema.dialect, Some(Dialect::Sqlite));
    assert!(schema.enums.is_empty() && schema.sequences.is_empty());
    let got: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    // no sqlite_sequence, schema_version, fts5 table or its shadow tables, no view
    assert_eq!(got, ["Org \"Units\"", "kv", "members", "日本語"]);
    for (got, want) in schema.tables.iter().zip(expected_rich()) {
        assert_eq!(got, &want, "table {}", want.name);
    }
}

#[test]
fn snapshots_are_deterministic() {
    let db = rich_db();
    let path = db.path();
    let a = serde_json::to_string_pretty(&read(&sqlite::open(path).unwrap())).unwrap();
    let b = serde_json::to_string_pretty(&read(&sqlite::open(path).unwrap())).unwrap();
    assert_eq!(a, b);
    let back: Schema = serde_json::from_str(&a).unwrap();
    assert_eq!(back, read(&sqlite::open(path).unwrap()));
}

#[test]
fn excluded_tables_and_bookkeeping_are_left_out() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE schema_version (version INTEGER); CREATE TABLE a (x); CREATE TABLE b (y);")
        .unwrap();
    let names_of = |s: Schema| s.tables.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(names_of(read(&conn)), ["a", "b"]);
    let opts = IntrospectOptions { exclude_tables: vec!["b".into()], ..IntrospectOptions::default() };
    assert_eq!(names_of(sqlite::introspect(&conn, &opts).unwrap()), ["a"]);
}

#[test]
fn open_refuses_missing_and_non_sqlite_files() {
    // TempSqlite's directory, with the database file never created.
    let db = TempSqlite::new();
    let dir = db.path().parent().unwrap();
    let missing = dir.join("missing.db");
    let err = sqlite::open(&missing).unwrap_err();
    assert!(matches!(err, Error::Input(_)), "{err:?}");
    assert_eq!(err.to_string(), format!("SQLite database `{}` does not exist", missing.display()));
    assert!(!missing.exists(), "open created the file");

    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough to look like a header\n".repeat(20),
    )
    .unwrap();
    let err = sqlite::open(&text).unwrap_err();
    assert!(matches!(err, Error::Input(_)), "{err:?}");
    assert_eq!(err.to_string(), format!("`{}` is not a SQLite database", text.display()));
    assert!(!err.to_string().contains('\n'));

    let err = sqlite::open(dir).unwrap_err();
    assert_eq!(err.to_string(), format!("`{}` is not a SQLite database", dir.display()));

    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(read(&sqlite::open(&empty).unwrap()).tables.is_empty());
}

#[test]
fn unparsable_create_text_names_the_table() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE good (a INT); CREATE TABLE broken (a INT);
         PRAGMA writable_schema = ON;
         UPDATE sqlite_schema SET sql = 'CREATE TABLE broken (a INT, CHECK' WHERE name = 'broken';
         PRAGMA writable_schema = OFF;",
    )
    .unwrap();
    let err = sqlite::introspect(&conn, &opts()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Ddl { .. }), "{err:?}");
    assert!(msg.contains("table `broken`"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
}

fn generated_schema(tables: usize) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    let mut sql = String::from("BEGIN;");
    for i in 0..tables {
        let parent = if i == 0 { "NULL".to_string() } else { format!("t{}", i - 1) };
        let fk = if i == 0 { String::new() } else { format!(", p INTEGER REFERENCES {parent}(id) ON DELETE CASCADE") };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, \
             n INT CHECK (n > 0){fk}); CREATE INDEX t{i}_n ON t{i} (n DESC) WHERE n > 1;"
        ));
    }
    sql.push_str("COMMIT;");
    conn.execute_batch(&sql).unwrap();
    conn
}

#[test]
fn query_count_does_not_grow_with_tables() {
    let (small, small_stats) = introspect_with_stats(&generated_schema(10), &opts()).unwrap();
    let (large, large_stats) = introspect_with_stats(&generated_schema(500), &opts()).unwrap();
    assert_eq!((small.tables.len(), large.tables.len()), (10, 500));
    assert_eq!((small_stats.tables, large_stats.tables), (10, 500));
    assert_eq!(small_stats.queries, large_stats.queries);
    assert_eq!(large_stats.queries, 2);
    let last = large.table(None, "t499").unwrap();
    assert_eq!(last.foreign_keys[0].ref_table, "t498");
    assert_eq!(last.indexes[0].predicate.as_deref(), Some("n > 1"));
    assert_eq!(last.checks[0].expr, "n > 0");
    assert_eq!(large.stats().foreign_keys, 499);
}

/// Object counts read the obvious way: one pragma query per table.
fn count_independently(conn: &Connection) -> (usize, usize, usize, usize, usize) {
    let mut stmt = conn
        .prepare(
            "SELECT l.name FROM pragma_table_list l WHERE l.schema = 'main' AND l.type = 'table' \
             AND l.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND l.name <> 'schema_version' ORDER BY l.name",
        )
        .unwrap();
    let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let (mut columns, mut indexes, mut uniques, mut fks) = (0, 0, 0, 0);
    for t in &tables {
        let count = |sql: &str| conn.query_row(sql, [t], |r| r.get::<_, i64>(0)).unwrap() as usize;
        columns += count("SELECT count(*) FROM pragma_table_xinfo(?1) WHERE hidden <> 1");
        indexes += count("SELECT count(*) FROM pragma_index_list(?1) WHERE origin = 'c'");
        uniques += count("SELECT count(*) FROM pragma_index_list(?1) WHERE origin = 'u'");
        fks += count("SELECT count(DISTINCT id) FROM pragma_foreign_key_list(?1)");
    }
    (tables.len(), columns, indexes, uniques, fks)
}

fn load_real(rel: &str) -> Option<Connection> {
    let path = schema_sync_tests::conformance_dir().join("real-schemas").join(rel);
    if !path.exists() {
        eprintln!("{} not present, skipped", path.display());
        return None;
    }
    let sql = std::fs::read_to_string(&path).unwrap();
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(sql.trim_start_matches('\u{feff}')).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Some(conn)
}

#[test]
fn real_schemas_match_independent_counts() {
    let mut checked = 0;
    for (rel, min_tables) in [
        ("chinook/Chinook_Sqlite.sql", 11),
        ("chinook/Chinook_Sqlite_AutoIncrementPKs.sql", 11),
        ("northwind/northwind-SQLite3-create.sql", 10),
        ("sakila/sqlite-sakila-schema.sql", 15),
    ] {
        let Some(conn) = load_real(rel) else { continue };
        let schema = read(&conn);
        let s = schema.stats();
        let want = count_independently(&conn);
        assert_eq!((s.tables, s.columns, s.indexes, s.uniques, s.foreign_keys), want, "{rel}");
        assert!(s.tables >= min_tables, "{rel}: {s:?}");
        eprintln!("{rel}: {s:?}");
        for t in &schema.tables {
            for fk in &t.foreign_keys {
                assert!(schema.tables.iter().any(|r| r.name.eq_ignore_ascii_case(&fk.ref_table)), "{rel}: {fk:?}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 3, "real schemas missing: only {checked} checked");
}

#[test]
fn chinook_details() {
    let Some(conn) = load_real("chinook/Chinook_Sqlite.sql") else { panic!("Chinook is part of the repository") };
    let schema = read(&conn);
    let track = schema.table(None, "Track").unwrap();
    assert_eq!(track.primary_key, Some(PrimaryKey::named("PK_Track", ["TrackId"])));
    assert_eq!(track.column("Name").unwrap().ty, other("NVARCHAR(200)"));
    assert_eq!(track.column("UnitPrice").unwrap().ty, SqlType::Numeric { precision: Some(10), scale: Some(2) });
    let fk = track.foreign_keys.iter().find(|f| f.ref_table == "Album").unwrap();
    assert_eq!((fk.columns.clone(), fk.ref_columns.clone()), (names(&["AlbumId"]), names(&["AlbumId"])));
    assert_eq!(track.column("TrackId").unwrap().identity, None, "a rowid alias is not AUTOINCREMENT");
    let Some(auto) = load_real("chinook/Chinook_Sqlite_AutoIncrementPKs.sql") else {
        panic!("Chinook variant missing")
    };
    let auto = read(&auto);
    let auto_track = auto.table(None, "Track").unwrap();
    assert_eq!(auto_track.column("TrackId").unwrap().identity, Some(Identity::Autoincrement));
    let pl = schema.table(None, "PlaylistTrack").unwrap();
    assert_eq!(pl.primary_key.as_ref().unwrap().columns, names(&["PlaylistId", "TrackId"]));
}

#[test]
fn conformance_cases_round_trip_through_json() {
    let cases = schema_sync_tests::read_cases("sqlite/cases.jsonl");
    let (total, mut unloadable, mut passed) = (cases.len(), 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let (name, desired) = (&case.name, case.desired.as_str());
        let conn = Connection::open_in_memory().unwrap();
        if let Err(e) = conn.execute_batch(desired) {
            eprintln!("case {name}: desired SQL does not load: {e}");
            unloadable += 1;
            continue;
        }
        let outcome = (|| -> Result<(), String> {
            let schema = sqlite::introspect(&conn, &opts()).map_err(|e| e.to_string())?;
            let (tables, ..) = count_independently(&conn);
            if schema.tables.len() != tables {
                return Err(format!("{} tables read, {tables} in the catalog", schema.tables.len()));
            }
            let json = serde_json::to_string(&schema).map_err(|e| e.to_string())?;
            let back: Schema = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            if back != schema {
                return Err("JSON round trip changed the schema".into());
            }
            Ok(())
        })();
        match outcome {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    let loadable = total - unloadable;
    eprintln!("sqlite conformance: {passed}/{loadable} loadable cases pass ({unloadable} of {total} did not load)");
    for f in &failures {
        eprintln!("  FAILED {f}");
    }
    assert_eq!(total, 65);
    assert_eq!(loadable, 65, "every SQLite case loads");
    assert_eq!(passed, loadable, "every loadable case reads back right: {failures:#?}");
}
