//! Drift assertions for `cargo test`: the models against a database, the migration files
//! against the models, and a SQLite database against a Postgres one.
//!
//! Each assertion reads the live schema(s), compares them with [`diff::compare`] and, on a
//! mismatch, panics with the grouped diff ([`diff::render_text`]) followed by the SQL that would
//! fix it. The plain forms block; they do their async work on a thread and runtime of their own,
//! so they work in a plain `#[test]` and inside `#[tokio::test]` alike. The `_async` forms await
//! on the caller's runtime instead.
//!
//! An assertion never passes by skipping: when it needs a Postgres and none can be found or
//! started it panics, with or without `CI=true`.

use super::assert_report::{
    cross_report, migrations_report, models_report, postgres_url, read, read_blocking, settle, settle_blocking,
};
use super::postgres::on_own_runtime;
use super::{TempPostgres, TempSqlite};
use schema_sync_core::apply::postgres::schemas_for;
use schema_sync_core::declarative::SqlFile;
use schema_sync_core::diff::DiffOptions;
use schema_sync_core::introspect::IntrospectOptions;
use schema_sync_core::model::Schema;
use schema_sync_core::Dialect;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// A database an assertion reads: a source text or an open SQLite connection. Built by
/// [`IntoTestDb`].
#[derive(Debug)]
#[non_exhaustive]
pub enum TestDb<'a> {
    /// A source as the CLI takes it: `sqlite:PATH`, `PATH.db`, `postgres://…`, a `.json` snapshot
    /// or a `.sql` file of SQLite DDL.
    Source(Cow<'a, str>),
    /// An open SQLite connection.
    Sqlite(&'a rusqlite::Connection),
}

/// What the assertions accept as a database: a source text (`&str`, `String`, a path), a
/// [`TempSqlite`], a [`TempPostgres`] or a `rusqlite::Connection` — and references to those.
///
/// ```
/// use schema_sync::testing::{IntoTestDb, TestDb, TempSqlite};
/// assert!(matches!("sqlite:app.db".test_db(), TestDb::Source(_)));
/// let db = TempSqlite::new();
/// assert!(matches!((&db).test_db(), TestDb::Source(s) if s.starts_with("sqlite:")));
/// ```
pub trait IntoTestDb {
    /// The database to read.
    fn test_db(&self) -> TestDb<'_>;
}

impl IntoTestDb for str {
    fn test_db(&self) -> TestDb<'_> {
        TestDb::Source(Cow::Borrowed(self))
    }
}

impl IntoTestDb for String {
    fn test_db(&self) -> TestDb<'_> {
        TestDb::Source(Cow::Borrowed(self))
    }
}

impl IntoTestDb for Path {
    fn test_db(&self) -> TestDb<'_> {
        TestDb::Source(self.to_string_lossy())
    }
}

impl IntoTestDb for PathBuf {
    fn test_db(&self) -> TestDb<'_> {
        self.as_path().test_db()
    }
}

impl IntoTestDb for TempSqlite {
    fn test_db(&self) -> TestDb<'_> {
        TestDb::Source(Cow::Owned(self.url()))
    }
}

impl IntoTestDb for TempPostgres {
    fn test_db(&self) -> TestDb<'_> {
        TestDb::Source(Cow::Borrowed(self.url()))
    }
}

impl IntoTestDb for rusqlite::Connection {
    fn test_db(&self) -> TestDb<'_> {
        TestDb::Sqlite(self)
    }
}

impl<T: IntoTestDb + ?Sized> IntoTestDb for &T {
    fn test_db(&self) -> TestDb<'_> {
        (**self).test_db()
    }
}

