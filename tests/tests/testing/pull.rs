//! `schema-sync pull` on real schemas (Chinook, Sakila and Northwind on SQLite; Chinook, Sakila
//! — with its aggregate, functions, triggers and inherited tables — and Northwind on Postgres) and on `examples/supabase_app` built by its migrations (RLS, policies,
//! grants, views, `handle_new_user()` on `auth.users`): the written modules compile in a crate
//! of their own, and the CLI
//! built from each `models()` finds no difference with the database it came from, in both
//! directions — then finds one once the database changes.
//!
//! One test, because it builds a crate (sharing this build's target directory and Cargo.lock).

use super::{cargo, text, WORKSPACE};
use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync_tests::{conformance_dir, schema_sync_bin};
use std::path::Path;
use std::process::Command;

fn real(rel: &str) -> String {
    let text = std::fs::read_to_string(conformance_dir().join("real-schemas").join(rel)).unwrap();
    text.trim_start_matches('\u{feff}').to_string()
}

fn sqlite_db(sql: &str) -> TempSqlite {
    let db = TempSqlite::new();
    db.connect().execute_batch(sql).expect("the schema loads on SQLite");
    db
}

fn postgres_db(sql: &str) -> TempPostgres {
    let db = TempPostgres::try_new_blocking().expect("a Postgres");
    super::apply_postgres_sql(db.url(), sql);
    db
}

