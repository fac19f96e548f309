//! Drift checks that run with the app's ordinary `cargo test`.

use drift_test::{open_local, Org, User};
use schema_sync::testing::TempSqlite;
use schema_sync::{assert_migrations_reproduce, assert_schema_matches, schema};

/// The Supabase migration files build exactly the schema of the structs (needs a Postgres:
/// `SCHEMA_SYNC_TEST_PG_URL`, `DATABASE_URL` or local `initdb`/`pg_ctl`).
#[test]
fn migrations_reproduce_models() {
    assert_migrations_reproduce!(dir = "supabase/migrations", schema![User, Org]);
}

/// The local SQLite file the app creates has exactly the schema of the structs.
#[test]
fn local_database_matches_models() {
    let db = TempSqlite::new();
    let conn = open_local(db.path()).unwrap();
    assert_schema_matches!(conn, schema![User, Org]);
}