/// Asserts that a database has exactly the schema of the models: the function behind
/// [`assert_schema_matches!`](crate::assert_schema_matches).
///
/// ```
/// use schema_sync::{migrate_blocking, ApplyOptions};
/// use schema_sync::testing::{assert_schema_matches, TempSqlite};
/// use schema_sync::{schema, SyncTable};
///
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User { #[sync(primary_key)] id: i64, email: String }
///
/// let db = TempSqlite::new();
/// migrate_blocking(&mut db.connect(), &schema![User], &ApplyOptions::default()).unwrap();
/// assert_schema_matches(&db, &schema![User]);
/// assert_schema_matches(db.url(), &schema![User]);
///
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct UserV2 { #[sync(primary_key)] id: i64, email: String, nickname: Option<String> }
///
/// let failed = std::panic::catch_unwind(|| assert_schema_matches(&db, &schema![UserV2]));
/// let message = *failed.unwrap_err().downcast::<String>().unwrap();
/// assert!(message.contains("+ column nickname TEXT"));
/// assert!(message.contains(r#"ALTER TABLE "users" ADD COLUMN "nickname" TEXT;"#));
/// ```
///
/// # Panics
/// When the schemas differ (the message is the grouped diff and the SQL that would bring the
/// database to the models), and when the database cannot be read.
#[track_caller]
pub fn assert_schema_matches(db: impl IntoTestDb, models: &(impl AsModels + ?Sized)) {
    schema_matches(db.test_db(), models.schema(), &Declared::default().carrying(models));
}

/// What the assertions take as the models: a [`Schema`] (`schema![A, B]`) or a
/// [`crate::Models`] (`schema![A, B; sql_dir = "…"]`, or `pull`'s `models()`), whose
/// declarative SQL files are merged as [`Declared`]'s are.
pub trait AsModels {
    /// The structs' schema.
    fn schema(&self) -> &Schema;
    /// The declarative SQL files that come with it, each with its dialect.
    fn carried(&self) -> &[(Dialect, SqlFile)];
    /// The platform's SQL that comes with it ([`crate::Models::platform`]).
    fn platform(&self) -> Option<&SqlFile> {
        None
    }
}

impl AsModels for Schema {
    fn schema(&self) -> &Schema {
        self
    }
    fn carried(&self) -> &[(Dialect, SqlFile)] {
        &[]
    }
}

impl AsModels for crate::Models {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn carried(&self) -> &[(Dialect, SqlFile)] {
        &self.sql
    }
    fn platform(&self) -> Option<&SqlFile> {
        self.platform.as_ref()
    }
}

/// Declarative SQL merged into the models by the `_with` assertions and the `key = "…"` forms
/// of the macros (see [`schema_sync_core::declarative`]). Each macro key is the builder method
/// of the same name; a key that is not one is a compile error.
///
/// ```
/// use schema_sync::testing::Declared;
/// let declared = Declared::new("supabase/schemas").platform("supabase/platform.sql").sqlite_sql_dir("sqlite/schemas");
/// assert!(declared.platform.is_some() && declared.sqlite_sql_dir.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// The Postgres `*.sql` files of this directory, in name order (Supabase's
    /// `supabase/schemas`).
    pub sql_dir: Option<PathBuf>,
    /// What the hosting platform provides (Supabase's `auth` schema and API roles), run first
    /// in every scratch and test database; what it makes outside the schemas read is never taken
    /// into the models.
    pub platform: Option<PathBuf>,
    /// The SQLite `*.sql` files of this directory (the SQLite side's triggers and views), in
    /// name order, merged in memory when a SQLite database is compared.
    pub sqlite_sql_dir: Option<PathBuf>,
    /// SQLite migration files that [`assert_migrations_reproduce_with`] also checks against the
    /// models (with [`Declared::sqlite_sql_dir`]).
    pub sqlite: Option<PathBuf>,
    /// Files that came with the models ([`AsModels::carried`]), merged before the directories'.
    pub carried: Vec<(Dialect, SqlFile)>,
    /// The platform's SQL that came with the models, when no [`Declared::platform`] file is given.
    pub carried_platform: Option<SqlFile>,
}

impl Declared {
    /// The files of `sql_dir`.
    pub fn new(sql_dir: impl Into<PathBuf>) -> Self {
        Declared::default().sql_dir(sql_dir)
    }

    /// And the Postgres files of a directory.
    pub fn sql_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.sql_dir = Some(dir.into());
        self
    }

    /// And a platform file.
    pub fn platform(mut self, path: impl Into<PathBuf>) -> Self {
        self.platform = Some(path.into());
        self
    }

    /// And the SQLite files of a directory.
    pub fn sqlite_sql_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.sqlite_sql_dir = Some(dir.into());
        self
    }

    /// And the SQLite migrations of a directory, checked too.
    pub fn sqlite(mut self, dir: impl Into<PathBuf>) -> Self {
        self.sqlite = Some(dir.into());
        self
    }

    /// And the files that came with `models`.
    pub fn carrying(mut self, models: &(impl AsModels + ?Sized)) -> Self {
        self.carried.extend(models.carried().iter().cloned());
        if self.carried_platform.is_none() {
            self.carried_platform = models.platform().cloned();
        }
        self
    }

    /// The platform's SQL: the file, or the one that came with the models.
    pub(super) fn platform_sql(&self) -> schema_sync_core::Result<Option<SqlFile>> {
        match &self.platform {
            Some(p) => SqlFile::read(p).map(|f| Some(SqlFile::first(f.origin, f.text))),
            None => Ok(self.carried_platform.clone()),
        }
    }

    /// The files written in `dialect`: for Postgres the platform file, the carried files, then
    /// the directory's; for SQLite the carried files, then the SQLite directory's.
    pub(super) fn files(
        &self,
        dialect: Dialect,
    ) -> schema_sync_core::Result<Vec<schema_sync_core::declarative::SqlFile>> {
        use schema_sync_core::declarative::read_dir;
        let mut out = Vec::new();
        let carried = self.carried.iter().filter(|(d, _)| *d == dialect).map(|(_, f)| f.clone());
        if dialect == Dialect::Sqlite {
            out.extend(carried);
            if let Some(dir) = &self.sqlite_sql_dir {
                out.extend(read_dir(dir)?);
            }
            return Ok(out);
        }
        out.extend(self.platform_sql()?);
        out.extend(carried);
        if let Some(dir) = &self.sql_dir {
            out.extend(read_dir(dir)?);
        }
        Ok(out)
    }
}

