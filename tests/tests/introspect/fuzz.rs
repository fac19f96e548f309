//! Panic-freedom under arbitrary input, for every parser a user can feed: the SQLite CREATE-text
//! reader, snapshot JSON, SQLite DDL loading, the configuration file, source strings and URLs
//! (with their redaction), rename hints, statement splitting, default expressions and type
//! texts, and `--rename`/`--using`/`--backfill` through the CLI entry point.
//!
//! Each property mixes fully random text with text built from SQL-ish tokens (so the parsers get
//! past their first byte). Case counts are bounded for `cargo test`; the seed is fixed under CI
//! (`PROPTEST_RNG_SEED` or the default below) and failures are persisted next to this file in
//! `fuzz.proptest-regressions`, so a failure found once is replayed forever. A longer run:
//! `FUZZ_CASES=200000 cargo test -p schema-sync-tests --test introspect fuzz -- --nocapture`
//! (docs/testing.md).

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestRunner};
use schema_sync_core::introspect::IntrospectOptions;

/// Cases per property: `FUZZ_CASES` or `default`.
fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn runner(default_cases: u32) -> TestRunner {
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|v| v.parse().ok());
    let rng_seed = match seed {
        Some(s) => RngSeed::Fixed(s),
        None if schema_sync::testing::running_in_ci() => RngSeed::Fixed(0x5C4E_3A5F),
        None => RngSeed::Random,
    };
    TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel("proptest-regressions"))),
        source_file: Some(file!()),
        rng_seed,
        ..Config::default()
    })
}

/// SQL-ish text: keywords, identifiers (quoted or not, odd characters), literals, punctuation.
fn sqlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        prop::sample::select(vec![
            "CREATE",
            "TABLE",
            "INDEX",
            "UNIQUE",
            "PRIMARY",
            "KEY",
            "FOREIGN",
            "REFERENCES",
            "CHECK",
            "DEFAULT",
            "NOT",
            "NULL",
            "CONSTRAINT",
            "COLLATE",
            "GENERATED",
            "ALWAYS",
            "AS",
            "STORED",
            "VIRTUAL",
            "WITHOUT",
            "ROWID",
            "STRICT",
            "AUTOINCREMENT",
            "ON",
            "DELETE",
            "CASCADE",
            "DEFERRABLE",
            "INITIALLY",
            "DEFERRED",
            "INTEGER",
            "TEXT",
            "VARCHAR(10)",
            "NUMERIC(10,2)",
            "BLOB",
            "REAL",
            "IF",
            "EXISTS",
            "WHERE",
            "DESC",
            "(",
            ")",
            ",",
            ";",
            "'",
            "\"",
            "`",
            "[",
            "]",
            "--",
            "/*",
            "*/",
            "$$",
            "$a$",
            "::",
            "=",
            "-",
            "+",
            "0",
            "1e9",
            "x'00'",
            "'it''s'",
            "\"we\"\"ird\"",
            "ünï",
            "🚀",
            "\n",
            "\t",
            " ",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..40).prop_map(|v| v.join(" "))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), sqlish()]
}

#[test]
fn the_sqlite_create_reader_never_panics() {
    runner(3000)
        .run(&text(), |s| {
            let _ = schema_sync_core::introspect::sqlite_sql::parse_create_table(&s);
            let _ = schema_sync_core::introspect::sqlite_sql::parse_create_index(&s);
            Ok(())
        })
        .unwrap();
}

#[test]
fn sqlite_ddl_loading_never_panics() {
    // Whatever SQLite accepts is read back through the CREATE-text reader.
    runner(800)
        .run(&sqlish(), |s| {
            let _ = schema_sync_core::source::load_sqlite_ddl(&s, "fuzz.sql", &IntrospectOptions::default());
            Ok(())
        })
        .unwrap();
}

