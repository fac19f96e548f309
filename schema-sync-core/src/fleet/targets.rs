//! `TARGET` arguments → the databases of a fleet.

use crate::url::redact_loose;
use crate::{Error, Result};
use std::collections::HashSet;
use std::path::PathBuf;

/// A fleet member as given: a SQLite file, or a Postgres database with the schema patterns
/// that select its tenants (matched when it is connected to).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetSpec {
    /// A SQLite file (need not exist: a missing file is reported, not fatal).
    Sqlite(PathBuf),
    /// A Postgres database.
    Postgres {
        /// The URL.
        url: String,
        /// Schema names or patterns (`tenant_*`); empty: the database's `public` schema.
        schemas: Vec<String>,
    },
}

/// Parses `TARGET` arguments:
///
/// * a path (`shards/a.db`, `sqlite:shards/a.db`);
/// * a glob (`'shards/*.db'`, `'fleet/**/*.sqlite'`), expanded here (sorted) so the shell's
///   argument limit does not cap a fleet; a glob that matches nothing is an error;
/// * `@FILE`: one target a line (blank lines and `#` comments skipped);
/// * a Postgres URL: with `schema_patterns` (`--schema 'tenant_*'`, repeatable) each matching
///   schema is a target; without, the database itself.
///
/// Duplicates are dropped; the order given is kept (it decides which targets are canaries).
pub fn parse_targets(args: &[String], schema_patterns: &[String]) -> Result<Vec<TargetSpec>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for arg in args {
        if let Some(list) = arg.strip_prefix('@') {
            let text =
                std::fs::read_to_string(list).map_err(|e| Error::io(format!("reading the target list `{list}`"), e))?;
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                if line.starts_with('@') {
                    return Err(Error::input(format!("target list `{list}` names another list (`{line}`)")));
                }
                one(line, schema_patterns, &mut out, &mut seen)?;
            }
        } else {
            one(arg, schema_patterns, &mut out, &mut seen)?;
        }
    }
    if out.is_empty() {
        return Err(Error::input("no targets: give SQLite paths or globs, @FILE, or a Postgres URL"));
    }
    if !schema_patterns.is_empty() && !out.iter().any(|t| matches!(t, TargetSpec::Postgres { .. })) {
        return Err(Error::input(
            "schema patterns select tenant schemas of a Postgres target, and no target is a Postgres URL",
        ));
    }
    Ok(out)
}

fn one(arg: &str, patterns: &[String], out: &mut Vec<TargetSpec>, seen: &mut HashSet<TargetSpec>) -> Result<()> {
    let mut push = |t: TargetSpec| {
        if seen.insert(t.clone()) {
            out.push(t);
        }
    };
    let lower = arg.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        push(TargetSpec::Postgres { url: arg.to_string(), schemas: patterns.to_vec() });
        return Ok(());
    }
    if lower.contains("://") {
        return Err(Error::input(format!(
            "unsupported target {}: expected a SQLite path or glob, @FILE, or a postgres:// URL",
            redact_loose(arg)
        )));
    }
    let path = arg.strip_prefix("sqlite:").map(|p| p.strip_prefix("//").unwrap_or(p)).unwrap_or(arg);
    if path.is_empty() {
        return Err(Error::input("empty target"));
    }
    if !crate::glob::is_pattern(path) {
        push(TargetSpec::Sqlite(PathBuf::from(path)));
        return Ok(());
    }
    let files = crate::glob::expand_paths(path).map_err(|e| Error::io(format!("expanding `{path}`"), e))?;
    if files.is_empty() {
        return Err(Error::input(format!("no file matches `{path}`")));
    }
    for f in files {
        push(TargetSpec::Sqlite(f));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_paths_lists_and_errors() {
        let dir = std::env::temp_dir().join(format!("ss-targets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["b.db", "a.db"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let list = dir.join("list.txt");
        std::fs::write(&list, format!("# fleet\n{}\n\n{}/b.db\n", dir.join("a.db").display(), dir.display())).unwrap();
        let glob = format!("{}/*.db", dir.display());
        let got = parse_targets(&[glob, format!("@{}", list.display()), "x/c.db".into()], &[]).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|t| match t {
                TargetSpec::Sqlite(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["a.db", "b.db", "c.db"], "sorted glob first, duplicates from the list dropped");

        let pg = parse_targets(&["postgres://u:p@h/db".into()], &["tenant_*".into()]).unwrap();
        assert_eq!(pg, [TargetSpec::Postgres { url: "postgres://u:p@h/db".into(), schemas: vec!["tenant_*".into()] }]);

        let err = |args: &[&str], pats: &[&str]| {
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            let pats: Vec<String> = pats.iter().map(|s| s.to_string()).collect();
            parse_targets(&args, &pats).unwrap_err().to_string()
        };
        assert!(err(&[&format!("{}/*.nope", dir.display())], &[]).contains("no file matches"));
        assert!(err(&["mysql://u:secret@h/db"], &[]).contains("unsupported target"));
        assert!(!err(&["mysql://u:secret@h/db"], &[]).contains("secret"));
        assert!(err(&["a.db"], &["t_*"]).contains("schema patterns"));
        assert!(err(&["@/nonexistent/list"], &[]).contains("target list"));
        assert!(err(&[], &[]).contains("no targets"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
