//! Postgres backups: `pg_dump` when usable, else a schema + data dump written by us.

use super::{refuse_existing, size, Backup, Method, DUMP_FOOTER};
use crate::introspect::{postgres as introspect, IntrospectOptions};
use crate::model::TableRef;
use crate::model::{Identity, Schema, Table};
use crate::render;
use crate::sql::{qualified, quote_ident, quote_literal};
use crate::types::{Dialect, SqlType};
use crate::{Error, Result};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};
use std::path::Path;
use std::process::Command;

/// What to back up and how.
#[derive(Debug, Clone)]
pub struct PgBackupOptions {
    /// The tables a change touches (`None`: every table of the introspected schemas). Tables
    /// with foreign keys into them are added, since restoring drops with `CASCADE`.
    pub tables: Option<Vec<TableRef>>,
    /// Use `pg_dump` when it is on `PATH` (falls back to our dump when it fails).
    pub use_pg_dump: bool,
    /// Schemas to read.
    pub introspect: IntrospectOptions,
}

impl Default for PgBackupOptions {
    fn default() -> Self {
        Self { tables: None, use_pg_dump: true, introspect: IntrospectOptions::default() }
    }
}

/// Rows per `INSERT` in our dump.
const BATCH: usize = 500;

/// Backs up the tables of `opts` of the database behind `conn` (reachable at `url`, for
/// `pg_dump`) to a new file `dest`, and verifies the file is complete.
pub async fn postgres(conn: &mut PgConnection, url: &str, dest: &Path, opts: &PgBackupOptions) -> Result<Backup> {
    refuse_existing(dest)?;
    let live = introspect::introspect(conn, &opts.introspect).await?;
    let tables = selected(&live, opts.tables.as_deref());
    if opts.use_pg_dump && !tables.is_empty() && pg_dump(url, dest, &tables).is_ok() {
        let text = std::fs::read_to_string(dest).unwrap_or_default();
        if text.contains("PostgreSQL database dump complete") {
            return Ok(Backup {
                path: dest.to_path_buf(),
                method: Method::PgDump,
                tables: tables.len(),
                bytes: size(dest),
            });
        }
        let _ = std::fs::remove_file(dest);
    }
    let _ = std::fs::remove_file(dest);
    let (text, count) = own_dump(conn, &live, &tables, url).await?;
    std::fs::write(dest, &text).map_err(|e| Error::io(format!("writing backup `{}`", dest.display()), e))?;
    let back = std::fs::read_to_string(dest).map_err(|e| Error::io(format!("reading back `{}`", dest.display()), e))?;
    if !back.trim_end().ends_with(DUMP_FOOTER) || crate::sql::split(&back).len() != count {
        return Err(Error::Verify(crate::error::Verification::Backup {
            path: dest.to_path_buf(),
            reason: "did not read back complete".into(),
        }));
    }
    Ok(Backup { path: dest.to_path_buf(), method: Method::SchemaSyncDump, tables: tables.len(), bytes: size(dest) })
}

/// Restores a backup written by [`postgres`] (either method) in one transaction.
pub async fn restore_postgres(conn: &mut PgConnection, backup: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(backup).map_err(|e| Error::io(format!("reading backup `{}`", backup.display()), e))?;
    // psql meta-commands (`\restrict` of recent pg_dump) are not SQL.
    let sql: String = text.lines().filter(|l| !l.starts_with('\\')).map(|l| format!("{l}\n")).collect();
    let ctx = format!("restoring `{}`", backup.display());
    if sql.contains(DUMP_FOOTER) {
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await.map_err(|e| Error::postgres(&ctx, e))?;
    } else {
        let mut tx = conn.begin().await.map_err(|e| Error::postgres(&ctx, e))?;
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(|e| Error::postgres(&ctx, e))?;
        tx.commit().await.map_err(|e| Error::postgres(&ctx, e))?;
    }
    sqlx::raw_sql("RESET ALL").execute(&mut *conn).await.map_err(|e| Error::postgres(&ctx, e))?;
    Ok(())
}

fn selected(live: &Schema, wanted: Option<&[TableRef]>) -> Vec<Table> {
    let Some(wanted) = wanted else { return live.tables.clone() };
    let mut names: Vec<String> =
        live.tables.iter().filter(|t| wanted.iter().any(|w| w.name == t.name)).map(|t| t.name.clone()).collect();
    // Tables pointing at a selected table lose their foreign keys to DROP … CASCADE: take them too.
    loop {
        let more: Vec<String> = live
            .tables
            .iter()
            .filter(|t| !names.contains(&t.name) && t.foreign_keys.iter().any(|fk| names.contains(&fk.ref_table)))
            .map(|t| t.name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        names.extend(more);
    }
    live.tables.iter().filter(|t| names.contains(&t.name)).cloned().collect()
}

/// Splits the password out of a URL, so it reaches `pg_dump` through `PGPASSWORD` and never
/// through its (world-readable) command line.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else { return (url.to_string(), None) };
    let start = scheme_end + 3;
    let end = url[start..].find(['/', '?', '#']).map(|i| i + start).unwrap_or(url.len());
    let Some(at) = url[start..end].rfind('@').map(|i| i + start) else { return (url.to_string(), None) };
    let Some(colon) = url[start..at].find(':').map(|i| i + start) else { return (url.to_string(), None) };
    let password = percent_decode(&url[colon + 1..at]);
    (format!("{}{}", &url[..colon], &url[at..]), Some(password))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            if let Ok(v) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pg_dump(url: &str, dest: &Path, tables: &[Table]) -> std::result::Result<(), ()> {
    let (url, password) = without_password(url);
    let mut cmd = Command::new("pg_dump");
    cmd.arg("--dbname").arg(&url).args(["--format=plain", "--clean", "--if-exists", "--inserts", "--no-owner"]);
    cmd.arg("--file").arg(dest);
    for t in tables {
        cmd.arg("--table").arg(qualified(t.schema.as_deref(), &t.name));
    }
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.stdin(std::process::Stdio::null()).output().map_err(|_| ())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(())
    }
}

