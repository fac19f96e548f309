//! Reading and writing `supabase_migrations.schema_migrations`, and applying files (Postgres).

use super::{file_name, reconcile, AppliedMigration, Event, MigrateOptions, MigrateReport, MigrationFile, LEDGER};
use crate::apply::postgres::PgDatabase;
use crate::apply::{Database, LockBudget, VersionRecord};
use crate::introspect::{postgres as introspect, IntrospectOptions};
use crate::{Error, Result};
use sqlx::{AssertSqlSafe, PgConnection, Row};
use std::ops::DerefMut;

/// Exactly the Supabase CLI's bootstrap of its ledger (`pkg/migration/history.go`).
const BOOTSTRAP: [&str; 4] = [
    "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
    "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)",
    "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]",
    "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text",
];

async fn exec(conn: &mut PgConnection, sql: &str, context: impl std::fmt::Display) -> Result<()> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| Error::postgres(context, e))
}

/// Rows of the ledger, ordered by version (empty when it does not exist yet).
pub async fn applied(conn: &mut PgConnection) -> Result<Vec<AppliedMigration>> {
    let exists = sqlx::query("SELECT to_regclass($1) IS NOT NULL")
        .persistent(false)
        .bind(LEDGER)
        .fetch_one(&mut *conn)
        .await
        .and_then(|r| r.try_get::<bool, _>(0))
        .map_err(|e| Error::postgres("looking for supabase_migrations.schema_migrations", e))?;
    if !exists {
        return Ok(Vec::new());
    }
    // `name`/`statements` are missing in ledgers made by very old CLIs: read them by name only
    // when present.
    let cols: Vec<String> = sqlx::query(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
    )
    .persistent(false)
    .bind(LEDGER)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::postgres("reading the ledger's columns", e))?
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let name = if cols.iter().any(|c| c == "name") { "name" } else { "NULL::text" };
    let statements = if cols.iter().any(|c| c == "statements") { "statements" } else { "NULL::text[]" };
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT version, {name}, {statements} FROM {LEDGER}")))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::postgres("reading supabase_migrations.schema_migrations", e))?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(AppliedMigration {
                version: r.try_get(0)?,
                name: r.try_get(1)?,
                statements: r.try_get::<Option<Vec<String>>, _>(2)?,
            })
        })
        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        .map_err(|e| Error::postgres("reading supabase_migrations.schema_migrations", e))?;
    out.sort_by(|a, b| (a.version.len(), &a.version).cmp(&(b.version.len(), &b.version)));
    Ok(out)
}

