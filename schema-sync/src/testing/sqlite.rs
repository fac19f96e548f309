//! [`TempSqlite`]: a throwaway SQLite database file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A SQLite database file in a fresh directory under [`std::env::temp_dir`]; the directory
/// (with the file and any `-wal`/`-journal` files) is removed on drop.
///
/// ```
/// let db = schema_sync::testing::TempSqlite::new();
/// let conn = db.connect();
/// conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY)").unwrap();
/// assert!(db.path().exists());
/// assert!(db.url().starts_with("sqlite:"));
/// ```
#[derive(Debug)]
pub struct TempSqlite {
    dir: PathBuf,
    path: PathBuf,
}

impl TempSqlite {
    /// Creates the directory (not the file: [`TempSqlite::connect`] does). Panics when the
    /// temporary directory is not writable.
    pub fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("schema-sync-sqlite-{}-{n}-{nanos}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot create temporary directory {}: {e}", dir.display());
        }
        let path = dir.join("test.db");
        Self { dir, path }
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `sqlite:<path>`, the source form the CLI and `schema_sync` accept.
    pub fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    /// Opens (and on first use creates) the database file. Panics on failure.
    pub fn connect(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path)
            .unwrap_or_else(|e| panic!("cannot open SQLite database {}: {e}", self.path.display()))
    }
}

impl Default for TempSqlite {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempSqlite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
