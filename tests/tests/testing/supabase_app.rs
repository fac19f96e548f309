//! `examples/supabase_app`, run as its owner would: its whole schema (RLS, policies, grants,
//! comments, views in Rust; `handle_new_user()` on `auth.users` and the `updated_at` trigger in
//! `supabase/schemas/`; the SQLite side's own `updated_at` trigger in `sqlite/schemas/`) passes
//! its own `cargo test`; a view whose query names a column the models lack fails it on both
//! dialects; a policy removed from a struct fails it, and the app's CLI `diff` names that
//! policy with exit 1; a local database without the SQLite trigger fails it too.
//!
//! One test, because it builds a crate (sharing this build's target directory and Cargo.lock).

use super::{assert_contains, cargo, copy_dir, text, WORKSPACE};
use std::path::Path;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/supabase_app");

#[test]
fn supabase_app_checks_its_whole_schema_in_cargo_test() {
    let pg = schema_sync::require_postgres!(blocking);
    let manifest = std::fs::read_to_string(Path::new(EXAMPLE).join("Cargo.toml")).unwrap();
    let profile = &manifest[manifest.find("[profile.dev]").expect("supabase_app has [profile.dev]")..];
    let workspace = std::fs::read_to_string(Path::new(WORKSPACE).join("Cargo.toml")).unwrap();
    assert!(
        workspace.contains(profile.trim()),
        "examples/supabase_app/Cargo.toml's profile differs from the workspace's"
    );

    let scratch = schema_sync::testing::TempSqlite::new();
    let app = scratch.path().with_file_name("supabase_app");
    copy_dir(Path::new(EXAMPLE), &app);
    let schema_sync_dir = Path::new(WORKSPACE).join("schema-sync").canonicalize().unwrap();
    let manifest = manifest.replace("../../schema-sync", &schema_sync_dir.display().to_string());
    std::fs::write(app.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(Path::new(WORKSPACE).join("Cargo.lock"), app.join("Cargo.lock")).unwrap();
    let lib_path = app.join("src/lib.rs");
    let lib = std::fs::read_to_string(&lib_path).unwrap();

    // As shipped: the migrations reproduce models + SQL files, the SQLite side matches.
    let out = cargo(&app, &["test", "--test", "schema"], Some(pg.url()));
    assert!(out.status.success(), "supabase_app as shipped should pass:\n{}", text(&out));
    assert_contains(
        &text(&out),
        &["test migrations_reproduce_models_and_schemas ... ok", "test local_database_matches_models ... ok"],
    );

    // The app's CLI: a Supabase project migrated by the files and the local SQLite database
    // built from the models agree — `audit` finds both in step with each other and with the
    // models (the Postgres-only trigger is a note, not drift), and `sync` has nothing to do.
    let schema = ["run", "--quiet", "--features", "cli", "--bin", "schema", "--"];
    let project = schema_sync::testing::TempPostgres::try_new_blocking().expect("a Postgres");
    let platform = std::fs::read_to_string(app.join("supabase/platform.sql")).unwrap();
    super::apply_postgres_sql(project.url(), &platform);
    let out = cargo(
        &app,
        &[&schema[..], &["migrate", "--db", project.url(), "--dir", "supabase/migrations"]].concat(),
        Some(pg.url()),
    );
    assert!(out.status.success(), "migrate:\n{}", text(&out));
    let local = scratch.path().with_file_name("local.db");
    rusqlite::Connection::open(&local).unwrap();
    let local = format!("sqlite:{}", local.display());
    // The SQL files come with `models()` (`schema![…; sql_dir = …]`): no flags name them.
    let out = cargo(&app, &[&schema[..], &["apply", "--db", &local, "--to", "models", "--yes"]].concat(), None);
    assert!(out.status.success(), "apply to SQLite:\n{}", text(&out));
    // The models' SQLite side has its own `updated_at` trigger, and it fires.
    let conn = rusqlite::Connection::open(local.trim_start_matches("sqlite:")).unwrap();
    conn.execute_batch(
        "INSERT INTO profiles (id, username, updated_at) VALUES ('u1', 'ada', '2000-01-01 00:00:00');
         UPDATE profiles SET full_name = 'Ada Lovelace' WHERE id = 'u1';",
    )
    .unwrap();
    let stamped: String = conn.query_row("SELECT updated_at FROM profiles WHERE id = 'u1'", [], |r| r.get(0)).unwrap();
    assert!(stamped.as_str() > "2020", "the SQLite trigger set updated_at: {stamped}");
    conn.execute_batch("DELETE FROM profiles").unwrap();
    drop(conn);
    let declared = ["--dev-url", pg.url()];
    let out = cargo(&app, &[&schema[..], &["inspect", "models", "--format", "json"], &declared[..]].concat(), None);
    assert!(out.status.success(), "inspect models:\n{}", text(&out));
    let snapshot = scratch.path().with_file_name("models.json");
    std::fs::write(&snapshot, &out.stdout).unwrap();
    let snapshot = snapshot.display().to_string();
    let audit = [
        &schema[..],
        &[
            "audit",
            "--sqlite",
            &local,
            "--postgres",
            project.url(),
            "--migrations",
            "supabase/migrations",
            "--models",
            &snapshot,
        ],
    ]
    .concat();
    let out = cargo(&app, &audit, None);
    assert_contains(
        &text(&out),
        &[
            "ok    SQLite vs Postgres (+ only in Postgres, - only in SQLite): in sync",
            "ok    SQLite vs models (+ only in models, - only in SQLite): in sync",
            "ok    Postgres vs models (+ only in models, - only in Postgres): in sync",
            "ok    migrations supabase/migrations vs Postgres: 1 file(s), 1 applied",
            "recorded by different paths; the schemas agree",
            "\nclean\n",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "audit of the app should be clean:\n{}", text(&out));
    let sync = [&schema[..], &["sync", "--sqlite", &local, "--postgres", project.url(), "--strategy", "postgres-wins"]]
        .concat();
    let out = cargo(&app, &sync, None);
    assert!(out.status.success() && text(&out).contains("are in sync"), "sync:\n{}", text(&out));

    // A view's query names a column the models do not have: both checks fail, naming it.
    let broken =
        lib.replacen("SELECT id, username, avatar_url FROM profiles", "SELECT id, username, avatar FROM profiles", 1);
    assert_ne!(broken, lib, "supabase_app's ProfileCard query changed");
    std::fs::write(&lib_path, &broken).unwrap();
    let out = cargo(&app, &["test", "--test", "schema"], Some(pg.url()));
    let failed = text(&out);
    assert!(!out.status.success(), "a broken view should fail:\n{failed}");
    assert_contains(
        &failed,
        &[
            "test migrations_reproduce_models_and_schemas ... FAILED",
            "test local_database_matches_models ... FAILED",
            "column \"avatar\" does not exist",
            "no such column: avatar",
        ],
    );

    // A policy removed from a struct: the migrations still have it, and the test names it. And
    // the app opening its SQLite database without `sqlite/schemas/`: the trigger is missing.
    let line = "#[sync(policy(name = \"Users delete their own profile\", command = delete, roles = [\"authenticated\"],\n              using = \"(select auth.uid()) = id\"))]\n";
    let without = lib.replacen(line, "", 1).replacen("&local_models()?", "&models()", 1);
    assert_eq!(
        without.len(),
        lib.len() - line.len() - "local_models()?".len() + "models()".len(),
        "supabase_app changed"
    );
    std::fs::write(&lib_path, &without).unwrap();
    let out = cargo(&app, &["test", "--test", "schema"], Some(pg.url()));
    let failed = text(&out);
    assert!(!out.status.success(), "a removed policy should fail:\n{failed}");
    assert_contains(
        &failed,
        &[
            "test migrations_reproduce_models_and_schemas ... FAILED",
            "test local_database_matches_models ... FAILED",
            "trigger profiles_updated_at",
            "- policy Users delete their own profile on public.profiles",
            "DROP POLICY \"Users delete their own profile\" ON \"public\".\"profiles\";",
        ],
    );

    // The app's CLI (`cli::run(models())`) says the same: the migrations, loaded in a scratch
    // database after the platform file, against the models + SQL files.
    let migrations = schema_sync::core::supabase::read_dir(&app.join("supabase/migrations")).unwrap();
    let all = scratch.path().with_file_name("all.sql");
    let mut ddl = std::fs::read_to_string(app.join("supabase/platform.sql")).unwrap();
    for f in migrations {
        ddl.push_str(&std::fs::read_to_string(f.path).unwrap());
    }
    std::fs::write(&all, ddl).unwrap();
    let all = all.display().to_string();
    let diff = [&schema[..], &["diff", "--from", &all, "--to", "models", "--dev-url", pg.url()]].concat();
    let out = cargo(&app, &diff, Some(pg.url()));
    assert_eq!(out.status.code(), Some(1), "`schema diff` should exit 1:\n{}", text(&out));
    assert_contains(&text(&out), &["- policy Users delete their own profile on public.profiles"]);
    // `audit` against the edited models names it too, and exits 1.
    let out = cargo(&app, &[&schema[..], &["inspect", "models", "--format", "json"], &declared[..]].concat(), None);
    assert!(out.status.success(), "inspect models:\n{}", text(&out));
    std::fs::write(&snapshot, &out.stdout).unwrap();
    let out = cargo(&app, &audit, None);
    assert_eq!(out.status.code(), Some(1), "audit should find the removed policy:\n{}", text(&out));
    assert_contains(
        &text(&out),
        &["DRIFT Postgres vs models", "policy Users delete their own profile on public.profiles"],
    );

    std::fs::write(&lib_path, &lib).unwrap();
    let out = cargo(&app, &diff, Some(pg.url()));
    assert_eq!(out.status.code(), Some(0), "`schema diff` should exit 0 with the policy back:\n{}", text(&out));
}
