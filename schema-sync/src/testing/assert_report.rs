//! The internals of the drift assertions ([`super::assert`]): reading a database's schema, and
//! the readable report (grouped diff plus fixing SQL) each assertion panics with.

use super::postgres::on_own_runtime;
use super::{Declared, TempPostgres, TestDb};
use schema_sync_core::apply::postgres::{schemas_for, PgDatabase};
use schema_sync_core::declarative;
use schema_sync_core::diff::{self, Comparison, DiffOptions};
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::model::Schema;
use schema_sync_core::render;
use schema_sync_core::source::{self, LoadOptions, Source};
use schema_sync_core::supabase::{self, MigrationFile};
use schema_sync_core::Dialect;
use std::fmt::Write;
use std::path::Path;

/// Reads a database's schema and a printable name for it, blocking. Errors name the database.
pub(super) fn read_blocking(db: TestDb<'_>, iopts: &IntrospectOptions) -> Result<(Schema, String), String> {
    match db {
        TestDb::Sqlite(conn) => read_connection(conn, iopts),
        TestDb::Source(text) => {
            let text = text.into_owned();
            let iopts = iopts.clone();
            on_own_runtime(async move { read_source(&text, &iopts).await })
        }
    }
}

/// Reads a database's schema and a printable name for it on the current runtime.
pub(super) async fn read(db: TestDb<'_>, iopts: &IntrospectOptions) -> Result<(Schema, String), String> {
    match db {
        TestDb::Sqlite(conn) => read_connection(conn, iopts),
        TestDb::Source(text) => read_source(&text, iopts).await,
    }
}

fn read_connection(conn: &rusqlite::Connection, iopts: &IntrospectOptions) -> Result<(Schema, String), String> {
    let shown = match conn.path() {
        Some(p) if !p.is_empty() => format!("sqlite:{p}"),
        _ => "an in-memory SQLite connection".to_string(),
    };
    let schema = schema_sync_core::introspect::sqlite::introspect(conn, iopts)
        .map_err(|e| format!("reading the schema of {shown}: {e}"))?;
    Ok((schema, shown))
}

async fn read_source(text: &str, iopts: &IntrospectOptions) -> Result<(Schema, String), String> {
    let src = Source::parse(text).map_err(|e| e.to_string())?;
    if matches!(src, Source::Models) {
        return Err("`models` is not a database: give a sqlite:PATH or postgres:// URL".to_string());
    }
    let shown = src.display();
    let opts = LoadOptions { introspect: iopts.clone(), ..Default::default() };
    let schema = source::load(&src, &opts).await.map_err(|e| format!("reading the schema of {shown}: {e}"))?;
    Ok((schema, shown))
}

/// The SQL that brings `c.from` to `c.to`, or why it cannot be rendered.
fn fix_sql(c: &Comparison) -> String {
    match render::render(&render::fix_plan(c)) {
        Ok(statements) => render::script(&statements),
        Err(e) => format!("-- cannot render the SQL: {e}\n"),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("    {l}\n") }).collect()
}

fn table_list(schema: &Schema) -> String {
    let names: Vec<String> = schema.tables.iter().map(|t| t.display_name()).collect();
    match names.len() {
        0 => "no tables".to_string(),
        1 => format!("1 table ({})", names[0]),
        n => format!("{n} tables ({})", names.join(", ")),
    }
}

/// The models as a database built from them reads back: their views (and, on Postgres, the
/// declarative SQL files of `declared`) run in a scratch database — an in-memory SQLite, or a
/// scratch database on the server at `pg_url` — and come back as that catalog prints them.
/// This is the rehearsal that makes a view naming a column the tables lack fail the test.
pub(super) fn settle_blocking(
    models: &Schema,
    dialect: Option<Dialect>,
    pg_url: Option<&str>,
    declared: &Declared,
) -> Result<Schema, String> {
    match (dialect, pg_url) {
        (Some(Dialect::Postgres), Some(url)) => {
            let (models, url, declared) = (models.clone(), url.to_string(), declared.clone());
            on_own_runtime(async move { settle(&models, Dialect::Postgres, Some(&url), &declared).await })
        }
        _ => {
            let iopts = IntrospectOptions::default();
            let files = declared.files(Dialect::Sqlite).map_err(|e| e.to_string())?;
            declarative::merge_sqlite(models, &files, &iopts).map_err(|e| format!("the models do not load: {e}"))
        }
    }
}