/// [`assert_schema_matches`] with declarative SQL merged into the models (see [`Declared`]): on
/// a Postgres database the files are read in a scratch database on the same server; they are
/// Postgres SQL, so on a SQLite database only the models are compared. The function behind
/// `assert_schema_matches!(db, models, sql_dir = "…")`.
///
/// # Panics
/// As [`assert_schema_matches`], and when a file does not load.
#[track_caller]
pub fn assert_schema_matches_with(db: impl IntoTestDb, models: &(impl AsModels + ?Sized), declared: &Declared) {
    schema_matches(db.test_db(), models.schema(), &declared.clone().carrying(models));
}

#[track_caller]
fn schema_matches(db: TestDb<'_>, models: &Schema, declared: &Declared) {
    let iopts = schemas_for(models, &IntrospectOptions::default());
    let url = postgres_url(&db);
    let checked = read_blocking(db, &iopts)
        .and_then(|(live, shown)| {
            let settled = settle_blocking(models, live.dialect, url.as_deref(), declared)?;
            Ok((live, shown, settled))
        })
        .map_err(|e| format!("assert_schema_matches!: {e}"))
        .and_then(|(live, shown, settled)| models_report(&live, &shown, &settled));
    if let Err(message) = checked {
        panic!("{message}");
    }
}

/// [`assert_schema_matches`] for async tests: reads the database on the caller's runtime.
///
/// ```no_run
/// # use schema_sync::{schema, SyncTable};
/// # #[derive(SyncTable)] #[sync(table = "users")] struct User { #[sync(primary_key)] id: i64 }
/// #[tokio::test]
/// async fn database_matches_models() {
///     let url = std::env::var("DATABASE_URL").unwrap();
///     schema_sync::testing::assert_schema_matches_async(url, &schema![User]).await;
/// }
/// ```
///
/// # Panics
/// As [`assert_schema_matches`].
pub async fn assert_schema_matches_async(db: impl IntoTestDb, models: &(impl AsModels + ?Sized)) {
    let declared = Declared::default().carrying(models);
    let models = models.schema();
    let iopts = schemas_for(models, &IntrospectOptions::default());
    let db = db.test_db();
    let url = postgres_url(&db);
    let checked = match read(db, &iopts).await {
        Ok((live, shown)) => {
            let dialect = live.dialect.unwrap_or(schema_sync_core::Dialect::Sqlite);
            match settle(models, dialect, url.as_deref(), &declared).await {
                Ok(settled) => models_report(&live, &shown, &settled),
                Err(e) => Err(format!("assert_schema_matches!: {e}")),
            }
        }
        Err(e) => Err(format!("assert_schema_matches!: {e}")),
    };
    if let Err(message) = checked {
        panic!("{message}");
    }
}

