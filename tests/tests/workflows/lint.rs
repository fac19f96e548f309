//! `schema-sync lint`: a corpus of hand-written migrations, bad (each names the rules it must
//! trip, in a `-- expect:` first line) and good (no findings), through the library and the CLI;
//! and the context a directory of files shares.

use crate::{cli, ScratchDir};
use schema_sync::core::lint::{lint_paths, lint_sql, RULES};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lint").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn every_bad_migration_trips_exactly_its_rules_and_every_good_one_is_clean() {
    let (bad, good) = (corpus("bad"), corpus("good"));
    assert!(bad.len() + good.len() >= 30, "a corpus of at least 30 migrations");
    let mut tripped = BTreeSet::new();
    for f in &bad {
        let text = std::fs::read_to_string(f).unwrap();
        let want: BTreeSet<&str> =
            text.lines().next().unwrap().strip_prefix("-- expect: ").unwrap().split(',').map(str::trim).collect();
        let found = lint_sql(&text, &f.display().to_string());
        let got: BTreeSet<&str> = found.iter().map(|x| x.rule).collect();
        assert_eq!(got, want, "{}: {found:#?}", f.display());
        assert!(found.iter().all(|x| x.line >= 2), "the expect line is not a statement: {found:?}");
        tripped.extend(got);
    }
    let all: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(tripped, all, "every rule has a bad example");
    for f in &good {
        let text = std::fs::read_to_string(f).unwrap();
        assert_eq!(lint_sql(&text, "good.sql"), vec![], "{}", f.display());
    }
}

#[test]
fn a_directory_is_read_in_order_and_earlier_files_count() {
    let dir = ScratchDir::new("lint-dir");
    let write = |name: &str, sql: &str| std::fs::write(dir.join(name), sql).unwrap();
    // The table is new in the file that creates it, and existing (with rows) in the next.
    write("001_create.sql", "CREATE TABLE t (id bigint PRIMARY KEY, a int);\nCREATE INDEX t_a ON t (a);\n");
    write("002_index.sql", "SET lock_timeout = '1s';\nCREATE INDEX t_a2 ON t (a);\n");
    // NOT NULL the online way, over three files.
    write(
        "003_check.sql",
        "SET lock_timeout = '1s';\nALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;\n",
    );
    write("004_validate.sql", "ALTER TABLE t VALIDATE CONSTRAINT a_nn;\n");
    write("005_not_null.sql", "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n");
    write("notes.txt", "CREATE INDEX ignored ON t (a);");
    let found = lint_paths(&[dir.path().to_path_buf()]).unwrap();
    let got: Vec<(String, usize, &str)> = found
        .iter()
        .map(|f| (PathBuf::from(&f.file).file_name().unwrap().to_string_lossy().into_owned(), f.line, f.rule))
        .collect();
    assert_eq!(got, [("002_index.sql".to_string(), 2, "SS002")]);
}

#[test]
fn the_cli_prints_one_finding_a_line_or_json_and_exits_by_the_result() {
    let bad = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lint").join("bad");
    let good = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lint").join("good");
    let r = cli(&["lint", bad.join("01_index_plain.sql").to_str().unwrap()]).expect(1);
    let line = r.stdout.lines().next().unwrap();
    assert!(line.ends_with("use CREATE INDEX CONCURRENTLY (in a file of its own)"), "{line}");
    assert!(line.contains("01_index_plain.sql:3: SS002 index-not-concurrent:"), "{line}");
    let r = cli(&["lint", "--format", "json", good.to_str().unwrap()]).expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    let r = cli(&["lint", "--format", "json", bad.to_str().unwrap()]).expect(1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let n = v["findings"].as_array().unwrap().len();
    assert!(n >= 25, "{n}");
    assert!(v["findings"][0]["rule"].as_str().unwrap().starts_with("SS"));
    let r = cli(&["lint", "/nonexistent/migrations.sql"]).expect(2);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}
