//! Supabase migration files and the `supabase_migrations.schema_migrations` ledger.
//!
//! Files live in `supabase/migrations/<YYYYMMDDHHMMSS>_<snake_name>.sql` (14-digit UTC timestamp;
//! the Supabase CLI reads names with `^([0-9]+)_(.*)\.sql$`). [`migrate`] applies the pending ones
//! in version order, each in its own transaction under the advisory lock every schema-sync change
//! takes, and records it the way the Supabase CLI does:
//!
//! ```sql
//! CREATE SCHEMA IF NOT EXISTS supabase_migrations;
//! CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
//! ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
//! ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
//! INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ($1, $2, $3);
//! ```
//!
//! so `supabase migration list` and `supabase db push` agree with us. The same transaction
//! appends a `schema_version` row (checksum from the file's `-- schema-sync checksum:` header,
//! else of the schema the file produced).
//!
//! ```
//! use schema_sync_core::supabase::{file_name, parse_file_name, snake_name};
//! assert_eq!(snake_name("Add users!").unwrap(), "add_users");
//! assert_eq!(file_name("20240102030405", "add_users"), "20240102030405_add_users.sql");
//! assert_eq!(parse_file_name("20240102030405_add_users.sql").unwrap(), Some(("20240102030405".into(), "add_users".into())));
//! assert!(parse_file_name("add_users.sql").is_err());
//! assert_eq!(parse_file_name("README.md").unwrap(), None);
//! ```

use crate::sql::split;
use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The ledger table, qualified.
pub const LEDGER: &str = "supabase_migrations.schema_migrations";

/// Prefix of the header line carrying the checksum of the schema a file brings the database to.
pub const CHECKSUM_HEADER: &str = "-- schema-sync checksum:";

/// One migration file read from disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationFile {
    /// The digits before the first `_` (`20240102030405`).
    pub version: String,
    /// The rest of the name without `.sql` (`add_users`).
    pub name: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its statements ([`crate::sql::split()`]).
    pub statements: Vec<String>,
    /// The `-- schema-sync checksum:` header value, when the file was made by schema-sync.
    pub checksum: Option<String>,
}

/// One row of `supabase_migrations.schema_migrations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedMigration {
    /// `version`.
    pub version: String,
    /// `name` (NULL in ledgers written by old Supabase CLIs).
    pub name: Option<String>,
    /// `statements` (NULL in old ledgers: then edits cannot be detected).
    pub statements: Option<Vec<String>>,
}

/// A `snake_case` file-name part: lowercase ASCII letters and digits, runs of anything else
/// become one `_`. Fails when nothing is left.
pub fn snake_name(name: &str) -> Result<String> {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            if ch.is_ascii_uppercase() && out.chars().last().is_some_and(|c| c.is_ascii_lowercase()) {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        return Err(Error::input(format!("migration name `{name}` has no letters or digits")));
    }
    Ok(out)
}

/// `<version>_<name>.sql`.
pub fn file_name(version: &str, name: &str) -> String {
    format!("{version}_{name}.sql")
}

/// Reads a file name: `Ok(None)` for files that are not `.sql`, an error for a `.sql` file that
/// does not match `^([0-9]+)_(.*)\.sql$` (the Supabase CLI would skip it silently; we refuse,
/// because a migration nobody applies is worse than a loud error).
pub fn parse_file_name(file: &str) -> Result<Option<(String, String)>> {
    let Some(stem) = file.strip_suffix(".sql") else { return Ok(None) };
    let bad = || {
        Error::input(format!(
            "malformed migration file name `{file}`: expected <YYYYMMDDHHMMSS>_<name>.sql (digits, `_`, a name)"
        ))
    };
    let (version, name) = stem.split_once('_').ok_or_else(bad)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    Ok(Some((version.to_string(), name.to_string())))
}

/// Reads every migration of `dir`, ordered by version. Errors: the directory is missing, a
/// `.sql` file has a malformed name, two files share a version.
pub fn read_dir(dir: &Path) -> Result<Vec<MigrationFile>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::input(format!("migrations directory `{}` does not exist", dir.display()))
        } else {
            Error::io(format!("reading migrations directory `{}`", dir.display()), e)
        }
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading `{}`", dir.display()), e))?;
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((version, name)) = parse_file_name(&file)? else { continue };
        let path = entry.path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("reading migration `{}`", path.display()), e))?;
        files.push(MigrationFile { version, name, statements: split(&text), checksum: header_checksum(&text), path });
    }
    files.sort_by(|a, b| (a.version.len(), &a.version).cmp(&(b.version.len(), &b.version)));
    for w in files.windows(2) {
        if w[0].version == w[1].version {
            return Err(Error::input(format!(
                "two migrations share version {}: `{}` and `{}`",
                w[0].version,
                w[0].path.display(),
                w[1].path.display()
            )));
        }
    }
    Ok(files)
}

