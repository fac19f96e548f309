//! Rows for schema tests that come without any: a few generated rows in every table a schema
//! allows (values any common type change keeps: `1`, `'1'`, `true`, `2000-01-01`), and the row
//! contents before and after a migration, compared column by column wherever a column kept its
//! name and type. Third-party cases carry no rows, so a tool that drops and recreates tables
//! would pass them; with these, every kept row must still be there, value for value.

use std::collections::BTreeMap;

/// Rows per table: each table's rows as one text per column, keyed by `table.column` and
/// sorted, so reordered columns and rows compare equal.
pub type Contents = BTreeMap<String, Vec<String>>;

/// The columns kept (same name, same type) between two [`Contents`]: their values must be
/// equal, and every table in both must keep its row count. Returns what differs.
pub fn lost(before: &Contents, after: &Contents, types_before: &Contents, types_after: &Contents) -> Vec<String> {
    let mut out = Vec::new();
    for (col, values) in before {
        let (Some(now), Some(t0), Some(t1)) = (after.get(col), types_before.get(col), types_after.get(col)) else {
            continue;
        };
        if t0 != t1 {
            continue;
        }
        if values != now {
            out.push(format!("{col}: {values:?} became {now:?}"));
        }
    }
    out
}

/// A literal of Postgres type `ty` (as `format_type` prints it) for row `k`, or `None` when no
/// generic value exists for it.
fn pg_literal(ty: &str, k: usize) -> Option<String> {
    let base = ty.split('(').next().unwrap_or(ty).trim();
    Some(match base {
        t if t.ends_with("[]") => "'{}'".into(),
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "money" => k.to_string(),
        "text" | "character varying" | "character" | "citext" | "name" => format!("'{k}'"),
        "boolean" => "true".into(),
        "date" => format!("'2000-01-0{k}'"),
        "timestamp without time zone" | "timestamp with time zone" => format!("'2000-01-0{k} 00:00:00'"),
        "time without time zone" | "time with time zone" => format!("'00:00:0{k}'"),
        "interval" => format!("'{k} days'"),
        "uuid" => format!("'00000000-0000-0000-0000-00000000000{k}'"),
        "json" | "jsonb" => format!("'{{\"k\": {k}}}'"),
        "bytea" => format!("'\\x0{k}'"),
        "inet" | "cidr" => format!("'10.0.0.{k}'"),
        _ => return None,
    })
}

/// (name, type, NOT NULL, has a default or identity, generated, an enum, the enum's type).
type ColumnFacts = (String, String, bool, bool, bool, bool, Option<String>);

/// Inserts up to three generated rows into every table of `schemas` (in several passes, so a
/// referenced table gets its rows first). Rows a table refuses (a CHECK, a foreign key with no
/// parent) are skipped. Returns how many rows went in.
pub async fn seed_postgres(conn: &mut sqlx::PgConnection, schemas: &[String]) -> usize {
    use sqlx::Row;
    let cols = sqlx::query(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(a.attname), \
                format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef OR a.attidentity <> '', \
                a.attgenerated <> '', t.typtype = 'e', \
                CASE WHEN t.typtype = 'e' THEN format_type(a.atttypid, NULL) END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         JOIN pg_type t ON t.oid = a.atttypid \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) ORDER BY c.oid, a.attnum",
    )
    .bind(schemas.to_vec())
    .persistent(false)
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    let mut tables: BTreeMap<String, Vec<ColumnFacts>> = BTreeMap::new();
    for r in cols {
        tables.entry(r.get(0)).or_default().push((
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
            r.get(7),
        ));
    }
    let mut inserted = 0;
    for _pass in 0..3 {
        for (table, cols) in &tables {
            for k in 1..=3 {
                let mut names = Vec::new();
                let mut values = Vec::new();
                let mut possible = true;
                for (name, ty, not_null, has_default, generated, is_enum, enum_ty) in cols {
                    if *generated || *has_default {
                        continue;
                    }
                    let value = if *is_enum {
                        enum_ty.as_ref().map(|t| format!("(enum_range(NULL::{t}))[1]"))
                    } else {
                        pg_literal(ty, k)
                    };
                    match value {
                        Some(v) => {
                            names.push(name.clone());
                            values.push(format!("{v}::{ty}"));
                        }
                        None if !*not_null => {}
                        None => possible = false,
                    }
                }
                if !possible {
                    break;
                }
                let sql = if names.is_empty() {
                    format!("INSERT INTO {table} DEFAULT VALUES")
                } else {
                    format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), values.join(", "))
                };
                if sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.is_ok() {
                    inserted += 1;
                }
            }
        }
    }
    inserted
}

