//! The SQLite half of "migrations reproduce models": for projects that keep SQLite migration
//! files beside the Supabase ones (`assert_migrations_reproduce!(…, sqlite = "migrations/sqlite")`).

use super::Declared;
use schema_sync_core::introspect::{sqlite as lite, IntrospectOptions};
use schema_sync_core::{diff, render, Schema};
use std::path::{Path, PathBuf};

/// Every `*.sql` file of `dir`, in file-name order (versioned names sort by version).
fn sql_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading SQLite migrations {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
    files.sort();
    Ok(files)
}

/// Applies every SQLite migration of `dir` to a fresh in-memory database, each file in its own
/// transaction, and compares the result with `models` (and the SQLite files of `declared`)
/// resolved for SQLite.
pub fn sqlite_migrations_report(dir: &Path, models: &Schema, declared: &Declared) -> Result<(), String> {
    let files = sql_files(dir)?;
    let mut conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    for f in &files {
        let sql = std::fs::read_to_string(f).map_err(|e| format!("reading {}: {e}", f.display()))?;
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(&sql).map_err(|e| format!("applying {}: {e}", f.display()))?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    let live = lite::introspect(&conn, &IntrospectOptions::default()).map_err(|e| e.to_string())?;
    let lite_files = declared.files(schema_sync_core::Dialect::Sqlite).map_err(|e| e.to_string())?;
    let models = schema_sync_core::declarative::merge_sqlite(models, &lite_files, &IntrospectOptions::default())
        .map_err(|e| format!("assert_migrations_reproduce!: the models do not load: {e}"))?;
    let cmp = diff::compare(&live, &models, None, &Default::default()).map_err(|e| e.to_string())?;
    if cmp.is_empty() {
        return Ok(());
    }
    let sql = render::render(&render::fix_plan(&cmp)).map(|s| render::script(&s)).unwrap_or_else(|e| format!("-- {e}"));
    Err(format!(
        "assert_migrations_reproduce!: the SQLite migrations do not reproduce the models\n\n  migrations: {} ({} file(s))\n\nWhat the migrations are missing to match the models:\n{}\nSQL that would fix it (as a new SQLite migration):\n{}",
        dir.display(),
        files.len(),
        indent(&diff::render_text(&cmp)),
        indent(&sql)
    ))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// Panics unless the SQLite migration files of `dir` reproduce `models` (SQLite dialect).
///
/// ```
/// # use schema_sync::{schema, SyncTable};
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User { #[sync(primary_key)] id: i64, email: String }
/// let dir = std::env::temp_dir().join(format!("ss-doc-sqlite-migrations-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("001_init.sql"), "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, email TEXT NOT NULL);").unwrap();
/// schema_sync::testing::assert_sqlite_migrations_reproduce(&dir, &schema![User]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[track_caller]
pub fn assert_sqlite_migrations_reproduce(dir: impl AsRef<Path>, models: &(impl super::AsModels + ?Sized)) {
    let declared = Declared::default().carrying(models);
    if let Err(message) = sqlite_migrations_report(dir.as_ref(), models.schema(), &declared) {
        panic!("{message}");
    }
}
