//! SQLite introspection reads columns, keys and indexes from the stored `CREATE` text (two
//! catalog queries in all). This checks every field it reads against what SQLite's own
//! per-table pragmas report for the same database, over the SQLite conformance cases, the real
//! schemas and a file of quirks (WITHOUT ROWID keys, the `INTEGER PRIMARY KEY DESC` quirk,
//! UNIQUE constraints SQLite folds together, collations inherited by index keys, defaults in
//! every form, case-insensitive names, columns added and renamed by ALTER TABLE).

use rusqlite::Connection;
use schema_sync_core::introspect::{sqlite, IntrospectOptions};
use schema_sync_core::model::{KeyTarget, Table};
use schema_sync_core::types;

const QUIRKS: &str = r#"
CREATE TABLE w (a TEXT, b INT, c UNIQUE, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE w2 (a TEXT PRIMARY KEY, c UNIQUE, d UNIQUE, UNIQUE (a)) WITHOUT ROWID;
CREATE TABLE q (id INTEGER PRIMARY KEY DESC, x);
CREATE TABLE q2 (id INTEGER, x, PRIMARY KEY (id DESC));
CREATE TABLE q3 (id integer primary key, x UNIQUE COLLATE NOCASE, y TEXT COLLATE NOCASE UNIQUE,
    UNIQUE (y COLLATE nocase), UNIQUE (x), UNIQUE (id), CONSTRAINT named_u UNIQUE (X, y));
CREATE TABLE tq (a "quoted type", b "a" "b", c 'single');
CREATE TABLE r (id INTEGER PRIMARY KEY, x TEXT UNIQUE, y  VARCHAR ( 20 )  DEFAULT  ( 1 + 2 ) ,
    z int default -1, zz int default - 1, u unique, "q" "TEXT", dd DEFAULT "abc", de DEFAULT ( ( 3 ) ),
    df DEFAULT TRUE, dg DEFAULT CURRENT_TIMESTAMP, dh DEFAULT x'00', UNIQUE (x), unique (id),
    CONSTRAINT named_nocase UNIQUE (x COLLATE NOCASE));
CREATE TABLE p (a, b, c DEFAULT 'x''y', PRIMARY KEY (b, a), UNIQUE (b, a), UNIQUE (a, b), UNIQUE (A, B));
CREATE TABLE f (id INT PRIMARY KEY, pid INT REFERENCES f(ID) ON DELETE CASCADE, qid INT, rid REFERENCES q,
    CONSTRAINT fk2 FOREIGN KEY (QID, pid) REFERENCES p (b, a) ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE g (a INT, b INT GENERATED ALWAYS AS (a * 2) STORED, c AS (a + 1), d TEXT NOT NULL COLLATE RTRIM);
CREATE INDEX gi ON g (A, d, b DESC);
CREATE INDEX gi2 ON g (lower(d) COLLATE NOCASE, a COLLATE BINARY) WHERE a > 0;
CREATE UNIQUE INDEX gi3 ON g (d COLLATE NOCASE);
CREATE TABLE "Mixed" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "Name" TEXT NOT NULL DEFAULT '');
CREATE INDEX mi ON "Mixed" (name);
CREATE TABLE s (id INTEGER PRIMARY KEY, n TEXT) STRICT;
CREATE TABLE cpk (a INT, b INT, PRIMARY KEY (a, b), UNIQUE (b));
CREATE TABLE intpk (id INT PRIMARY KEY, v);
CREATE TABLE bigpk (id BIGINT PRIMARY KEY, v UNIQUE);
ALTER TABLE intpk ADD COLUMN added TEXT DEFAULT 'x';
ALTER TABLE cpk RENAME COLUMN b TO bb;
CREATE VIEW v AS SELECT 1;
"#;

/// (columns, referenced table, referenced columns, ON UPDATE, ON DELETE).
type FkFacts = (Vec<String>, String, Vec<String>, String, String);
/// (name, unique, keys as (column or `<expr>`, descending, collation)).
type IndexFacts = (String, bool, Vec<(String, bool, Option<String>)>);

/// What the pragmas say about one table, in the model's terms.
#[derive(Debug, PartialEq)]
struct Facts {
    /// (name, parsed declared type, NOT NULL, default or generation kind)
    columns: Vec<(String, types::SqlType, bool, Option<String>)>,
    primary_key: Vec<String>,
    /// Sorted.
    foreign_keys: Vec<FkFacts>,
    /// Sorted.
    indexes: Vec<IndexFacts>,
    /// Sorted column lists of UNIQUE constraints.
    uniques: Vec<Vec<String>>,
}

fn strings(conn: &Connection, sql: &str, table: &str, n: usize) -> Vec<Vec<Option<String>>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt
        .query_map([table], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                        rusqlite::types::Value::Null => None,
                        rusqlite::types::Value::Integer(i) => Some(i.to_string()),
                        rusqlite::types::Value::Text(t) => Some(t),
                        other => Some(format!("{other:?}")),
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap();
    rows.collect::<rusqlite::Result<Vec<_>>>().unwrap()
}

fn pragma_facts(conn: &Connection, table: &str) -> Facts {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let cols = strings(
        conn,
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid",
        table,
        6,
    );
    let columns = cols
        .iter()
        .map(|c| {
            let default = match s(&c[5]).as_str() {
                "2" => Some("<virtual>".to_string()),
                "3" => Some("<stored>".to_string()),
                _ => c[3].clone(),
            };
            (s(&c[0]), types::sqlite::parse(&s(&c[1])), s(&c[2]) == "1", default)
        })
        .collect();
    let mut pk: Vec<(i64, String)> =
        cols.iter().filter(|c| s(&c[4]) != "0").map(|c| (s(&c[4]).parse().unwrap(), s(&c[0]))).collect();
    pk.sort();
    let fk_rows = strings(
        conn,
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        table,
        6,
    );
    let mut foreign_keys: Vec<FkFacts> = Vec::new();
    let mut last_id = None;
    for r in &fk_rows {
        if last_id != Some(s(&r[0])) {
            foreign_keys.push((Vec::new(), s(&r[1]), Vec::new(), s(&r[4]), s(&r[5])));
            last_id = Some(s(&r[0]));
        }
        let fk = foreign_keys.last_mut().unwrap();
        fk.0.push(s(&r[2]));
        if let Some(to) = &r[3] {
            fk.2.push(to.clone());
        }
    }
    foreign_keys.sort();
    let mut indexes = Vec::new();
    let mut uniques = Vec::new();
    for ix in strings(conn, "SELECT name, \"unique\", origin FROM pragma_index_list(?1)", table, 3) {
        let keys = strings(
            conn,
            "SELECT name, \"desc\", coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
            &s(&ix[0]),
            3,
        );
        match s(&ix[2]).as_str() {
            "u" => uniques.push(keys.iter().map(|k| s(&k[0])).collect::<Vec<_>>()),
            "c" => indexes.push((
                s(&ix[0]),
                s(&ix[1]) == "1",
                keys.iter()
                    .map(|k| {
                        let coll = k[2].clone().filter(|c| !c.eq_ignore_ascii_case("BINARY"));
                        (k[0].clone().unwrap_or_else(|| "<expr>".into()), s(&k[1]) == "1", coll)
                    })
                    .collect(),
            )),
            _ => {}
        }
    }
    indexes.sort();
    uniques.sort();
    Facts { columns, primary_key: pk.into_iter().map(|(_, n)| n).collect(), foreign_keys, indexes, uniques }
}

fn model_facts(t: &Table) -> Facts {
    let columns = t
        .columns
        .iter()
        .map(|c| {
            let default = match &c.generated {
                Some(g) if g.stored => Some("<stored>".to_string()),
                Some(_) => Some("<virtual>".to_string()),
                None => c.default.clone(),
            };
            (c.name.clone(), c.ty.clone(), !c.nullable, default)
        })
        .collect();
    let mut foreign_keys: Vec<_> = t
        .foreign_keys
        .iter()
        .map(|f| (f.columns.clone(), f.ref_table.clone(), f.ref_columns.clone(), f.on_update.sql(), f.on_delete.sql()))
        .map(|(a, b, c, d, e)| (a, b, c, d.to_string(), e.to_string()))
        .collect();
    foreign_keys.sort();
    let mut indexes: Vec<_> = t
        .indexes
        .iter()
        .map(|i| {
            let keys = i
                .keys
                .iter()
                .map(|k| {
                    let target = match &k.target {
                        KeyTarget::Column(c) => c.clone(),
                        KeyTarget::Expression(_) => "<expr>".into(),
                    };
                    (target, k.descending, k.collation.clone())
                })
                .collect();
            (i.name.clone(), i.unique, keys)
        })
        .collect();
    indexes.sort();
    let mut uniques: Vec<_> = t.uniques.iter().map(|u| u.columns.clone()).collect();
    uniques.sort();
    Facts {
        columns,
        primary_key: t.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default(),
        foreign_keys,
        indexes,
        uniques,
    }
}

/// Every table of `sql`, read by introspection and by the pragmas, must agree. Returns the
/// number of tables compared (0 when the SQL does not load).
fn agree(label: &str, sql: &str) -> usize {
    let conn = Connection::open_in_memory().unwrap();
    if conn.execute_batch(sql.trim_start_matches('\u{feff}')).is_err() {
        return 0;
    }
    let schema = sqlite::introspect(&conn, &IntrospectOptions::default()).unwrap_or_else(|e| panic!("{label}: {e}"));
    for t in &schema.tables {
        assert_eq!(model_facts(t), pragma_facts(&conn, &t.name), "{label}: table {}", t.name);
    }
    schema.tables.len()
}

#[test]
fn text_reading_agrees_with_sqlite_pragmas() {
    let mut tables = agree("quirks", QUIRKS);
    assert_eq!(tables, 15, "every table of the quirks file loads and is read");
    for case in schema_sync_tests::read_cases("sqlite/cases.jsonl") {
        tables += agree(&format!("{} (current)", case.name), &case.current);
        tables += agree(&format!("{} (desired)", case.name), &case.desired);
    }
    let real = schema_sync_tests::conformance_dir().join("real-schemas");
    for rel in [
        "chinook/Chinook_Sqlite.sql",
        "chinook/Chinook_Sqlite_AutoIncrementPKs.sql",
        "northwind/northwind-SQLite3-create.sql",
        "sakila/sqlite-sakila-schema.sql",
    ] {
        let bytes = std::fs::read(real.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        tables += agree(rel, &String::from_utf8_lossy(&bytes));
    }
    eprintln!("{tables} tables: introspection agrees with pragma_table_xinfo / foreign_key_list / index_xinfo");
    assert!(tables > 150, "only {tables} tables compared");
}
