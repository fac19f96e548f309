//! Splitting a SQL script into statements, the way Postgres reads it.
//!
//! A `;` ends a statement only outside string literals (`'it''s'`, `E'\''`), quoted identifiers
//! (`"a;b"`), dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`) and comments (`-- …`, nested
//! `/* … */`). Each statement comes back trimmed, without its `;` and without the comments and
//! blank lines that precede it; a piece holding only comments is not a statement. This is what
//! `supabase_migrations.schema_migrations.statements` stores, one element per statement.
//!
//! ```
//! use schema_sync_core::sql::split;
//! let s = split("-- header\nCREATE TABLE \"a;b\" (x text DEFAULT ';');\nSELECT $$;$$;");
//! assert_eq!(s, vec!["CREATE TABLE \"a;b\" (x text DEFAULT ';')", "SELECT $$;$$"]);
//! ```

/// Splits `sql` into statements (trimmed, no trailing `;`, leading comments removed).
pub fn split(sql: &str) -> Vec<String> {
    split_located(sql).into_iter().map(|s| s.sql).collect()
}

/// One statement of [`split_located`]: where it starts and the comments just before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The statement, as [`split`] returns it.
    pub sql: String,
    /// Byte offset of its first character in the text.
    pub offset: usize,
    /// The comments between the previous statement and this one, as written.
    pub comments: String,
}

impl Located {
    /// Its 1-based line number in `text` (the text it was split from).
    pub fn line(&self, text: &str) -> usize {
        text.as_bytes()[..self.offset.min(text.len())].iter().filter(|&&c| c == b'\n').count() + 1
    }
}

/// [`split`], keeping each statement's position and leading comments (for linting).
pub fn split_located(sql: &str) -> Vec<Located> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                // E'…' strings take backslash escapes; standard strings only ''.
                let escapes = i > 0 && matches!(b[i - 1], b'e' | b'E') && !is_ident_byte(b.get(i.wrapping_sub(2)));
                i = skip_quoted(b, i + 1, b'\'', escapes);
            }
            b'"' => i = skip_quoted(b, i + 1, b'"', false),
            b'-' if b.get(i + 1) == Some(&b'-') => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => i = skip_block(b, i),
            b'$' => match dollar_tag(b, i) {
                Some(tag) => {
                    let body = i + tag.len();
                    i = find(b, body, tag).map(|p| p + tag.len()).unwrap_or(b.len());
                }
                None => i += 1,
            },
            b';' => {
                push(&mut out, sql, start, i);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(&mut out, sql, start, sql.len());
    out
}

pub(super) fn is_ident_byte(b: Option<&u8>) -> bool {
    b.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
}

/// Index just past the closing quote of a literal whose body starts at `i`.
pub(super) fn skip_quoted(b: &[u8], mut i: usize, quote: u8, backslash: bool) -> usize {
    while i < b.len() {
        if backslash && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

pub(super) fn skip_line(b: &[u8], i: usize) -> usize {
    find(b, i, b"\n").map(|p| p + 1).unwrap_or(b.len())
}

/// Block comments nest in Postgres.
pub(super) fn skip_block(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// `$tag$` starting at `i`, if this `$` opens a dollar quote (not `$1` nor part of a name).
pub(super) fn dollar_tag(b: &[u8], i: usize) -> Option<&[u8]> {
    if i > 0 && is_ident_byte(b.get(i - 1)) {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
        j += 1;
    }
    if j < b.len() && b[j] == b'$' && !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        Some(&b[i..=j])
    } else {
        None
    }
}

pub(super) fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Adds `text[start..end]` without its leading comments and whitespace, unless nothing is left.
fn push(out: &mut Vec<Located>, text: &str, start: usize, end: usize) {
    let piece = &text[start..end];
    let b = piece.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"--") {
            i = skip_line(b, i);
        } else if b[i..].starts_with(b"/*") {
            i = skip_block(b, i);
        } else {
            break;
        }
    }
    let rest = piece[i..].trim_end();
    if !rest.is_empty() {
        out.push(Located { sql: rest.to_string(), offset: start + i, comments: piece[..i].trim().to_string() });
    }
}

#[cfg(test)]
mod tests {
    use super::{split, split_located};

    #[test]
    fn located_statements_keep_their_line_and_comments() {
        let text = "SET x = 1;\n\n-- why\n/* allow */\nALTER TABLE t\n  ADD c int;";
        let s = split_located(text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line(text), s[0].comments.as_str()), (1, ""));
        assert_eq!(s[1].line(text), 5);
        assert_eq!(s[1].comments, "-- why\n/* allow */");
        assert_eq!(s[1].sql, "ALTER TABLE t\n  ADD c int");
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("  ;\n; -- only a comment\n/* and a block */", &[]),
            ("SELECT 1", &["SELECT 1"]),
            ("SELECT 1;SELECT 2;", &["SELECT 1", "SELECT 2"]),
            ("select 'a;b', 'it''s;';", &["select 'a;b', 'it''s;'"]),
            ("select E'\\';', 2; select 3", &["select E'\\';', 2", "select 3"]),
            ("select 'x\\'; select 2", &["select 'x\\'", "select 2"]),
            ("create table \"a;\"\"b\" (x int);", &["create table \"a;\"\"b\" (x int)"]),
            (
                "create function f() returns int as $$ select 1; $$ language sql; select 2",
                &["create function f() returns int as $$ select 1; $$ language sql", "select 2"],
            ),
            ("do $body$ begin perform '$$;'; end $body$; x", &["do $body$ begin perform '$$;'; end $body$", "x"]),
            ("select $1; select a$b; select 2", &["select $1", "select a$b", "select 2"]),
            ("-- a;\nselect 1 -- trailing; comment\n;", &["select 1 -- trailing; comment"]),
            ("/* outer /* inner; */ still; */ select 1; select 2", &["select 1", "select 2"]),
            ("select 1 /* mid; */ + 2;", &["select 1 /* mid; */ + 2"]),
            ("insert into t values ('unterminated;", &["insert into t values ('unterminated;"]),
            ("select 'é;ü'; select \"ñ\"", &["select 'é;ü'", "select \"ñ\""]),
        ];
        for (input, want) in cases {
            assert_eq!(split(input), *want, "input: {input:?}");
        }
    }
}
