//! Reading and writing `supabase_migrations.schema_migrations`, and applying files (Postgres).

use super::{reconcile, AppliedMigration, Event, MigrateOptions, MigrateReport, MigrationFile, LEDGER};
use crate::apply::postgres::{record, LOCK_KEY};
use crate::introspect::{postgres as introspect, IntrospectOptions};
use crate::{Error, Result};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

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
/// transaction: advisory lock ([`LOCK_KEY`], so concurrent runs queue up), ledger created if
/// missing, the version re-checked under the lock (a run that waited skips what the other
/// applied), every statement, the ledger row, a `schema_version` row, commit. A failing
/// statement rolls its whole file back and stops; earlier files stay applied.
pub async fn migrate(
    conn: &mut PgConnection,
    files: &[MigrationFile],
    opts: &MigrateOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<MigrateReport> {
    let before = reconcile(files, &applied(conn).await?);
    let pending: Vec<&MigrationFile> = files.iter().filter(|f| before.pending.contains(&f.version)).collect();
    let mut report = MigrateReport { before, ..Default::default() };
    if opts.dry_run {
        report.applied = pending.iter().map(|f| f.version.clone()).collect();
        return Ok(report);
    }
    let version_schema = opts.version_schema.clone().unwrap_or_else(|| "public".into());
    let total = pending.len();
    for (i, file) in pending.into_iter().enumerate() {
        on_event(Event::Start(file, i, total));
        if apply_one(conn, file, &version_schema).await? {
            report.applied.push(file.version.clone());
        } else {
            report.skipped.push(file.version.clone());
        }
        on_event(Event::Done(file));
    }
    Ok(report)
}

/// One file in one transaction; `false` when another run recorded it first.
async fn apply_one(conn: &mut PgConnection, file: &MigrationFile, version_schema: &str) -> Result<bool> {
    let shown = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tx = conn.begin().await.map_err(|e| Error::postgres("starting a transaction", e))?;
    exec(&mut tx, &format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"), "taking the schema-sync advisory lock").await?;
    for sql in BOOTSTRAP {
        exec(&mut tx, sql, "creating supabase_migrations.schema_migrations").await?;
    }
    let done = sqlx::query(AssertSqlSafe(format!("SELECT count(*) FROM {LEDGER} WHERE version = $1")))
        .persistent(false)
        .bind(&file.version)
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get::<i64, _>(0))
        .map_err(|e| Error::postgres("reading supabase_migrations.schema_migrations", e))?;
    if done > 0 {
        tx.rollback().await.map_err(|e| Error::postgres("rolling back", e))?;
        return Ok(false);
    }
    for (n, sql) in file.statements.iter().enumerate() {
        let context = format!(
            "applying migration {shown} (statement {} of {}: `{}`); the whole file was rolled back",
            n + 1,
            file.statements.len(),
            crate::apply::short(sql)
        );
        exec(&mut tx, sql, context).await?;
    }
    sqlx::query(AssertSqlSafe(format!("INSERT INTO {LEDGER} (version, name, statements) VALUES ($1, $2, $3)")))
        .persistent(false)
        .bind(&file.version)
        .bind(&file.name)
        .bind(&file.statements)
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::postgres("recording the migration in supabase_migrations.schema_migrations", e))?;
    let checksum = match &file.checksum {
        Some(c) => c.clone(),
        None => {
            let iopts = IntrospectOptions { schemas: vec![version_schema.to_string()], ..Default::default() };
            crate::snapshot::checksum(&introspect::introspect(&mut tx, &iopts).await?)
        }
    };
    let description = format!("supabase migration {}_{}", file.version, file.name);
    record(&mut tx, &checksum, Some(&description), Some(version_schema)).await?;
    tx.commit().await.map_err(|e| Error::postgres(format!("committing migration {shown}"), e))?;
    Ok(true)
}