/// Applies the pending `files` (see [`super::read_dir`]) in version order, each in its own
/// transaction opened by the backend holding the database-wide advisory lock exclusively
/// ([`PgDatabase::begin_exclusive`]: a file may touch any schema, so every other schema-sync run
/// queues up behind it): ledger created if missing, the version
/// re-checked under the lock (a run that waited skips what the other applied), every
/// statement, the ledger row, a `schema_version` row, commit. A failing statement rolls its
/// whole file back and stops; earlier files stay applied.
pub async fn migrate<C: DerefMut<Target = PgConnection> + Send>(
    db: &mut PgDatabase<C>,
    files: &[MigrationFile],
    opts: &MigrateOptions,
    on_event: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<MigrateReport> {
    let recorded = applied(db.connection()).await?;
    let before = reconcile(files, &recorded);
    let pending: Vec<&MigrationFile> = files.iter().filter(|f| before.pending.contains(&f.version)).collect();
    // Every pending file is checked before the first one runs.
    for f in &pending {
        f.runnable()?;
    }
    let early = super::out_of_order(&recorded, &before.pending);
    if !early.is_empty() && !opts.include_all {
        return Err(Error::OutOfOrder { versions: early });
    }
    let mut report = MigrateReport { before, ..Default::default() };
    if opts.dry_run {
        report.applied = pending.iter().map(|f| f.version.clone()).collect();
        return Ok(report);
    }
    let total = pending.len();
    for (i, file) in pending.into_iter().enumerate() {
        on_event(Event::Start(file, i, total));
        let outside = file.statements.iter().any(|s| crate::sql::runs_outside_transaction(s));
        let outcome = if outside {
            apply_outside(db, file, &opts.budget).await
        } else {
            apply_in_transaction(db, file, &opts.budget).await
        };
        match outcome {
            Ok(true) => {
                let done = db.finish(true).await;
                if outside {
                    db.hold_exclusive(false).await?;
                }
                done?;
                report.applied.push(file.version.clone());
            }
            Ok(false) => {
                let done = db.finish(false).await;
                if outside {
                    db.hold_exclusive(false).await?;
                }
                done?;
                report.skipped.push(file.version.clone());
            }
            Err(e) => {
                let _ = db.finish(false).await;
                if outside {
                    let _ = db.hold_exclusive(false).await;
                }
                return Err(Error::Migration {
                    applied: report.applied,
                    failed: file_name(&file.version, &file.name),
                    source: Box::new(e),
                });
            }
        }
        on_event(Event::Done(file));
    }
    Ok(report)
}

/// [`apply_one`] under the budget: a file whose transaction could not get a lock in time is
/// rolled back (holding nothing while it waits) and tried again after a backoff; the
/// transaction is left open for the caller to commit.
async fn apply_in_transaction<C: DerefMut<Target = PgConnection> + Send>(
    db: &mut PgDatabase<C>,
    file: &MigrationFile,
    budget: &LockBudget,
) -> Result<bool> {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let mut attempt = 0;
    loop {
        db.begin_exclusive().await?;
        let run = async {
            db.limit(&budget.transaction_limits()).await?;
            apply_one(db, file).await
        }
        .await;
        match run {
            Err(e) if e.is_lock_timeout() && attempt < budget.retries => {
                db.finish(false).await?;
                attempt += 1;
                db.pause(budget.pause(attempt, seed.wrapping_add(u64::from(attempt)))).await;
            }
            other => return other,
        }
    }
}

/// A file holding a statement Postgres refuses inside a transaction block (`CREATE INDEX
/// CONCURRENTLY`, …): under the migration lock held by the session, each statement runs on
/// its own, then the ledger and `schema_version` rows are written in a transaction, left open
/// for the caller to commit. A failure leaves the statements before it applied and the file
/// unrecorded; schema-sync's own files are written to run again from the start
/// (`DROP INDEX CONCURRENTLY IF EXISTS` before each build).
async fn apply_outside<C: DerefMut<Target = PgConnection> + Send>(
    db: &mut PgDatabase<C>,
    file: &MigrationFile,
    budget: &LockBudget,
) -> Result<bool> {
    db.hold_exclusive(true).await?;
    if applied(db.connection()).await?.iter().any(|a| a.version == file.version) {
        return Ok(false);
    }
    let shown = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let statements = file.runnable()?;
    for (n, sql) in statements.iter().enumerate() {
        let context = format!(
            "applying migration {shown} statement by statement (statement {} of {}: `{}`); the statements \
             before it stay applied and the file is not recorded",
            n + 1,
            statements.len(),
            crate::sql::short(sql)
        );
        let limits = crate::apply::postgres::limits_sql(&budget.transaction_limits(), false);
        exec(db.connection(), &limits, "setting the lock budget").await?;
        let ran = exec(db.connection(), sql, context).await;
        exec(db.connection(), crate::apply::postgres::RESET_LIMITS, "resetting the lock budget").await?;
        ran?;
    }
    db.begin_exclusive().await?;
    for sql in BOOTSTRAP {
        exec(db.connection(), sql, "creating supabase_migrations.schema_migrations").await?;
    }
    record(db, file).await?;
    Ok(true)
}

/// One file inside the open transaction; `false` when another run recorded it first.
async fn apply_one<C: DerefMut<Target = PgConnection> + Send>(
    db: &mut PgDatabase<C>,
    file: &MigrationFile,
) -> Result<bool> {
    let shown = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for sql in BOOTSTRAP {
        exec(db.connection(), sql, "creating supabase_migrations.schema_migrations").await?;
    }
    let done = sqlx::query(AssertSqlSafe(format!("SELECT count(*) FROM {LEDGER} WHERE version = $1")))
        .persistent(false)
        .bind(&file.version)
        .fetch_one(db.connection())
        .await
        .and_then(|r| r.try_get::<i64, _>(0))
        .map_err(|e| Error::postgres("reading supabase_migrations.schema_migrations", e))?;
    if done > 0 {
        return Ok(false);
    }
    let statements = file.runnable()?;
    for (n, sql) in statements.iter().enumerate() {
        let context = format!(
            "applying migration {shown} (statement {} of {}: `{}`); the whole file was rolled back",
            n + 1,
            statements.len(),
            crate::sql::short(sql)
        );
        exec(db.connection(), sql, context).await?;
    }
    record(db, file).await?;
    Ok(true)
}

/// Inside the open transaction (the ledger exists): the ledger row and the `schema_version`
/// row of a file whose statements ran.
async fn record<C: DerefMut<Target = PgConnection> + Send>(db: &mut PgDatabase<C>, file: &MigrationFile) -> Result<()> {
    sqlx::query(AssertSqlSafe(format!("INSERT INTO {LEDGER} (version, name, statements) VALUES ($1, $2, $3)")))
        .persistent(false)
        .bind(&file.version)
        .bind(&file.name)
        .bind(&file.statements)
        .execute(db.connection())
        .await
        .map_err(|e| Error::postgres("recording the migration in supabase_migrations.schema_migrations", e))?;
    let checksum = match &file.checksum {
        Some(c) => c.clone(),
        None => {
            let version_only = IntrospectOptions {
                schemas: db.scope().schemas.iter().take(1).cloned().collect(),
                ..Default::default()
            };
            crate::snapshot::checksum(&introspect::introspect(db.connection(), &version_only).await?)
        }
    };
    let description = format!("supabase migration {}_{}", file.version, file.name);
    db.record_version(&VersionRecord { checksum, description: Some(description) }).await?;
    Ok(())
}