/// Asserts that a SQLite database and a Postgres database have the same schema by the
/// cross-dialect rules: the function behind
/// [`assert_sqlite_postgres_in_sync!`](crate::assert_sqlite_postgres_in_sync).
///
/// Postgres is the reference: the Postgres schema is translated into SQLite (`bigint` →
/// `INTEGER`, `timestamptz` → `TEXT`, …) and compared with the SQLite one, so the message lists
/// what SQLite needs and the SQL is SQLite's. Names are compared exactly (up to SQLite's case
/// insensitivity); use [`assert_sqlite_postgres_in_sync_with`] with `fold_names` for
/// `AlbumId` ↔ `album_id` style pairs.
///
/// ```no_run
/// schema_sync::testing::assert_sqlite_postgres_in_sync("sqlite:local.db", "postgres://localhost/app");
/// ```
///
/// # Panics
/// When the schemas differ, when a database cannot be read, and when the first is not SQLite or
/// the second not Postgres.
#[track_caller]
pub fn assert_sqlite_postgres_in_sync(sqlite: impl IntoTestDb, postgres: impl IntoTestDb) {
    assert_sqlite_postgres_in_sync_with(sqlite, postgres, &DiffOptions::default());
}

/// [`assert_sqlite_postgres_in_sync`] with diff options (name folding, ignored tables).
///
/// ```no_run
/// use schema_sync::core::diff::DiffOptions;
/// let opts = DiffOptions { fold_names: true, ..Default::default() };
/// schema_sync::testing::assert_sqlite_postgres_in_sync_with("local.db", "postgres://localhost/app", &opts);
/// ```
///
/// # Panics
/// As [`assert_sqlite_postgres_in_sync`].
#[track_caller]
pub fn assert_sqlite_postgres_in_sync_with(sqlite: impl IntoTestDb, postgres: impl IntoTestDb, opts: &DiffOptions) {
    let iopts = IntrospectOptions::default();
    let checked = read_blocking(sqlite.test_db(), &iopts)
        .and_then(|lite| Ok((lite, read_blocking(postgres.test_db(), &iopts)?)))
        .map_err(|e| format!("assert_sqlite_postgres_in_sync!: {e}"))
        .and_then(|(lite, pg)| cross_report(&lite, &pg, opts));
    if let Err(message) = checked {
        panic!("{message}");
    }
}

/// [`assert_sqlite_postgres_in_sync`] for async tests.
///
/// ```no_run
/// # async fn demo(pg: schema_sync::testing::TempPostgres) {
/// let local = rusqlite::Connection::open("local.db").unwrap();
/// schema_sync::testing::assert_sqlite_postgres_in_sync_async(&local, &pg).await;
/// # }
/// ```
///
/// # Panics
/// As [`assert_sqlite_postgres_in_sync`].
pub async fn assert_sqlite_postgres_in_sync_async(sqlite: impl IntoTestDb, postgres: impl IntoTestDb) {
    let iopts = IntrospectOptions::default();
    let checked = match (read(sqlite.test_db(), &iopts).await, read(postgres.test_db(), &iopts).await) {
        (Ok(lite), Ok(pg)) => cross_report(&lite, &pg, &DiffOptions::default()),
        (Err(e), _) | (_, Err(e)) => Err(format!("assert_sqlite_postgres_in_sync!: {e}")),
    };
    if let Err(message) = checked {
        panic!("{message}");
    }
}

