//! `examples/drift_test`, run as its owner would: `cargo test` passes, fails with the readable
//! message once a model gains a field no migration adds, and passes again once the missing
//! migration (written from the diff by the app's own schema-sync CLI) is in place.
//!
//! One test, because it builds a crate: the copy shares this build's target directory and
//! Cargo.lock, so only the small crates are compiled.

use super::{assert_contains, cargo, copy_dir, text, WORKSPACE};
use schema_sync::core::supabase::read_dir;
use std::path::Path;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/drift_test");

#[test]
fn drift_test_fails_on_a_field_without_migration_and_passes_after_it() {
    let pg = schema_sync::require_postgres!(blocking);
    // The copy must build with this workspace's profile to reuse the compiled dependencies.
    let manifest = std::fs::read_to_string(Path::new(EXAMPLE).join("Cargo.toml")).unwrap();
    let profile = &manifest[manifest.find("[profile.dev]").expect("drift_test has [profile.dev]")..];
    let workspace = std::fs::read_to_string(Path::new(WORKSPACE).join("Cargo.toml")).unwrap();
    assert!(
        workspace.contains(profile.trim()),
        "examples/drift_test/Cargo.toml's profile differs from the workspace's"
    );

    let scratch = schema_sync::testing::TempSqlite::new();
    let app = scratch.path().with_file_name("drift_test");
    copy_dir(Path::new(EXAMPLE), &app);
    let schema_sync_dir = Path::new(WORKSPACE).join("schema-sync").canonicalize().unwrap();
    let manifest = manifest.replace("../../schema-sync", &schema_sync_dir.display().to_string());
    std::fs::write(app.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(Path::new(WORKSPACE).join("Cargo.lock"), app.join("Cargo.lock")).unwrap();

    // As shipped: the migrations reproduce the models.
    let out = cargo(&app, &["test", "--test", "drift"], Some(pg.url()));
    assert!(out.status.success(), "drift_test as shipped should pass:\n{}", text(&out));

    // A model gains a field, and no migration adds it: `cargo test` fails, saying what and how.
    let lib = std::fs::read_to_string(app.join("src/lib.rs")).unwrap();
    let edited = lib.replacen(
        "    pub email: String,\n",
        "    pub email: String,\n    /// Shown instead of the email when set.\n    pub nickname: Option<String>,\n",
        1,
    );
    assert_ne!(lib, edited, "drift_test's User has no `pub email: String,` field to add a field after");
    std::fs::write(app.join("src/lib.rs"), edited).unwrap();
    let out = cargo(&app, &["test", "--test", "drift"], Some(pg.url()));
    let failed = text(&out);
    assert!(!out.status.success(), "drift_test should fail after adding a field:\n{failed}");
    assert_contains(
        &failed,
        &[
            "test migrations_reproduce_models ... FAILED",
            "test local_database_matches_models ... ok",
            "assert_migrations_reproduce!: the migrations do not reproduce the models",
            "migrations: supabase/migrations (1 file, last 20250101000000_init.sql)",
            "~ table public.users",
            "+ column nickname text",
            "SQL that would fix it (as a new migration, e.g. supabase/migrations/",
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"nickname\" text;",
        ],
    );

    // The missing migration, written by the app's own schema-sync CLI (`cli::run(models())`):
    // `migration new` from what the migrations build (loaded into a scratch database) to the
    // models.
    let migrations = app.join("supabase/migrations");
    let all = scratch.path().with_file_name("all_migrations.sql");
    let mut ddl = String::new();
    for f in read_dir(&migrations).unwrap() {
        ddl.push_str(&std::fs::read_to_string(f.path).unwrap());
        ddl.push('\n');
    }
    std::fs::write(&all, ddl).unwrap();
    let all = all.display().to_string();
    let schema = ["run", "--quiet", "--features", "cli", "--bin", "schema", "--"];
    let new = [&schema[..], &["migration", "new", "add users nickname", "--from", &all, "--to", "models"]].concat();
    let out = cargo(&app, &[&new[..], &["--dev-url", pg.url()]].concat(), Some(pg.url()));
    let after = read_dir(&migrations).unwrap();
    let written_by_migration_new = !String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand");
    if !written_by_migration_new {
        // A CLI without `migration new`: the same SQL from `diff --format sql`.
        let diff = [&schema[..], &["diff", "--from", &all, "--dev-url", pg.url(), "--to", "models", "--format", "sql"]]
            .concat();
        let out = cargo(&app, &diff, Some(pg.url()));
        assert_eq!(out.status.code(), Some(1), "`schema diff` should exit 1 (drift):\n{}", text(&out));
        std::fs::write(migrations.join("20250102000000_add_users_nickname.sql"), out.stdout).unwrap();
    } else {
        assert!(out.status.success(), "`schema migration new` failed:\n{}", text(&out));
        assert_eq!(after.len(), 2, "`schema migration new` should write one file:\n{}", text(&out));
    }
    let files = read_dir(&migrations).unwrap();
    let newest = &files.last().unwrap().path;
    assert!(newest.display().to_string().ends_with("_add_users_nickname.sql"), "{}", newest.display());
    if written_by_migration_new {
        // Like every migration file schema-sync writes, it passes `schema-sync lint`.
        let findings = schema_sync::core::lint::lint_paths(std::slice::from_ref(newest)).unwrap();
        assert!(findings.is_empty(), "{findings:?}");
    }
    assert_contains(
        &std::fs::read_to_string(newest).unwrap(),
        &["ALTER TABLE \"public\".\"users\" ADD COLUMN \"nickname\" text;"],
    );

    let out = cargo(&app, &["test", "--test", "drift"], Some(pg.url()));
    assert!(out.status.success(), "drift_test should pass with the new migration:\n{}", text(&out));
}