#[test]
fn sqlite_ddl_from_a_grammar_loads_or_errors_cleanly() {
    // Valid-looking CREATE TABLEs with odd names, types and constraints: they load, and the
    // schema read back is well formed (every key column exists).
    let ident =
        prop_oneof!["[a-z]{1,6}", "\"[A-Za-z ü\"]{1,6}\"".prop_map(|s| s.replace("\"\"", "\"").replace('"', "\"\""))];
    let ty = prop::sample::select(vec![
        "",
        "INTEGER",
        "INT",
        "TEXT",
        "VARCHAR(3)",
        "NUMERIC(5, 2)",
        "BLOB",
        "DATETIME",
        "BOOLEAN",
        "weird type",
    ]);
    let col = (ident.clone(), ty, any::<bool>(), any::<bool>());
    let table = (ident, prop::collection::vec(col, 1..5), any::<bool>());
    runner(400)
        .run(&table, |(name, cols, strict)| {
            let defs: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, (n, t, nn, uq))| {
                    format!(
                        "\"c{i}{}\" {t}{}{}",
                        n.trim_matches('"'),
                        if *nn { " NOT NULL" } else { "" },
                        if *uq { " UNIQUE" } else { "" }
                    )
                })
                .collect();
            let sql = format!("CREATE TABLE {name} ({}){};", defs.join(", "), if strict { " STRICT" } else { "" });
            if let Ok(s) = schema_sync_core::source::load_sqlite_ddl(&sql, "g.sql", &IntrospectOptions::default()) {
                for t in &s.tables {
                    for u in &t.uniques {
                        prop_assert!(u.columns.iter().all(|c| t.column(c).is_some()), "{sql}: {u:?}");
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn snapshot_json_never_panics() {
    let json_ish = prop_oneof![
        any::<String>(),
        Just(r#"{"format_version":1,"tables":[{"name":"t","columns":[{"name":"a","type":{"kind":"text"},"nullable":true}]}]}"#.to_string()),
    ]
    .prop_flat_map(|base| (Just(base.clone()), 0..=base.len(), any::<String>()))
    .prop_map(|(base, cut, junk)| {
        let cut = (0..=cut).rev().find(|i| base.is_char_boundary(*i)).unwrap_or(0);
        format!("{}{junk}", &base[..cut])
    });
    runner(3000)
        .run(&json_ish, |s| {
            let _ = schema_sync_core::snapshot::from_json(&s, "fuzz.json");
            Ok(())
        })
        .unwrap();
}

#[test]
fn configuration_never_panics() {
    let toml_ish = prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop::sample::select(vec![
                "[sqlite]\n",
                "[postgres]\n",
                "[names]\n",
                "[sync]\n",
                "[models]\n",
                "[migrations]\n",
                "path = \"a.db\"\n",
                "url = { env = \"NOPE_NOT_SET\" }\n",
                "url = { env = [] }\n",
                "match = \"fold\"\n",
                "match = 3\n",
                "strategy = \"merge\"\n",
                "strategy = \"yolo\"\n",
                "ignore_tables = [\"x*\"]\n",
                "schemas = []\n",
                "dir = \"\"\n",
                "snapshot = \"s.json\"\n",
                "= =\n",
                "[[x]]\n",
                "\"\n",
            ])
            .prop_map(str::to_string),
            0..12
        )
        .prop_map(|v| v.concat()),
    ];
    runner(3000)
        .run(&toml_ish, |s| {
            let _ = schema_sync::config::Config::parse(&s, std::path::Path::new("/p"));
            Ok(())
        })
        .unwrap();
}

#[test]
fn sources_urls_and_redaction_never_panic_and_never_leak() {
    let url = (
        "(postgres|postgresql|sqlite|ftp)?(://|:|//)?",
        "[a-z]{0,4}",
        "[a-zA-Z0-9@:/?#%&=]{0,16}",
        "[a-z.]{0,8}",
        "(:[0-9a-z]{0,5})?",
        "(/[a-z]{0,4})?",
        "(\\?[a-z=&@]{0,10})?",
    )
        .prop_map(|(scheme, user, pw, host, port, path, q)| format!("{scheme}{user}:{pw}@{host}{port}{path}{q}"));
    runner(4000)
        .run(&prop_oneof![any::<String>(), url.clone()], |s| {
            let _ = schema_sync_core::source::Source::parse(&s);
            let _ = schema_sync_core::url::redact_loose(&s);
            let _ = schema_sync_core::url::redact_urls_in(&s);
            Ok(())
        })
        .unwrap();
    // A password (between the user's `:` and the last `@`) never survives redaction.
    let pw = "[A-Za-z0-9@:/?#%!]{6,14}";
    runner(4000)
        .run(&(pw, "[a-z]{1,5}", "[a-z]{1,8}"), |(pw, user, host)| {
            let secret_marker = format!("Z{pw}Z");
            let url = format!("postgres://{user}:{secret_marker}@{host}/db");
            let shown = schema_sync_core::url::redact_url(&url);
            prop_assert!(!shown.contains(&secret_marker), "{url} → {shown}");
            let shown = schema_sync_core::url::redact_urls_in(&format!("error for `{url}`: x"));
            prop_assert!(!shown.contains(&secret_marker), "{url} → {shown}");
            Ok(())
        })
        .unwrap();
}

#[test]
fn hints_splitting_expressions_and_type_texts_never_panic() {
    runner(3000)
        .run(&text(), |s| {
            let _ = schema_sync_core::hints::rename_hints(&s);
            let _ = schema_sync_core::sql::split(&s);
            let _ = schema_sync_core::sql::transaction_control(&s);
            let _ = schema_sync_core::expr::canonical(&s);
            let _ = schema_sync_core::types::postgres::parse(&s);
            let _ = schema_sync_core::types::sqlite::parse(&s);
            let _ = schema_sync_core::sql::dollar_quote(&s);
            Ok(())
        })
        .unwrap();
}

#[test]
fn rename_using_and_backfill_arguments_never_panic() {
    // The real binary on two snapshots: bad arguments are exit 2 with one line, never a panic.
    let dir = schema_sync_tests::ScratchDir::new("fuzz-args");
    let mut t = schema_sync::model::Table::new("t");
    t.columns.push(schema_sync::model::Column::new("a", schema_sync::SqlType::Text));
    let from = dir.join("from.json");
    let to = dir.join("to.json");
    schema_sync::core::snapshot::write(&from, &schema_sync::Schema { tables: vec![t.clone()], ..Default::default() })
        .unwrap();
    t.columns[0].ty = schema_sync::SqlType::BigInt;
    schema_sync::core::snapshot::write(&to, &schema_sync::Schema { tables: vec![t], ..Default::default() }).unwrap();
    let bin = schema_sync_tests::schema_sync_bin();
    let arg = prop_oneof!["[^\\x00]{0,12}", "[a-z.=]{0,12}", Just("t.a=CAST({col} AS integer)".to_string())];
    let flag = prop::sample::select(vec!["--rename", "--using", "--backfill", "--ignore-table"]);
    runner(60)
        .run(&prop::collection::vec((flag, arg), 0..3), |pairs| {
            let mut cmd = std::process::Command::new(&bin);
            cmd.args(["diff", "--format", "sql", "--from"]).arg(&from).arg("--to").arg(&to);
            for (f, v) in &pairs {
                cmd.arg(f).arg(v);
            }
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            prop_assert!(matches!(out.status.code(), Some(0..=2)), "{pairs:?}: {:?} {stderr}", out.status);
            prop_assert!(!stderr.contains("panicked"), "{pairs:?}: {stderr}");
            Ok(())
        })
        .unwrap();
}
