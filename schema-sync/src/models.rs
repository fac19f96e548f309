//! [`Models`]: the schema of the structs plus declarative SQL that goes with them — what
//! `schema-sync pull` writes `models()` to return, and what [`crate::cli::run`] takes.

use schema_sync_core::declarative::SqlFile;
use schema_sync_core::{Dialect, Schema};

/// The models: a [`Schema`] (usually `schema![…]`) and declarative SQL files, each written in
/// one dialect, merged with it when the CLI reads the `models` source — SQLite SQL in memory,
/// Postgres SQL in a scratch database (see [`schema_sync_core::declarative`]). What a file of
/// one dialect declares (a trigger, a view) exists on that dialect's side only, so one set of
/// models can carry a Postgres `updated_at` trigger and its SQLite counterpart.
///
/// ```
/// use schema_sync::{schema, Dialect, Models, SyncTable};
///
/// #[derive(SyncTable)]
/// #[sync(table = "notes")]
/// struct Note { #[sync(primary_key)] id: i64, body: String }
///
/// let models = Models::new(schema![Note])
///     .with_sql(Dialect::Sqlite, "triggers.sql", "CREATE TRIGGER t AFTER INSERT ON notes BEGIN SELECT 1; END;")
///     .with_sql(Dialect::Postgres, "functions.sql", "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';");
/// assert_eq!(models.tables.len(), 1); // a `Models` is its schema, too
/// assert_eq!(models.sql_for(Dialect::Sqlite).len(), 1);
/// assert_eq!(models.sql_for(Dialect::Postgres)[0].origin, "functions.sql");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Models {
    /// The structs' schema.
    pub schema: Schema,
    /// Declarative SQL merged with the schema, each file with the dialect it is written in.
    pub sql: Vec<(Dialect, SqlFile)>,
    /// What the hosting platform provides (Supabase's `auth` schema and API roles): Postgres SQL
    /// run first wherever the models are read, and on the fresh database before the migrations
    /// in `assert_migrations_reproduce!`; what it makes is never taken into the models.
    pub platform: Option<SqlFile>,
}

impl Models {
    /// Models without SQL.
    pub fn new(schema: Schema) -> Self {
        Models { schema, sql: Vec::new(), platform: None }
    }

    /// And the platform's SQL (see [`Models::platform`]).
    pub fn with_platform(mut self, origin: &str, text: &str) -> Self {
        self.platform = Some(SqlFile::first(origin, text));
        self
    }

    /// The files written in `dialect`, in the order they were added.
    pub fn sql_for(&self, dialect: Dialect) -> Vec<SqlFile> {
        self.sql.iter().filter(|(d, _)| *d == dialect).map(|(_, f)| f.clone()).collect()
    }

    /// And one declarative SQL file (`include_str!`ed) written in `dialect`, run after the
    /// structs' DDL.
    pub fn with_sql(mut self, dialect: Dialect, origin: &str, text: &str) -> Self {
        self.sql.push((dialect, SqlFile::new(origin, text)));
        self
    }

    /// And one that runs before the structs' DDL: what their tables need to exist first
    /// (sequences and domains their columns use, functions their defaults call).
    pub fn with_sql_first(mut self, dialect: Dialect, origin: &str, text: &str) -> Self {
        self.sql.push((dialect, SqlFile::first(origin, text)));
        self
    }
}

impl From<Schema> for Models {
    fn from(schema: Schema) -> Self {
        Models::new(schema)
    }
}

impl std::ops::Deref for Models {
    type Target = Schema;
    fn deref(&self) -> &Schema {
        &self.schema
    }
}
