//! The app's schema checks, run by its ordinary `cargo test`.

use schema_sync::testing::TempSqlite;
use schema_sync::{assert_migrations_reproduce, assert_schema_matches};
use supabase_app::{models, open_local};

/// The Supabase migration files build exactly the Rust models plus `supabase/schemas/*.sql`
/// (needs a Postgres: `SCHEMA_SYNC_TEST_PG_URL`, `DATABASE_URL` or local `initdb`/`pg_ctl`).
/// Every view's query is checked against the models on the way. The SQL files come with
/// `models()` (`schema![…; sql_dir = …]`).
#[test]
fn migrations_reproduce_models_and_schemas() {
    assert_migrations_reproduce!(dir = "supabase/migrations", models());
}

/// The local SQLite database the app creates has the models' tables and views and the
/// `updated_at` trigger of `sqlite/schemas/`; each view's query runs there and yields its
/// struct's columns.
#[test]
fn local_database_matches_models() {
    let db = TempSqlite::new();
    let conn = open_local(db.path()).unwrap();
    assert_schema_matches!(conn, models());
}
