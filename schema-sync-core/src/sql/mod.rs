//! The shared SQL vocabulary: quoting identifiers and literals, qualified names, and splitting a
//! script into statements. A leaf module: every stage may import it, it imports no stage.
//!
//! ```
//! use schema_sync_core::sql::{qualified, quote_ident, quote_literal};
//! assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
//! assert_eq!(quote_literal("it's"), "'it''s'");
//! assert_eq!(qualified(Some("app"), "users"), "\"app\".\"users\"");
//! ```

pub mod body;
pub mod split;

pub use body::{collapse, identifiers, parenthesizable, requalify, split_view, sqlite_statements, unquote_ident};
pub use split::{split, split_located, Located};

/// Quotes an identifier the way both SQLite and Postgres accept: `"name"` with inner quotes
/// doubled. Always quotes, so reserved words, mixed case, spaces and unicode round-trip.
///
/// ```
/// use schema_sync_core::sql::quote_ident;
/// assert_eq!(quote_ident("users"), "\"users\"");
/// assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
/// ```
pub fn quote_ident(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push('"');
    for ch in name.chars() {
        if ch == '"' {
            s.push('"');
        }
        s.push(ch);
    }
    s.push('"');
    s
}

/// Quotes a string literal: `'it''s'`.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `"schema"."name"` or `"name"`.
pub fn qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(name)),
        None => quote_ident(name),
    }
}

/// `'a', 'b', 'c'` — values as SQL literals (an enum's labels).
pub fn literal_list(values: &[String]) -> String {
    values.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", ")
}

/// Comma-separated quoted identifiers.
pub fn ident_list<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| quote_ident(n.as_ref())).collect::<Vec<_>>().join(", ")
}

/// A dollar-quoted string literal (`$ss$…$ss$`) whose tag does not occur in `body`, so nothing
/// in it (identifiers included) can end the literal early.
///
/// ```
/// use schema_sync_core::sql::dollar_quote;
/// assert_eq!(dollar_quote("SELECT 1"), "$ss$SELECT 1$ss$");
/// assert_eq!(dollar_quote("x $ss$ y"), "$ss1$x $ss$ y$ss1$");
/// ```
pub fn dollar_quote(body: &str) -> String {
    let mut tag = "$ss$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$ss{n}$");
    }
    format!("{tag}{body}{tag}")
}

/// `true` when `statement` (one statement of [`split()`]) controls the transaction it runs in:
/// `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK` (not `ROLLBACK TO` a savepoint),
/// `ABORT`, `PREPARE TRANSACTION`, `COMMIT PREPARED`, `ROLLBACK PREPARED`. Such a statement
/// inside a file schema-sync runs in its own transaction would commit part of the file early.
///
/// ```
/// use schema_sync_core::sql::transaction_control;
/// assert!(transaction_control("begin"));
/// assert!(transaction_control("COMMIT AND CHAIN"));
/// assert!(!transaction_control("ROLLBACK TO SAVEPOINT a"));
/// assert!(!transaction_control("CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql"));
/// ```
pub fn transaction_control(statement: &str) -> bool {
    let words: Vec<String> = statement.split_whitespace().take(2).map(|w| w.to_ascii_uppercase()).collect();
    let first = words.first().map(|w| w.trim_end_matches(';')).unwrap_or("");
    let second = words.get(1).map(String::as_str).unwrap_or("");
    match first {
        "BEGIN" | "COMMIT" | "END" | "ABORT" => true,
        "START" | "PREPARE" => second.starts_with("TRANSACTION"),
        "ROLLBACK" => !second.starts_with("TO"),
        _ => false,
    }
}

/// `true` for a statement Postgres refuses inside a transaction block (`CREATE INDEX
/// CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`, `VACUUM`, `ALTER
/// SYSTEM`, `CREATE DATABASE`): a migration file holding one runs statement by statement.
/// Leading `--` comment lines are skipped.
pub fn runs_outside_transaction(statement: &str) -> bool {
    let body: String = statement
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<String> = body
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .take(4)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    match word(0) {
        "VACUUM" => true,
        "ALTER" => word(1) == "SYSTEM",
        "CREATE" if word(1) == "DATABASE" => true,
        "CREATE" | "DROP" | "REINDEX" => words.iter().any(|w| w == "CONCURRENTLY"),
        _ => false,
    }
}

/// `name` cut to Postgres' identifier limit (63 bytes); a cut name ends in a hash of the
/// whole, so two long names never collide. For names schema-sync makes up.
pub fn fit_name(name: &str) -> String {
    const NAME_MAX: usize = 63;
    if name.len() <= NAME_MAX {
        return name.to_string();
    }
    let hash = format!("_{:08x}", stable_hash(name.as_bytes()) as u32);
    let mut cut = NAME_MAX - hash.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{hash}", &name[..cut])
}

/// The name Postgres gives an object it names itself (`makeObjectName`): `name1_name2_label`,
/// where the longer of `name1` and `name2` is shortened first until the whole fits in 63
/// bytes (never inside a character). `users_email_key` for `UNIQUE (email)` on `users`,
/// `users_pkey` (no `name2`) for its primary key. Postgres appends a number when the name is
/// taken; that case is not predicted.
pub fn pg_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    const NAME_MAX: usize = 63;
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let avail = NAME_MAX.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    match name2 {
        Some(n) => format!("{}_{}_{label}", clip(name1, n1), clip(n, n2)),
        None => format!("{}_{label}", clip(name1, n1)),
    }
}

/// FNV-1a: a stable hash for made-up names (never changes between versions or runs).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// One line of at most 160 characters of a SQL text, for error messages.
pub fn short(sql: &str) -> String {
    let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 160 {
        format!("{}…", one_line.chars().take(160).collect::<String>())
    } else {
        one_line
    }
}