fn header_checksum(text: &str) -> Option<String> {
    text.lines()
        .take_while(|l| l.starts_with("--") || l.trim().is_empty())
        .find_map(|l| l.strip_prefix(CHECKSUM_HEADER))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The 14-digit UTC timestamp (`YYYYMMDDHHMMSS`) of `secs` since the Unix epoch.
///
/// ```
/// assert_eq!(schema_sync_core::supabase::timestamp(0), "19700101000000");
/// assert_eq!(schema_sync_core::supabase::timestamp(951_782_400), "20000229000000");
/// ```
pub fn timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Seconds since the epoch of a 14-digit timestamp, when it is one.
pub fn parse_timestamp(ts: &str) -> Option<u64> {
    if ts.len() != 14 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| ts[r].parse::<i64>().ok();
    let (y, mo, d, h, mi, s) = (n(0..4)?, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?);
    let days = days_from_civil(y, mo, d);
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + s).ok()
}

/// The version for a new migration made at `now` (seconds since the epoch): its timestamp, or
/// one second after the newest existing version when that is not older, so versions strictly
/// increase even when two migrations are made within one second.
pub fn next_version(now: u64, existing: &[String]) -> String {
    let newest = existing.iter().filter_map(|v| parse_timestamp(v)).max();
    match newest {
        Some(n) if n >= now => timestamp(n + 1),
        _ => timestamp(now),
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What goes at the top of a generated migration.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// The migration's name as given.
    pub title: String,
    /// Where the database is (`--from`, secrets removed).
    pub from: String,
    /// Where it goes (`--to`).
    pub to: String,
    /// The changes, one per line ([`crate::diff::render_text`]).
    pub changes: String,
    /// Hazards, `CODE: sentence`.
    pub hazards: Vec<String>,
    /// Checksum of the target schema (recorded in `schema_version` when applied).
    pub checksum: Option<String>,
}

/// The text of a migration file: the header as `--` comments, then one statement per
/// paragraph, each ending with `;`.
pub fn file_text(header: &Header, statements: &[String]) -> String {
    let mut s =
        format!("-- Migration: {}\n-- Generated by schema-sync: {} -> {}\n", header.title, header.from, header.to);
    if let Some(c) = &header.checksum {
        s.push_str(&format!("{CHECKSUM_HEADER} {c}\n"));
    }
    s.push_str("--\n-- Changes:\n");
    for l in header.changes.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("--   {l}\n"));
    }
    if !header.hazards.is_empty() {
        s.push_str("--\n-- Hazards:\n");
        for h in &header.hazards {
            s.push_str(&format!("--   {h}\n"));
        }
    }
    s.push('\n');
    for st in statements {
        s.push_str(st.trim_end_matches(';'));
        s.push_str(";\n\n");
    }
    s
}

/// Writes a new migration into `dir` (created when missing) with a version from
/// [`next_version`]; returns its path. Never overwrites a file.
pub fn write_new(dir: &Path, name: &str, header: &Header, statements: &[String], now: u64) -> Result<PathBuf> {
    let snake = snake_name(name)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating `{}`", dir.display()), e))?;
    let existing: Vec<String> = read_dir(dir)?.into_iter().map(|f| f.version).collect();
    let version = next_version(now, &existing);
    let path = dir.join(file_name(&version, &snake));
    let text = file_text(&Header { title: name.to_string(), ..header.clone() }, statements);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(format!("creating `{}`", path.display()), e))?;
    std::io::Write::write_all(&mut f, text.as_bytes())
        .map_err(|e| Error::io(format!("writing `{}`", path.display()), e))?;
    Ok(path)
}

/// Migrations folder vs ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Versions of files not yet recorded, in order.
    pub pending: Vec<String>,
    /// Versions recorded with no file.
    pub unknown: Vec<String>,
    /// Versions recorded whose file's statements differ from the recorded ones.
    pub edited: Vec<String>,
}

impl Reconciliation {
    /// `true` when folder and ledger agree.
    pub fn is_clean(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && self.edited.is_empty()
    }
}

/// Compares files with ledger rows. Pure.
pub fn reconcile(files: &[MigrationFile], applied: &[AppliedMigration]) -> Reconciliation {
    let mut r = Reconciliation::default();
    for f in files {
        match applied.iter().find(|a| a.version == f.version) {
            None => r.pending.push(f.version.clone()),
            Some(a) => {
                if a.statements.as_ref().is_some_and(|s| *s != f.statements) {
                    r.edited.push(f.version.clone());
                }
            }
        }
    }
    for a in applied {
        if !files.iter().any(|f| f.version == a.version) {
            r.unknown.push(a.version.clone());
        }
    }
    r
}

/// Options for [`migrate`].
#[derive(Debug, Clone, Default)]
pub struct MigrateOptions {
    /// List what would run; change nothing.
    pub dry_run: bool,
    /// Also apply pending files dated before the newest applied one (the Supabase CLI's
    /// `--include-all`). Off: such files are refused, since they were probably written on a
    /// branch and their order against what is applied is unknown.
    pub include_all: bool,
    /// Lock budget of each file: its transaction runs under `lock_timeout` (a file's own
    /// `SET lock_timeout` wins for the statements after it) and, when a lock is not available,
    /// is rolled back and retried with backoff; a file run statement by statement gets the
    /// limits per statement and no retry. Default: [`crate::apply::LockBudget::default`].
    pub budget: crate::apply::LockBudget,
}

