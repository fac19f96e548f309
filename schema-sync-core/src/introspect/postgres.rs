//! Postgres introspection (sqlx): connect safely, read the catalog of the requested schemas into
//! a [`Schema`] with a constant number of queries.
//!
//! The model is filled so that two databases built from the same DDL compare equal field by
//! field: types go through [`crate::types::postgres::parse`] of `format_type`, enum columns
//! become [`crate::types::SqlType::Enum`], a `nextval()` default of a sequence the column owns becomes
//! [`crate::model::Identity::Serial`], and expressions are kept exactly as the catalog prints them.
//!
//! Not in the model, so not read: exclusion constraints (`EXCLUDE USING …`), `ON DELETE SET NULL
//! (cols)` column lists, triggers, views, policies, comments, privileges. Objects that belong to
//! an extension (PostGIS' `spatial_ref_sys`, …) are left out.
//!
//! ```no_run
//! # async fn demo() -> schema_sync_core::Result<()> {
//! use schema_sync_core::introspect::{postgres, IntrospectOptions};
//! let mut conn = postgres::connect("postgres://app:secret@localhost/app").await?;
//! let schema = postgres::introspect(&mut conn, &IntrospectOptions::default()).await?;
//! println!("{} tables", schema.tables.len());
//! # Ok(()) }
//! ```

use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, Row};

use super::postgres_build::Builder;
use super::IntrospectOptions;
use crate::model::Schema;
use crate::url::redact_url;
use crate::{Error, Result};

/// How long [`connect`] waits for a server before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one [`introspect_with_stats`] call cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IntrospectStats {
    /// Catalog queries sent (the server version comes with the first). Independent of the number
    /// of tables: that is the point.
    pub queries: usize,
}

/// Opens one connection to `url` (`postgres://user:password@host:port/db?sslmode=…`).
///
/// * A malformed URL is [`Error::Input`]; every error names the URL with its password replaced
///   by `***` and never contains the password itself.
/// * Gives up after [`CONNECT_TIMEOUT`]; a refused connection fails at once.
/// * The statement cache is off, and every query schema-sync sends is an unnamed statement, so
///   the connection works through a transaction-mode pooler (Supabase on port 6543), where a
///   named prepared statement does not survive to the next transaction.
pub async fn connect(url: &str) -> Result<PgConnection> {
    let shown = shown_url(url);
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return Err(Error::input(format!(
            "invalid Postgres URL {shown}: expected postgres://user:password@host:port/database"
        )));
    }
    let opts: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| {
        Error::input(format!("invalid Postgres URL {shown}: {}", scrub(&one_line(&e.to_string()), url)))
    })?;
    let opts = opts.statement_cache_capacity(0);
    let context = format!("connecting to {shown}");
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&opts)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(Error::postgres(context, scrub_error(e, url))),
        Err(_) => Err(Error::postgres(
            context,
            sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )),
        )),
    }
}

/// The server's `server_version_num` (`150004` for 15.4).
pub async fn server_version(conn: &mut PgConnection) -> Result<u32> {
    let row = sqlx::query("SELECT current_setting('server_version_num')::int4 AS v")
        .persistent(false)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| Error::postgres("reading the Postgres server version", e))?;
    let v: i32 = row.try_get("v").map_err(|e| Error::postgres("reading the Postgres server version", e))?;
    u32::try_from(v).map_err(|_| Error::input(format!("unexpected server_version_num {v}")))
}

/// Reads the tables, enums and standalone sequences of `opts.schemas` into a normalised
/// [`Schema`] with `dialect = Some(Postgres)`.
pub async fn introspect(conn: &mut PgConnection, opts: &IntrospectOptions) -> Result<Schema> {
    Ok(introspect_with_stats(conn, opts).await?.0)
}

/// [`introspect`], also returning how many catalog queries it took (constant: 8, plus one
/// when a foreign key references a table outside `opts.schemas`).
pub async fn introspect_with_stats(
    conn: &mut PgConnection,
    opts: &IntrospectOptions,
) -> Result<(Schema, IntrospectStats)> {
    let mut stats = IntrospectStats::default();
    let mut builder = Builder::default();
    super::postgres_queries::read(conn, &opts.schemas, &mut builder, &mut stats.queries).await?;
    Ok((builder.finish(opts), stats))
}

/// [`redact_url`], plus a mask for the password of a malformed URL that `redact_url` cannot
/// parse (`postgres//me:pw@host/db`): whatever sits between `:` and the last `@` of its word.
fn shown_url(url: &str) -> String {
    let mut shown = redact_url(url);
    if let Some(at) = shown.rfind('@') {
        let start = shown[..at].rfind(['/', ' ']).map(|i| i + 1).unwrap_or(0);
        if let Some(colon) = shown[start..at].find(':').map(|i| i + start) {
            if &shown[colon + 1..at] != "***" {
                shown.replace_range(colon + 1..at, "***");
            }
        }
    }
    shown
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The password in `url` (userinfo or `password=` query parameter), percent-decoded.
fn passwords(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(start) = url.find("://").map(|i| i + 3) {
        let end = url[start..].find(['/', '?', '#']).map(|i| i + start).unwrap_or(url.len());
        if let Some(at) = url[start..end].rfind('@').map(|i| i + start) {
            if let Some(colon) = url[start..at].find(':').map(|i| i + start) {
                out.push(url[colon + 1..at].to_string());
            }
        }
    }
    if let Some(q) = url.find('?') {
        for kv in url[q + 1..].split(['&', '#']) {
            if let Some((k, v)) = kv.split_once('=') {
                if k.eq_ignore_ascii_case("password") {
                    out.push(v.to_string());
                }
            }
        }
    }
    let decoded: Vec<String> = out.iter().map(|p| percent_decode(p)).collect();
    out.extend(decoded);
    out.retain(|p| !p.is_empty());
    out.sort_by_key(|p| std::cmp::Reverse(p.len()));
    out.dedup();
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with every occurrence of the URL's password replaced by `***`.
fn scrub(text: &str, url: &str) -> String {
    let mut out = text.to_string();
    for p in passwords(url) {
        out = out.replace(&p, "***");
    }
    out
}

/// The driver error, rebuilt without the password when its text would contain it.
fn scrub_error(e: sqlx::Error, url: &str) -> sqlx::Error {
    let text = crate::error::pg_message(&e);
    let clean = scrub(&text, url);
    if clean == text {
        e
    } else {
        sqlx::Error::Protocol(clean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_urls_are_masked_too() {
        for (url, want) in [
            ("postgres://me:pw@db/app", "postgres://me:***@db/app"),
            ("postgres//me:pw@db/app", "postgres//me:***@db/app"),
            ("me:pw@db", "me:***@db"),
            ("postgres://me@db/app", "postgres://me@db/app"),
            ("postgres://db/app", "postgres://db/app"),
        ] {
            assert_eq!(shown_url(url), want, "{url}");
        }
    }

    #[test]
    fn passwords_are_found_and_scrubbed() {
        let url = "postgres://me:s%40cret@db/app?password=other";
        let msg = "failed for s@cret and s%40cret and other";
        assert_eq!(scrub(msg, url), "failed for *** and *** and ***");
        assert!(passwords("postgres://db/app").is_empty());
    }
}