/// [`settle_blocking`] on the current runtime.
pub(super) async fn settle(
    models: &Schema,
    dialect: Dialect,
    pg_url: Option<&str>,
    declared: &Declared,
) -> Result<Schema, String> {
    let iopts = schemas_for(models, &IntrospectOptions::default());
    let files = declared.files(dialect).map_err(|e| e.to_string())?;
    declarative::merge(models, &files, dialect, pg_url, &iopts)
        .await
        .map_err(|e| format!("the models do not load: {e}"))
}

/// The `postgres://` URL of a database an assertion reads, if it is one.
pub(super) fn postgres_url(db: &TestDb<'_>) -> Option<String> {
    match db {
        TestDb::Source(text) => matches!(Source::parse(text), Ok(Source::Postgres(_))).then(|| text.to_string()),
        TestDb::Sqlite(_) => None,
    }
}

/// `Err(message)` when `live` differs from `models`.
pub(super) fn models_report(live: &Schema, shown: &str, models: &Schema) -> Result<(), String> {
    let c = diff::compare(live, models, None, &DiffOptions::default())
        .map_err(|e| format!("assert_schema_matches!: comparing {shown} with the models: {e}"))?;
    if c.is_empty() {
        return Ok(());
    }
    let mut m = String::new();
    let _ = writeln!(m, "assert_schema_matches!: the database does not match the models\n");
    let _ = writeln!(m, "  database: {shown}");
    let _ = writeln!(m, "  models:   {}\n", table_list(models));
    let _ = writeln!(m, "What the database needs to match the models:");
    m.push_str(&indent(&diff::render_text(&c)));
    let _ = writeln!(m, "\nSQL that would fix it:");
    m.push_str(&indent(&fix_sql(&c)));
    Err(m)
}

/// `Err(message)` when the SQLite schema differs from the Postgres one.
pub(super) fn cross_report(
    (lite, lite_shown): &(Schema, String),
    (pg, pg_shown): &(Schema, String),
    opts: &DiffOptions,
) -> Result<(), String> {
    const WHAT: &str = "assert_sqlite_postgres_in_sync!";
    if lite.dialect != Some(Dialect::Sqlite) {
        return Err(format!("{WHAT}: the first database must be SQLite, got {lite_shown}"));
    }
    if pg.dialect != Some(Dialect::Postgres) {
        return Err(format!("{WHAT}: the second database must be Postgres, got {pg_shown}"));
    }
    let c = diff::compare(lite, pg, None, opts)
        .map_err(|e| format!("{WHAT}: comparing {lite_shown} with {pg_shown}: {e}"))?;
    if c.is_empty() {
        return Ok(());
    }
    let mut m = String::new();
    let _ = writeln!(m, "{WHAT}: the SQLite database is not in sync with Postgres\n");
    let _ = writeln!(m, "  sqlite:   {lite_shown}");
    let _ = writeln!(m, "  postgres: {pg_shown}\n");
    let _ = writeln!(m, "What SQLite needs to match Postgres (Postgres types translated to SQLite):");
    m.push_str(&indent(&diff::render_text(&c)));
    let lossy: Vec<&str> = c.notes.iter().filter(|n| !n.compatible).map(|n| n.message.as_str()).collect();
    if !lossy.is_empty() {
        let _ = writeln!(m, "\nNotes:");
        for n in lossy {
            let _ = writeln!(m, "    {n}");
        }
    }
    let _ = writeln!(m, "\nSQL that would fix it (on SQLite):");
    m.push_str(&indent(&fix_sql(&c)));
    Err(m)
}