impl MigrationFile {
    /// The statements to run inside the one transaction the file gets: a `BEGIN` … `COMMIT`
    /// wrapper around the whole file is dropped (the transaction is ours); any other
    /// transaction control is refused, because a `COMMIT` in the middle would leave the file
    /// half-applied and unrecorded.
    pub fn runnable(&self) -> Result<&[String]> {
        let starts = |s: &str, words: &[&str]| {
            let first: Vec<String> =
                s.split_whitespace().take(2).map(|w| w.trim_end_matches(';').to_ascii_uppercase()).collect();
            words.iter().any(|w| {
                let want: Vec<&str> = w.split(' ').collect();
                first.iter().map(String::as_str).take(want.len()).eq(want.iter().copied())
            })
        };
        let mut body: &[String] = &self.statements;
        if let (Some(first), Some(last)) = (body.first(), body.last()) {
            if body.len() >= 2 && starts(first, &["BEGIN", "START TRANSACTION"]) && starts(last, &["COMMIT", "END"]) {
                body = &body[1..body.len() - 1];
            }
        }
        if let Some((n, s)) = body.iter().enumerate().find(|(_, s)| crate::sql::transaction_control(s)) {
            return Err(Error::input(format!(
                "migration {}: statement {} `{}` controls the transaction; schema-sync runs each file in one \
                 transaction of its own (only a BEGIN … COMMIT around the whole file is accepted)",
                file_name(&self.version, &self.name),
                n + 1,
                crate::sql::short(s)
            )));
        }
        Ok(body)
    }
}

/// Pending versions older than the newest applied one (out of order), oldest first.
pub fn out_of_order(applied: &[AppliedMigration], pending: &[String]) -> Vec<String> {
    let newest = applied.iter().map(|a| (a.version.len(), a.version.as_str())).max();
    pending.iter().filter(|v| newest.is_some_and(|n| (v.len(), v.as_str()) < n)).cloned().collect()
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MigrateReport {
    /// Versions applied by this run (with `dry_run`: that would be applied).
    pub applied: Vec<String>,
    /// Versions another run applied while this one waited for the lock.
    pub skipped: Vec<String>,
    /// The folder-vs-ledger state found before starting.
    pub before: Reconciliation,
}

/// Progress of [`migrate`], for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// About to apply this file (index among the pending ones, count of pending ones).
    Start(&'a MigrationFile, usize, usize),
    /// Done with it.
    Done(&'a MigrationFile),
}

#[cfg(feature = "postgres")]
mod ledger;
mod new_migration;
#[cfg(feature = "postgres")]
pub use ledger::{applied, migrate};
pub use new_migration::{plan_migration, write_migration, MigrationPlan};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for (input, want) in [
            ("add users", "add_users"),
            ("AddUsers", "add_users"),
            ("  --weird__Name 2 ", "weird_name_2"),
            ("créer table", "cr_er_table"),
        ] {
            assert_eq!(snake_name(input).unwrap(), want, "{input}");
        }
        assert!(snake_name("!!").is_err());
        for bad in ["x_y.sql", "_y.sql", "123.sql", "12a_b.sql"] {
            assert!(parse_file_name(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_file_name("1_.sql").unwrap(), Some(("1".into(), String::new())));
    }

    #[test]
    fn timestamps_round_trip_and_increase() {
        for secs in [0u64, 951_782_400, 1_700_000_000, 4_102_444_799] {
            assert_eq!(parse_timestamp(&timestamp(secs)), Some(secs));
        }
        assert_eq!(timestamp(1_700_000_000), "20231114221320");
        let now = 1_700_000_000;
        let first = next_version(now, &[]);
        let second = next_version(now, std::slice::from_ref(&first));
        let third = next_version(now, &[first.clone(), second.clone()]);
        assert!(first < second && second < third, "{first} {second} {third}");
        assert_eq!(next_version(now, &["20231114225959".into()]), "20231114230000");
        assert_eq!(next_version(now, &["20200101000000".into()]), first);
    }

    #[test]
    fn header_and_reconcile() {
        let h = Header { checksum: Some("abc".into()), changes: "+ table t".into(), ..Default::default() };
        let text = file_text(&h, &["CREATE TABLE t (id int)".into()]);
        assert_eq!(header_checksum(&text).as_deref(), Some("abc"));
        assert_eq!(split(&text), vec!["CREATE TABLE t (id int)"]);
        let f = |v: &str, s: &str| MigrationFile {
            version: v.into(),
            name: "n".into(),
            path: PathBuf::new(),
            statements: vec![s.into()],
            checksum: None,
        };
        let a = |v: &str, s: &str| AppliedMigration { version: v.into(), name: None, statements: Some(vec![s.into()]) };
        let r = reconcile(&[f("1", "a"), f("2", "b"), f("3", "c")], &[a("1", "a"), a("2", "x"), a("9", "z")]);
        assert_eq!(r.pending, vec!["3"]);
        assert_eq!(r.edited, vec!["2"]);
        assert_eq!(r.unknown, vec!["9"]);
    }
}
