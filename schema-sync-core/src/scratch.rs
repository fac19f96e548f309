//! Scratch databases on a `--dev-url` server, where Postgres DDL files are loaded to be read.
//!
//! Each is named `ss_scratch_<pid>_<nanos>` and carries a comment marking it as schema-sync's,
//! with its creation time. It is dropped as soon as the file has been read; a run that is
//! interrupted drops the ones it made ([`drop_registered`], which the CLI calls on Ctrl-C and
//! SIGTERM); one that was killed leaves them to the next run, which sweeps scratch databases
//! older than [`STALE_AFTER_SECS`] that nobody is connected to ([`sweep_stale`]).

use crate::sql::{quote_ident, quote_literal};
use crate::{Error, Result};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Start of every scratch database's comment; the creation time (seconds) follows.
pub const MARKER: &str = "schema-sync scratch database, safe to drop; created ";

/// A scratch database this old (seconds) is left over from a run that did not finish.
pub const STALE_AFTER_SECS: u64 = 600;

/// Scratch databases made by this process and not dropped yet: (dev URL, name).
static LIVE: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A new scratch database name.
pub fn new_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("ss_scratch_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// Creates the scratch database `name` (marked and registered); `false` when the role may
/// not create databases.
pub async fn create(admin: &mut PgConnection, dev_url: &str, name: &str) -> bool {
    let created = sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {}", quote_ident(name))))
        .execute(&mut *admin)
        .await
        .is_ok();
    if created {
        if let Ok(mut live) = LIVE.lock() {
            live.push((dev_url.to_string(), name.to_string()));
        }
        let comment =
            format!("COMMENT ON DATABASE {} IS {}", quote_ident(name), quote_literal(&format!("{MARKER}{}", now())));
        let _ = sqlx::raw_sql(AssertSqlSafe(comment)).execute(&mut *admin).await;
    }
    created
}

/// Drops the scratch database `name` (forcing out its connections) and forgets it.
pub async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<()> {
    sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name))))
        .execute(&mut *admin)
        .await
        .map_err(|e| Error::postgres(format!("dropping the scratch database {name}"), e))?;
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|(_, n)| n != name);
    }
    Ok(())
}

/// Drops every scratch database this process made and has not dropped yet (after an
/// interruption). Returns how many it dropped.
pub async fn drop_registered() -> usize {
    let pending: Vec<(String, String)> = LIVE.lock().map(|l| l.clone()).unwrap_or_default();
    let mut dropped = 0;
    for (url, name) in pending {
        if let Ok(mut admin) = crate::introspect::postgres::connect(&url).await {
            if drop_database(&mut admin, &name).await.is_ok() {
                dropped += 1;
            }
            let _ = admin.close().await;
        }
    }
    dropped
}

/// Drops scratch databases left by runs that were killed: named and marked as schema-sync's,
/// older than [`STALE_AFTER_SECS`], and with nobody connected (a plain `DROP DATABASE` fails
/// on a database in use, so a run still reading one is never disturbed). Returns their names.
pub async fn sweep_stale(admin: &mut PgConnection) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT d.datname::text, shobj_description(d.oid, 'pg_database') FROM pg_database d \
         WHERE d.datname LIKE 'ss\\_scratch\\_%' AND shobj_description(d.oid, 'pg_database') LIKE $1",
    )
    .persistent(false)
    .bind(format!("{MARKER}%"))
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    let cutoff = now().saturating_sub(STALE_AFTER_SECS);
    let mut swept = Vec::new();
    for r in rows {
        let (Ok(name), Ok(comment)) = (r.try_get::<String, _>(0), r.try_get::<String, _>(1)) else { continue };
        let created: u64 = comment.strip_prefix(MARKER).and_then(|t| t.trim().parse().ok()).unwrap_or(u64::MAX);
        if created > cutoff {
            continue;
        }
        let sql = format!("DROP DATABASE IF EXISTS {}", quote_ident(&name));
        if sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *admin).await.is_ok() {
            swept.push(name);
        }
    }
    swept
}

/// `true` when the role of `url` may create databases: a scratch database can go next to the
/// one `url` names, on the same server, without touching it.
pub async fn may_create_databases(url: &str) -> bool {
    let Ok(mut conn) = crate::introspect::postgres::connect(url).await else { return false };
    let may: Result<(bool,), _> =
        sqlx::query_as("SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await;
    matches!(may, Ok((true,)))
}
