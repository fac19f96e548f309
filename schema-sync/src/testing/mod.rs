//! Test helpers (feature `testing`): throwaway SQLite and Postgres databases for `cargo test`.
//!
//! * [`TempSqlite`]: a fresh SQLite file in its own temporary directory, removed on drop.
//! * [`TempPostgres`]: a fresh, uniquely named Postgres database, dropped on drop. The server is
//!   `SCHEMA_SYNC_TEST_PG_URL`, else `DATABASE_URL` (when it is a `postgres://` URL), else one
//!   throwaway cluster per test process started from the local `initdb`/`pg_ctl` binaries and
//!   removed when the process exits.
//! * Drift assertions: [`assert_schema_matches!`](crate::assert_schema_matches) (models vs a
//!   database), [`assert_migrations_reproduce!`](crate::assert_migrations_reproduce) (migration
//!   files vs models) and [`assert_sqlite_postgres_in_sync!`](crate::assert_sqlite_postgres_in_sync)
//!   (SQLite vs Postgres), which fail with a readable diff and the SQL that would fix it.
//!
//! When no Postgres can be found or started, [`TempPostgres::try_new`] returns `None` and
//! [`require_postgres!`](crate::require_postgres) skips the test with a message — except under
//! `CI=true`, where a missing Postgres panics: CI must never pass by skipping database tests.
//!
//! ```no_run
//! # async fn demo() {
//! use schema_sync::testing::TempPostgres;
//! let pg = schema_sync::require_postgres!(); // skips the test when there is no Postgres
//! let mut conn = pg.connect().await;
//! sqlx::raw_sql("CREATE TABLE users (id bigint PRIMARY KEY)").execute(&mut conn).await.unwrap();
//! # }
//! ```

mod assert;
mod assert_report;
mod assert_sqlite;
mod postgres;
mod snapshot;
mod sqlite;

pub use assert::*;
pub use assert_sqlite::{assert_sqlite_migrations_reproduce, sqlite_migrations_report};
pub use postgres::{TempPostgres, PASSWORD_AUTH_GROUP};
pub use snapshot::{assert_snapshot_fresh, check_snapshot, UPDATE_ENV};
pub use sqlite::TempSqlite;

/// `true` when the tests run in CI: `CI` is `true`, `1` or `yes` (any case). The one definition
/// every CI-dependent rule uses (a missing Postgres fails instead of skipping; a stale models
/// snapshot fails instead of being rewritten).
pub fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// The message printed when a Postgres test is skipped.
pub const SKIP_MESSAGE: &str = "skipping: no Postgres (set SCHEMA_SYNC_TEST_PG_URL)";

/// Gets a [`TempPostgres`] or skips the current test: evaluates to the database, or prints
/// [`SKIP_MESSAGE`] and `return`s from the enclosing test when no Postgres is available (under
/// `CI=true` it panics instead, see [`TempPostgres::try_new`]).
///
/// `require_postgres!()` is for `async` tests; `require_postgres!(blocking)` for plain ones.
///
/// ```no_run
/// #[tokio::test]
/// async fn reads_users() {
///     let pg = schema_sync::require_postgres!();
///     let _conn = pg.connect().await;
/// }
/// ```
#[macro_export]
macro_rules! require_postgres {
    () => {
        match $crate::testing::TempPostgres::try_new().await {
            ::std::option::Option::Some(pg) => pg,
            ::std::option::Option::None => {
                ::std::eprintln!("{}", $crate::testing::SKIP_MESSAGE);
                return;
            }
        }
    };
    (blocking) => {
        match $crate::testing::TempPostgres::try_new_blocking() {
            ::std::option::Option::Some(pg) => pg,
            ::std::option::Option::None => {
                ::std::eprintln!("{}", $crate::testing::SKIP_MESSAGE);
                return;
            }
        }
    };
}