/// Asserts that applying every migration file of `dir` to a fresh Postgres database yields
/// exactly the models: the function behind
/// [`assert_migrations_reproduce!`](crate::assert_migrations_reproduce), which also resolves a
/// relative `dir` against the calling crate's directory.
///
/// Migration files are the `*.sql` files of `dir` named `<version>_<name>.sql` (Supabase's
/// `20240101120000_create_users.sql`), read by [`schema_sync_core::supabase::read_dir`] and
/// applied in version order, each in its own transaction with the simple-query protocol. The database is a fresh [`TempPostgres`]; the check is
/// Postgres only (a SQLite database built from the same models is what
/// [`assert_schema_matches`] is for).
///
/// ```no_run
/// # use schema_sync::{schema, SyncTable};
/// # #[derive(SyncTable)] #[sync(table = "users")] struct User { #[sync(primary_key)] id: i64 }
/// schema_sync::testing::assert_migrations_reproduce("supabase/migrations", &schema![User]);
/// ```
///
/// # Panics
/// When the result differs from the models (the message lists what is missing and the SQL of
/// the migration that would fix it), when `dir` has no migration files or a `.sql` file that is
/// not named `<version>_<name>.sql`, when a file fails to apply, and when no Postgres is
/// available.
#[track_caller]
pub fn assert_migrations_reproduce(dir: impl AsRef<Path>, models: &(impl AsModels + ?Sized)) {
    let dir = dir.as_ref().to_path_buf();
    let declared = Declared::default().carrying(models);
    let models = models.schema().clone();
    let result = on_own_runtime(async move { migrations_report(&dir, &models, &declared).await });
    if let Err(message) = result {
        panic!("{message}");
    }
}

/// [`assert_migrations_reproduce`] with declarative SQL merged into the models (read in a
/// scratch database on the same throwaway server): the migrations must build the models *and*
/// what the files declare. A [`Declared::platform`] file runs on the fresh database before the
/// migrations, as Supabase's own objects exist before yours. The function behind
/// `assert_migrations_reproduce!(dir = "…", models, sql_dir = "…", platform = "…")`.
///
/// # Panics
/// As [`assert_migrations_reproduce`], and when a file does not load.
#[track_caller]
pub fn assert_migrations_reproduce_with(dir: impl AsRef<Path>, models: &(impl AsModels + ?Sized), declared: &Declared) {
    let declared = &declared.clone().carrying(models);
    let models = models.schema();
    let (dir, owned) = (dir.as_ref().to_path_buf(), declared.clone());
    let copy = models.clone();
    let result = on_own_runtime(async move { migrations_report(&dir, &copy, &owned).await });
    if let Err(message) = result {
        panic!("{message}");
    }
    if let Some(sqlite) = &declared.sqlite {
        if let Err(message) = super::sqlite_migrations_report(sqlite, models, declared) {
            panic!("{message}");
        }
    }
}

/// [`assert_migrations_reproduce`] for async tests.
///
/// ```no_run
/// # use schema_sync::{schema, SyncTable};
/// # #[derive(SyncTable)] #[sync(table = "users")] struct User { #[sync(primary_key)] id: i64 }
/// #[tokio::test]
/// async fn migrations_reproduce_models() {
///     schema_sync::testing::assert_migrations_reproduce_async("supabase/migrations", &schema![User]).await;
/// }
/// ```
///
/// # Panics
/// As [`assert_migrations_reproduce`].
pub async fn assert_migrations_reproduce_async(dir: impl AsRef<Path>, models: &(impl AsModels + ?Sized)) {
    let declared = Declared::default().carrying(models);
    if let Err(message) = migrations_report(dir.as_ref(), models.schema(), &declared).await {
        panic!("{message}");
    }
}