/// Every row of every table of `schemas`, and every column's type.
pub async fn contents_postgres(conn: &mut sqlx::PgConnection, schemas: &[String]) -> (Contents, Contents) {
    use sqlx::Row;
    let cols = sqlx::query(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(a.attname), \
                format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1)",
    )
    .bind(schemas.to_vec())
    .persistent(false)
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    let (mut contents, mut types) = (Contents::new(), Contents::new());
    for r in cols {
        let (table, col, ty): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        let sql = format!("SELECT {col}::text FROM {table}");
        let mut values: Vec<String> = sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql))
            .persistent(false)
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.unwrap_or_else(|| "NULL".into()))
            .collect();
        values.sort();
        contents.insert(format!("{table}.{col}"), values);
        types.insert(format!("{table}.{col}"), vec![ty]);
    }
    (contents, types)
}

/// A literal of SQLite declared type `ty` for row `k` (by its affinity).
fn sqlite_literal(ty: &str, k: usize) -> String {
    let t = ty.to_uppercase();
    if t.contains("INT") {
        k.to_string()
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        format!("'{k}'")
    } else if t.contains("BLOB") || t.is_empty() {
        format!("x'0{k}'")
    } else {
        k.to_string()
    }
}

/// Inserts up to three generated rows into every table of the SQLite database (several
/// passes, for foreign keys). Returns how many rows went in.
pub fn seed_sqlite(conn: &rusqlite::Connection) -> usize {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        .and_then(|mut s| s.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()))
        .unwrap_or_default();
    let mut inserted = 0;
    for _pass in 0..3 {
        for table in &tables {
            let cols: Vec<(String, String, i64)> = conn
                .prepare("SELECT name, type, hidden FROM pragma_table_xinfo(?1)")
                .and_then(|mut s| {
                    s.query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).and_then(|r| r.collect())
                })
                .unwrap_or_default();
            let cols: Vec<&(String, String, i64)> = cols.iter().filter(|c| c.2 == 0).collect();
            for k in 1..=3 {
                let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.0.replace('"', "\"\""))).collect();
                let values: Vec<String> = cols.iter().map(|c| sqlite_literal(&c.1, k)).collect();
                let sql = format!(
                    "INSERT INTO \"{}\" ({}) VALUES ({})",
                    table.replace('"', "\"\""),
                    names.join(", "),
                    values.join(", ")
                );
                if conn.execute(&sql, []).is_ok() {
                    inserted += 1;
                }
            }
        }
    }
    inserted
}

/// Every row of every table of the SQLite database (values as `quote()` prints them), and every
/// column's declared type.
pub fn contents_sqlite(conn: &rusqlite::Connection) -> (Contents, Contents) {
    let (mut contents, mut types) = (Contents::new(), Contents::new());
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_version'",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()))
        .unwrap_or_default();
    for table in tables {
        let cols: Vec<(String, String)> = conn
            .prepare("SELECT name, type FROM pragma_table_info(?1)")
            .and_then(|mut s| s.query_map([&table], |r| Ok((r.get(0)?, r.get(1)?))).and_then(|r| r.collect()))
            .unwrap_or_default();
        for (col, ty) in cols {
            let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            let sql = format!("SELECT quote({}) FROM {}", q(&col), q(&table));
            let mut values: Vec<String> = conn
                .prepare(&sql)
                .and_then(|mut s| s.query_map([], |r| r.get(0)).and_then(|r| r.collect()))
                .unwrap_or_default();
            values.sort();
            let key = format!("{}.{}", table.to_lowercase(), col.to_lowercase());
            contents.insert(key.clone(), values);
            types.insert(key, vec![ty.to_uppercase()]);
        }
    }
    (contents, types)
}
