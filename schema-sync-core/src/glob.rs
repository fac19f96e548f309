//! Shell-style patterns: `*` (any run of characters), `?` (one character) and, in paths, `**`
//! (any number of directories). Used for ignored tables, tenant schemas (`tenant_*`) and fleet
//! file targets (`'shards/*.db'`, expanded by schema-sync rather than the shell, so a fleet of
//! 100,000 files does not hit the argument-length limit). A leaf: it imports no stage.
//!
//! ```
//! use schema_sync_core::glob::{is_pattern, matches};
//! assert!(matches("tenant_*", "tenant_0042"));
//! assert!(matches("audit_?", "audit_1"));
//! assert!(!matches("audit_?", "audit_log"));
//! assert!(is_pattern("shards/*.db") && !is_pattern("shards/a.db"));
//! ```

use std::path::{Component, Path, PathBuf};

/// `true` when `text` holds a wildcard (`*` or `?`).
pub fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// Whether `name` matches `pattern` as a whole. Linear in the input (no backtracking blow-up on
/// `*a*a*a*…`): the classic two-pointer match that remembers only the last `*`.
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The files a path pattern names, sorted. Components without wildcards are taken as they are;
/// a component with `*`/`?` matches the entries of its directory (names starting with `.` only
/// when the pattern does); `**` matches any number of directories. Only regular files are
/// returned, and symlinked directories are not followed by `**` (no cycles).
pub fn expand_paths(pattern: &str) -> std::io::Result<Vec<PathBuf>> {
    let path = Path::new(pattern);
    let mut roots = vec![PathBuf::new()];
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Prefix(p) => roots = vec![PathBuf::from(p.as_os_str())],
            Component::RootDir => roots[0].push(Component::RootDir.as_os_str()),
            Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let mut out = Vec::new();
    for root in roots {
        walk(&root, &parts, &mut out)?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, parts: &[String], out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let Some((first, rest)) = parts.split_first() else {
        if dir.is_file() {
            out.push(dir.to_path_buf());
        }
        return Ok(());
    };
    let here = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    if first == "**" {
        walk(dir, rest, out)?;
        for entry in read_dir(here)? {
            if entry.1 {
                walk(&dir.join(&entry.0), parts, out)?;
            }
        }
        return Ok(());
    }
    if !is_pattern(first) {
        let next = dir.join(first);
        if rest.is_empty() || next.is_dir() {
            walk(&next, rest, out)?;
        }
        return Ok(());
    }
    for (name, is_dir) in read_dir(here)? {
        if name.starts_with('.') && !first.starts_with('.') {
            continue;
        }
        if matches(first, &name) && (rest.is_empty() || is_dir) {
            walk(&dir.join(&name), rest, out)?;
        }
    }
    Ok(())
}

/// Entry names of `dir` with "is a real directory" (not a symlink to one); a directory that
/// does not exist has none.
fn read_dir(dir: &Path) -> std::io::Result<Vec<(String, bool)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        out.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_whole_names() {
        for (p, n, want) in [
            ("*", "", true),
            ("*", "abc", true),
            ("a*c", "abbbc", true),
            ("a*c", "abcd", false),
            ("?", "", false),
            ("t_??", "t_12", true),
            ("*_idx", "users_email_idx", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXcYb", false),
            ("tenant_*", "tenant_", true),
            ("tenant_*", "tenants", false),
        ] {
            assert_eq!(matches(p, n), want, "{p} vs {n}");
        }
    }

    #[test]
    fn pathological_patterns_are_linear() {
        let name = "a".repeat(5_000);
        let pattern = format!("{}b", "*a".repeat(200));
        let t = std::time::Instant::now();
        assert!(!matches(&pattern, &name));
        assert!(t.elapsed().as_secs() < 2);
    }

    #[test]
    fn expands_files_by_component_and_double_star() {
        let dir = std::env::temp_dir().join(format!("ss-glob-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in ["a/1.db", "a/2.db", "a/x.txt", "b/c/3.db", "a/.hidden.db"] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"").unwrap();
        }
        let root = dir.display().to_string();
        let names = |pat: &str| -> Vec<String> {
            expand_paths(&format!("{root}/{pat}"))
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(names("a/*.db"), ["a/1.db", "a/2.db"]);
        assert_eq!(names("*/*.db"), ["a/1.db", "a/2.db"]);
        assert_eq!(names("**/*.db"), ["a/1.db", "a/2.db", "b/c/3.db"]);
        assert_eq!(names("a/.*.db"), ["a/.hidden.db"]);
        assert!(names("nope/*.db").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