/// Asserts that a database has exactly the schema of the models; on a mismatch the test fails
/// with the grouped diff and the SQL that would bring the database to the models.
///
/// `db` is a source text (`"sqlite:app.db"`, `"app.db"`, `"postgres://…"`), a path, a
/// [`TempSqlite`](crate::testing::TempSqlite), a [`TempPostgres`](crate::testing::TempPostgres)
/// or a `rusqlite::Connection` (by value or by reference; it is only borrowed). Blocking; works
/// in `#[test]` and `#[tokio::test]`. See [`assert_schema_matches`](crate::testing::assert_schema_matches).
///
/// ```
/// use schema_sync::{assert_schema_matches, schema, SyncTable};
///
/// #[derive(SyncTable)]
/// #[sync(table = "orgs")]
/// struct Org { #[sync(primary_key)] id: i64, name: String }
///
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User { #[sync(primary_key)] id: i64, #[sync(references = Org)] org_id: i64 }
///
/// // In a test: `assert_schema_matches!("sqlite:app.db", schema![User, Org]);`
/// let db = schema_sync::testing::TempSqlite::new();
/// let mut conn = db.connect();
/// let opts = schema_sync::ApplyOptions::default();
/// schema_sync::migrate_blocking(&mut conn, &schema![User, Org], &opts).unwrap();
/// assert_schema_matches!(conn, schema![User, Org]);
/// assert_schema_matches!(db, schema![User, Org]);
/// ```
#[macro_export]
macro_rules! assert_schema_matches {
    ($db:expr, $models:expr $(,)?) => {
        $crate::testing::assert_schema_matches(&$db, &$models)
    };
    // Declarative SQL merged into the models: `sql_dir = "…"`, `platform = "…"`,
    // `sqlite_sql_dir = "…"` (paths relative to the crate), each a `Declared` method.
    ($db:expr, $models:expr, $($key:ident = $path:expr),+ $(,)?) => {
        $crate::testing::assert_schema_matches_with(
            &$db,
            &$models,
            &$crate::testing::Declared::default()
                $(.$key(::std::path::Path::new(::std::env!("CARGO_MANIFEST_DIR")).join($path)))+,
        )
    };
}

/// Asserts that the migration files of a directory, applied in order to a fresh Postgres
/// database, produce exactly the models: the CI drift check. A relative `dir` is relative to the
/// calling crate's directory (`CARGO_MANIFEST_DIR`).
///
/// On a mismatch the test fails with what the migrations are missing and the SQL of the
/// migration that would add it. Postgres only; needs a Postgres (see
/// [`TempPostgres`](crate::testing::TempPostgres)) and fails, never skips, without one. See
/// [`assert_migrations_reproduce`](crate::testing::assert_migrations_reproduce).
///
/// ```no_run
/// use schema_sync::{assert_migrations_reproduce, schema, SyncTable};
///
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User { #[sync(primary_key, identity)] id: i64, email: String }
///
/// #[test]
/// fn migrations_reproduce_models() {
///     assert_migrations_reproduce!(dir = "supabase/migrations", schema![User]);
/// }
/// ```
#[macro_export]
macro_rules! assert_migrations_reproduce {
    (dir = $dir:expr, $models:expr $(,)?) => {
        $crate::testing::assert_migrations_reproduce(
            ::std::path::Path::new(::std::env!("CARGO_MANIFEST_DIR")).join($dir),
            &$models,
        )
    };
    // Declarative SQL merged into the models first (`sql_dir = "…"`, `platform = "…"`,
    // `sqlite_sql_dir = "…"`), and `sqlite = "…"`: the SQLite migrations (plain `.sql` files in
    // file-name order) checked against the models too. Paths relative to the crate.
    (dir = $dir:expr, $models:expr, $($key:ident = $path:expr),+ $(,)?) => {
        $crate::testing::assert_migrations_reproduce_with(
            ::std::path::Path::new(::std::env!("CARGO_MANIFEST_DIR")).join($dir),
            &$models,
            &$crate::testing::Declared::default()
                $(.$key(::std::path::Path::new(::std::env!("CARGO_MANIFEST_DIR")).join($path)))+,
        )
    };
}

/// Asserts that a SQLite database and a Postgres database have the same schema by the
/// cross-dialect type rules (Postgres is the reference; names compared exactly). On a mismatch
/// the test fails with what SQLite needs and the SQLite SQL that would do it. Both arguments
/// take what [`assert_schema_matches!`](crate::assert_schema_matches) takes. See
/// [`assert_sqlite_postgres_in_sync`](crate::testing::assert_sqlite_postgres_in_sync).
///
/// ```no_run
/// #[test]
/// fn local_db_follows_supabase() {
///     let pg = std::env::var("DATABASE_URL").unwrap();
///     schema_sync::assert_sqlite_postgres_in_sync!("sqlite:local.db", pg);
/// }
/// ```
#[macro_export]
macro_rules! assert_sqlite_postgres_in_sync {
    ($sqlite:expr, $postgres:expr $(,)?) => {
        $crate::testing::assert_sqlite_postgres_in_sync(&$sqlite, &$postgres)
    };
}
