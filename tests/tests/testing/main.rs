//! `schema_sync::testing`'s drift assertions against real SQLite files and a real Postgres:
//! each passes on matching databases and fails with a readable diff and the fixing SQL on
//! mismatching ones; plus the runnable examples and the `examples/drift_test` and `examples/supabase_app` crates.

// The model structs are only read through their derived metadata.
#![allow(dead_code)]

mod assertions;
mod drift_test;
mod examples;
mod pull;
mod supabase_app;

use schema_sync::core::apply::{self, ApplyOptions};
use schema_sync::model::Schema;
use schema_sync::{schema, SyncTable};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The models the databases are built from.
pub mod v1 {
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "orgs")]
    pub struct Org {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(unique)]
        pub slug: String,
    }

    #[derive(SyncTable)]
    #[sync(table = "users")]
    pub struct User {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Org, on_delete = "cascade", index)]
        pub org_id: i64,
        pub email: String,
    }
}

/// `v1` with one more column and one more index: what the databases are checked against when
/// they must fail.
pub mod v2 {
    pub use super::v1::Org;
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "users", index(columns = ["email"], unique))]
    pub struct User {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Org, on_delete = "cascade", index)]
        pub org_id: i64,
        pub email: String,
        pub nickname: Option<String>,
    }
}

pub fn models_v1() -> Schema {
    schema![v1::User, v1::Org]
}

pub fn models_v2() -> Schema {
    schema![v2::User, v2::Org]
}

/// Runs `f`, which must panic; returns the panic message.
#[track_caller]
pub fn panic_message(f: impl FnOnce()) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => panic!("the assertion passed but should have failed"),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

/// Asserts that `message` contains every one of `parts`, showing the message when not.
#[track_caller]
pub fn assert_contains(message: &str, parts: &[&str]) {
    for p in parts {
        assert!(message.contains(p), "expected {p:?} in the message:\n{message}");
    }
}

/// Applies `models` to a SQLite connection.
pub fn apply_sqlite(conn: &mut rusqlite::Connection, models: &Schema) {
    apply::migrate_blocking(conn, models, &ApplyOptions::default()).expect("migrating SQLite");
}

/// Applies `models` to a Postgres database.
pub fn apply_postgres(url: &str, models: &Schema) {
    let url = url.to_string();
    let models = models.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut conn = schema_sync::core::introspect::postgres::connect(&url).await.unwrap();
            apply::migrate(&mut conn, &models, &ApplyOptions::default()).await.expect("migrating Postgres");
        });
    })
    .join()
    .unwrap();
}

/// Copies an example crate's directory (not its `target` or `Cargo.lock`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == "Cargo.lock" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Runs SQL on a Postgres database (blocking).
pub fn apply_postgres_sql(url: &str, sql: &str) {
    let (url, sql) = (url.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut conn = schema_sync::core::introspect::postgres::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("running SQL on Postgres");
        });
    })
    .join()
    .unwrap();
}

/// The workspace root.
pub const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The target directory this test binary was built in (`<target>/debug/deps/testing-…`), so
/// that the cargo runs below reuse its compiled dependencies.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).expect("<target>/debug/deps/<exe>").to_path_buf()
}

/// Runs cargo in `dir` with this build's target directory and `pg_url` as the tests' Postgres,
/// offline first (everything is in the local cache after this build), online when offline
/// resolution fails.
pub fn cargo(dir: &Path, args: &[&str], pg_url: Option<&str>) -> Output {
    let run = |offline: bool| {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.args(args).current_dir(dir).env("CARGO_TARGET_DIR", target_dir()).env("CARGO_TERM_COLOR", "never");
        if let Some(url) = pg_url {
            cmd.env("SCHEMA_SYNC_TEST_PG_URL", url);
        }
        if offline {
            cmd.arg("--offline");
        }
        cmd.output().unwrap()
    };
    let out = run(true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("offline") && !stderr.contains("test failed") {
        return run(false);
    }
    out
}

/// stdout and stderr of a command, for messages.
pub fn text(out: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}