#[test]
fn pulled_models_of_real_schemas_compile_and_match_their_databases() {
    let _pg = schema_sync::require_postgres!(blocking);
    let chinook_pg: String = real("chinook/Chinook_PostgreSql.sql")
        .lines()
        .filter(|l| !l.starts_with("\\c") && !l.contains("DROP DATABASE") && !l.contains("CREATE DATABASE"))
        .collect::<Vec<_>>()
        .join("\n");
    let lite = [
        ("chinook_sqlite", sqlite_db(&real("chinook/Chinook_Sqlite.sql"))),
        ("sakila_sqlite", sqlite_db(&real("sakila/sqlite-sakila-schema.sql"))),
        ("northwind_sqlite", sqlite_db(&real("northwind/northwind-SQLite3-create.sql"))),
    ];
    let example = Path::new(WORKSPACE).join("examples/supabase_app/supabase");
    let platform = example.join("platform.sql");
    let mut supabase = std::fs::read_to_string(&platform).unwrap();
    for f in schema_sync::core::supabase::read_dir(&example.join("migrations")).unwrap() {
        supabase.push_str(&std::fs::read_to_string(f.path).unwrap());
    }
    let pg = [
        ("chinook_postgres", postgres_db(&chinook_pg)),
        ("sakila_postgres", postgres_db(&real("sakila/postgres-sakila-schema.sql"))),
        ("northwind_postgres", postgres_db(&real("northwind/northwind_psql-northwind.sql"))),
        ("supabase_app", postgres_db(&supabase)),
    ];
    let sources: Vec<(&str, String)> =
        lite.iter().map(|(n, db)| (*n, db.url())).chain(pg.iter().map(|(n, db)| (*n, db.url().to_string()))).collect();

    // A crate with one pulled module per database, and a CLI per module.
    let scratch = TempSqlite::new();
    let app = scratch.path().with_file_name("pulled_app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    let facade = Path::new(WORKSPACE).join("schema-sync").canonicalize().unwrap();
    let workspace = std::fs::read_to_string(Path::new(WORKSPACE).join("Cargo.toml")).unwrap();
    let profile = &workspace[workspace.find("[profile.dev]").unwrap()..workspace.find("[profile.release]").unwrap()];
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"pulled-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nschema-sync = {{ path = {:?}, features = [\"cli\"] }}\n\n{profile}",
            facade.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(Path::new(WORKSPACE).join("Cargo.lock"), app.join("Cargo.lock")).unwrap();
    for (name, url) in &sources {
        let mut pull = Command::new(schema_sync_bin());
        pull.args(["pull", "--from", url, "--out"]).arg(app.join("src").join(name));
        if *name == "supabase_app" {
            pull.arg("--platform-sql").arg(&platform);
        }
        let out = pull.output().unwrap();
        assert!(out.status.success(), "pull {name}:\n{}", text(&out));
    }
    let mods: String = sources.iter().map(|(n, _)| format!("mod {n};\n")).collect();
    let arms: String = sources.iter().map(|(n, _)| format!("        {n:?} => {n}::models(),\n")).collect();
    std::fs::write(
        app.join("src/main.rs"),
        format!(
            "{mods}\nfn main() -> std::process::ExitCode {{\n    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();\n    \
             let which = args.remove(1).into_string().unwrap();\n    let models = match which.as_str() {{\n{arms}        other => panic!(\"no module {{other}}\"),\n    }};\n    \
             schema_sync::cli::run_models(args, Some(models))\n}}\n"
        ),
    )
    .unwrap();
    let built = cargo(&app, &["build", "--quiet"], None);
    assert!(built.status.success(), "the pulled modules should compile:\n{}", text(&built));

    let read = |rel: &str| std::fs::read_to_string(app.join("src").join(rel)).unwrap();
    let chinook = read("chinook_sqlite/mod.rs");
    for part in [
        "pub struct Album {",
        "#[sync(rename = \"ArtistId\", references = Artist)]",
        "primary_key(\"PlaylistId\", \"TrackId\")",
    ] {
        assert!(chinook.contains(part), "{part} in chinook_sqlite/mod.rs:\n{chinook}");
    }
    let sakila = read("sakila_sqlite/mod.rs");
    assert!(sakila.contains("#[derive(Debug, SyncView)]") && sakila.contains("pub struct FilmList {"), "{sakila}");
    assert!(read("sakila_sqlite/schema.sql").contains("CREATE TRIGGER actor_trigger_ai"));
    let sakila = read("sakila_postgres/mod.rs");
    assert!(sakila.contains("pub struct FilmList {") && sakila.contains("pub struct Actor {"), "{sakila}");
    // `film_list` calls `group_concat`: the aggregate is created before the structs' tables and views.
    let before = read("sakila_postgres/before.sql");
    assert!(
        before.contains(
            "CREATE OR REPLACE AGGREGATE public.group_concat(text) (SFUNC = public._group_concat, STYPE = text)"
        ),
        "{before}"
    );
    let sql = read("sakila_postgres/schema.sql");
    assert!(sql.contains("INHERITS"), "the inherited payment tables, as SQL");
    // `sales_by_store` reads `payment`, written as SQL: the view follows it into the SQL.
    assert!(sql.contains("CREATE VIEW \"public\".\"sales_by_store\"") && !sakila.contains("SalesByStore"), "{sql}");

    let supabase = read("supabase_app/mod.rs");
    for part in [
        "#[sync(table = \"profiles\")]\n#[sync(unique(\"username\"))]",
        "#[sync(rls)]",
        "#[sync(policy(name = \"Users delete their own profile\", command = delete, roles = [\"authenticated\"]",
        "#[sync(grant(role = \"anon\", privileges = [select]))]",
        "references = AuthUsers, on_delete = \"cascade\"",
        "#[sync(view = \"profile_cards\", security_invoker)]",
        "include_str!(\"platform.sql\")",
    ] {
        assert!(supabase.contains(part), "{part} in supabase_app/mod.rs:\n{supabase}");
    }
    assert!(read("supabase_app/schema.sql").contains("CREATE TRIGGER on_auth_user_created"));

    let bin = super::target_dir().join("debug/pulled-app");
    let run = |which: &str, args: &[&str]| Command::new(&bin).arg(which).args(args).output().unwrap();
    for (name, url) in &sources {
        let forth = run(name, &["diff", "--from", "models", "--to", url]);
        assert_eq!(forth.status.code(), Some(0), "{name}: models → database:\n{}", text(&forth));
        let back = run(name, &["diff", "--from", url, "--to", "models"]);
        assert_eq!(back.status.code(), Some(0), "{name}: database → models:\n{}", text(&back));
    }
    // The check can fail: a column the models lack is named.
    lite[0].1.connect().execute_batch("ALTER TABLE Artist ADD COLUMN Country TEXT").unwrap();
    let drift = run("chinook_sqlite", &["diff", "--from", "models", "--to", &sources[0].1]);
    assert_eq!(drift.status.code(), Some(1), "{}", text(&drift));
    assert!(text(&drift).contains("+ column Country TEXT"), "{}", text(&drift));
}
