//! Bad input to `inspect`/`diff`/`apply`: a clear one-line error and exit code 2, never a panic,
//! never a created file, never a printed password.

use schema_sync_tests::{cli, schema_sync_bin, ScratchDir};

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let r = cli(args);
    (Some(r.code), r.stdout, r.stderr)
}

#[test]
fn bad_input_is_one_line_exit_2() {
    let scratch = ScratchDir::new("bad");
    let dir = scratch.path();
    let missing = dir.join("missing.db");
    let text = dir.join("notes.db");
    std::fs::write(&text, "this is not a database\n").unwrap();
    let snapshot = dir.join("future.json");
    std::fs::write(&snapshot, "{\"format_version\": 99, \"tables\": []}").unwrap();
    let bad_json = dir.join("broken.json");
    std::fs::write(&bad_json, "{ not json").unwrap();
    let bad_ddl = dir.join("broken.sql");
    std::fs::write(&bad_ddl, "CREATE TABLE (;").unwrap();

    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["inspect".into(), format!("sqlite:{}", missing.display())], "does not exist"),
        (vec!["inspect".into(), text.display().to_string()], "is not a SQLite database"),
        (vec!["inspect".into(), "postgres//me:hunter2@host/db".into()], "cannot tell what"),
        (
            vec!["inspect".into(), "postgres://me:hunter2@127.0.0.1:1/db".into()],
            "connecting to postgres://me:***@127.0.0.1:1/db",
        ),
        (vec!["inspect".into(), "postgres://me:hunter2@[::1:5432/db".into()], "invalid Postgres URL"),
        (vec!["inspect".into(), snapshot.display().to_string()], "unsupported format_version 99"),
        (vec!["inspect".into(), bad_json.display().to_string()], "not JSON"),
        (vec!["inspect".into(), bad_ddl.display().to_string()], "invalid DDL"),
        (vec!["inspect".into(), "ftp://example.com/x".into()], "unsupported source"),
        (
            vec![
                "diff".into(),
                "--from".into(),
                text.display().to_string(),
                "--to".into(),
                bad_ddl.display().to_string(),
            ],
            "not a SQLite database",
        ),
        (
            vec![
                "apply".into(),
                "--db".into(),
                snapshot.display().to_string(),
                "--to".into(),
                bad_ddl.display().to_string(),
            ],
            "live database",
        ),
    ];
    let _ = schema_sync_bin(); // built once, outside the timing
    for (args, want) in cases {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = std::time::Instant::now();
        let (code, stdout, stderr) = run(&argv);
        assert_eq!(code, Some(2), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{args:?}: expected `{want}` in {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: one line, got {stderr}");
        assert!(!stderr.contains("hunter2") && !stdout.contains("hunter2"), "{args:?}: password printed: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "{args:?}: bounded");
    }
    assert!(!missing.exists(), "a missing database is never created");
}