/// Our dump; returns the text and its number of statements.
async fn own_dump(conn: &mut PgConnection, live: &Schema, tables: &[Table], url: &str) -> Result<(String, usize)> {
    let mut stmts: Vec<String> = vec!["BEGIN".into()];
    for t in tables.iter().rev() {
        stmts.push(format!("DROP TABLE IF EXISTS {} CASCADE", qualified(t.schema.as_deref(), &t.name)));
    }
    // Enum types the tables use, created only when missing (other tables may use them too).
    let used = |e: &crate::model::EnumType| tables.iter().flat_map(|t| &t.columns).any(|c| uses_enum(&c.ty, &e.name));
    for e in live.enums.iter().filter(|e| used(e)) {
        let one = Schema { enums: vec![e.clone()], ..Schema::empty(Some(Dialect::Postgres)) };
        for s in render::schema_sql(&one, Dialect::Postgres)? {
            stmts.push(format!("DO $ss$ BEGIN {}; EXCEPTION WHEN duplicate_object THEN NULL; END $ss$", s.sql));
        }
    }
    let full = Schema { tables: tables.to_vec(), ..Schema::empty(Some(Dialect::Postgres)) };
    let mut bare = full.clone();
    bare.tables.iter_mut().for_each(|t| t.foreign_keys.clear());
    stmts.extend(render::schema_sql(&bare, Dialect::Postgres)?.into_iter().map(|s| s.sql));
    for t in tables {
        rows_of(conn, t, &mut stmts).await?;
    }
    let caps = crate::plan::Capabilities::latest(Dialect::Postgres);
    let plan = crate::plan::plan(&crate::diff::Comparison::of(bare, full), &caps, &Default::default());
    stmts.extend(render::render(&plan)?.into_iter().map(|s| s.sql));
    stmts.push("COMMIT".into());
    let names: Vec<String> = tables.iter().map(|t| t.display_name()).collect();
    let mut text = format!(
        "-- schema-sync backup of {}\n-- tables: {}\n-- restore: psql -f THIS_FILE, or schema_sync_core::backup::restore_postgres\n\n",
        crate::url::redact_url(url),
        if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
    );
    for s in &stmts {
        text.push_str(s);
        text.push_str(";\n");
    }
    text.push_str(DUMP_FOOTER);
    text.push('\n');
    Ok((text, stmts.len()))
}

fn uses_enum(ty: &SqlType, name: &str) -> bool {
    match ty {
        SqlType::Enum { name: n, .. } => n == name,
        SqlType::Array { element } => uses_enum(element, name),
        _ => false,
    }
}

/// `INSERT`s of every row of `t` (values as Postgres quotes them), then identity/serial
/// sequences moved past the largest key.
async fn rows_of(conn: &mut PgConnection, t: &Table, stmts: &mut Vec<String>) -> Result<()> {
    let name = qualified(t.schema.as_deref(), &t.name);
    let cols: Vec<&crate::model::Column> = t.columns.iter().filter(|c| c.generated.is_none()).collect();
    if cols.is_empty() {
        return Ok(());
    }
    let exprs: Vec<String> = cols.iter().map(|c| format!("quote_nullable({}::text)", quote_ident(&c.name))).collect();
    let sql = format!("SELECT concat_ws(', ', {}) FROM {name}", exprs.join(", "));
    let rows = sqlx::query(AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::postgres(format!("reading rows of `{}` for the backup", t.name), e))?;
    let list = crate::sql::ident_list(&cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>());
    let overriding =
        if cols.iter().any(|c| c.identity == Some(Identity::Always)) { " OVERRIDING SYSTEM VALUE" } else { "" };
    let values: Vec<String> = rows.iter().map(|r| format!("({})", r.get::<String, _>(0))).collect();
    for chunk in values.chunks(BATCH) {
        stmts.push(format!("INSERT INTO {name} ({list}){overriding} VALUES {}", chunk.join(", ")));
    }
    for c in cols.iter().filter(|c| c.identity.is_some_and(|i| i != Identity::Autoincrement)) {
        stmts.push(format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), COALESCE(MAX({}), 0) + 1, false) FROM {name}",
            quote_literal(&name),
            quote_literal(&c.name),
            quote_ident(&c.name)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_split_out() {
        assert_eq!(
            without_password("postgres://me:s%40cret@db:5432/app?sslmode=require"),
            ("postgres://me@db:5432/app?sslmode=require".to_string(), Some("s@cret".to_string()))
        );
        assert_eq!(without_password("postgres://me@db/app"), ("postgres://me@db/app".to_string(), None));
        assert_eq!(without_password("postgres://db/app"), ("postgres://db/app".to_string(), None));
    }
}