/// Applies the migrations of `dir` to a fresh Postgres; `Err(message)` when the result differs
/// from `models` or anything fails.
pub(super) async fn migrations_report(dir: &Path, models: &Schema, declared: &Declared) -> Result<(), String> {
    const WHAT: &str = "assert_migrations_reproduce!";
    let files = supabase::read_dir(dir).map_err(|e| format!("{WHAT}: {e}"))?;
    if files.is_empty() {
        return Err(format!("{WHAT}: no migration files (<version>_<name>.sql) in {}", dir.display()));
    }
    let Some(pg) = TempPostgres::try_new().await else {
        return Err(format!(
            "{WHAT}: needs a Postgres to apply the migrations to and none is available; set \
             SCHEMA_SYNC_TEST_PG_URL (or DATABASE_URL) to a server where the tests may create databases, \
             or install Postgres so initdb/pg_ctl are on PATH"
        ));
    };
    let mut conn = pg.connect().await;
    // What the platform provides (Supabase's `auth` schema, its roles) is there before any
    // migration, as on the platform itself.
    if let Some(platform) = declared.platform_sql().map_err(|e| format!("{WHAT}: {e}"))? {
        sqlx::raw_sql(sqlx::AssertSqlSafe(platform.text))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("{WHAT}: {} failed: {e}", platform.origin))?;
    }
    // The files run exactly as `schema-sync migrate` runs them: one transaction each, recorded
    // in the Supabase ledger (outside the schemas compared).
    let mut db = PgDatabase::new(&mut conn);
    let opts = supabase::MigrateOptions::default();
    supabase::migrate(&mut db, &files, &opts, &mut |_| {}).await.map_err(|e| match failed_file(&e, &files) {
        Some(f) => format!("{WHAT}: {} failed to apply: {e}", f.path.display()),
        None => format!("{WHAT}: {e}"),
    })?;
    let models =
        &settle(models, Dialect::Postgres, Some(pg.url()), declared).await.map_err(|e| format!("{WHAT}: {e}"))?;
    let iopts = schemas_for(models, &IntrospectOptions::default());
    let live = schema_sync_core::introspect::postgres::introspect(&mut conn, &iopts)
        .await
        .map_err(|e| format!("{WHAT}: reading the migrated database: {e}"))?;
    let c = diff::compare(&live, models, None, &DiffOptions::default())
        .map_err(|e| format!("{WHAT}: comparing the migrated database with the models: {e}"))?;
    if c.is_empty() {
        return Ok(());
    }
    // `cargo test` runs in the crate's directory: show `supabase/migrations`, not the full path.
    let cwd = std::env::current_dir().unwrap_or_default();
    let dir = dir.strip_prefix(&cwd).unwrap_or(dir);
    let names: Vec<String> = files.iter().map(|f| supabase::file_name(&f.version, &f.name)).collect();
    let mut m = String::new();
    let _ = writeln!(m, "{WHAT}: the migrations do not reproduce the models\n");
    let count = if names.len() == 1 { "1 file".to_string() } else { format!("{} files", names.len()) };
    let _ = writeln!(m, "  migrations: {} ({count}, last {})", dir.display(), names[names.len() - 1]);
    let _ = writeln!(m, "  models:     {}\n", table_list(models));
    let _ = writeln!(m, "What the migrations are missing to match the models:");
    m.push_str(&indent(&diff::render_text(&c)));
    let _ = writeln!(
        m,
        "\nSQL that would fix it (as a new migration, e.g. {}):",
        dir.join(supabase::file_name(&next_version(&files), "update_schema")).display()
    );
    m.push_str(&indent(&fix_sql(&c)));
    Err(m)
}

/// The file an error from [`supabase::migrate`] is about (its message names the file).
fn failed_file<'a>(e: &schema_sync_core::Error, files: &'a [MigrationFile]) -> Option<&'a MigrationFile> {
    let text = e.to_string();
    files.iter().find(|f| text.contains(&supabase::file_name(&f.version, &f.name)))
}

/// The version a new migration made now would get (after every existing one).
fn next_version(files: &[MigrationFile]) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let existing: Vec<String> = files.iter().map(|f| f.version.clone()).collect();
    supabase::next_version(now, &existing)
}
