//! SQL bodies kept as text (view queries, trigger statements): the pieces of such a text, its
//! canonical spacing, the names it mentions, and moving its qualifier to another schema. A
//! scanner, not a parser: string literals, quoted identifiers, dollar quotes and comments are
//! recognised so nothing inside them is ever touched.

use super::split::{dollar_tag, find, is_ident_byte, skip_block, skip_line, skip_quoted};
use std::collections::BTreeSet;

/// One lexical piece of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Space,
    Comment,
    /// A string literal or dollar-quoted string.
    Literal,
    /// `"name"` (or SQLite's `` `name` `` / `[name]`).
    Quoted,
    Word,
    Other,
}

/// Splits `text` into `(piece, start, end)` byte ranges covering it entirely.
fn pieces(text: &str) -> Vec<(Piece, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            c if c.is_ascii_whitespace() => {
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                Piece::Space
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = skip_line(b, i);
                Piece::Comment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block(b, i);
                Piece::Comment
            }
            b'\'' => {
                let backslash =
                    i > 0 && (b[i - 1] == b'E' || b[i - 1] == b'e') && !is_ident_byte(b.get(i.wrapping_sub(2)));
                i = skip_quoted(b, i + 1, b'\'', backslash);
                Piece::Literal
            }
            b'"' | b'`' => {
                i = skip_quoted(b, i + 1, b[i], false);
                Piece::Quoted
            }
            b'[' if bracket_is_quote(text, &out, i) => {
                i = find(b, i, b"]").map(|p| p + 1).unwrap_or(b.len());
                Piece::Quoted
            }
            b'$' => match dollar_tag(b, i) {
                Some(tag) => {
                    let tag = tag.to_vec();
                    i = find(b, i + tag.len(), &tag).map(|p| p + tag.len()).unwrap_or(b.len());
                    Piece::Literal
                }
                None => {
                    i += 1;
                    Piece::Other
                }
            },
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < b.len() && (is_ident_byte(b.get(i)) || b[i] == b'$') {
                    i += 1;
                }
                Piece::Word
            }
            _ => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Piece::Other
            }
        };
        out.push((kind, start, i));
    }
    out
}

/// SQLite's `[name]` quoting, told apart from Postgres `ARRAY[…]` and subscripts: it follows
/// whitespace, `,`, `(` or `.` (or starts the text), and not the word `ARRAY`.
fn bracket_is_quote(text: &str, before: &[(Piece, usize, usize)], i: usize) -> bool {
    let b = text.as_bytes();
    if i > 0 && !(b[i - 1].is_ascii_whitespace() || matches!(b[i - 1], b',' | b'(' | b'.')) {
        return false;
    }
    !before
        .iter()
        .rev()
        .find(|(p, _, _)| !matches!(p, Piece::Space | Piece::Comment))
        .is_some_and(|&(p, s, e)| p == Piece::Word && text[s..e].eq_ignore_ascii_case("array"))
}

/// The body with comments dropped, every run of whitespace made one space, and no leading or
/// trailing space or `;`. Literals and quoted names are kept byte for byte; case is kept (a
/// view's column names come from its text).
///
/// ```
/// use schema_sync_core::sql::collapse;
/// assert_eq!(collapse("SELECT a,\n   b -- two\nFROM  t ;"), "SELECT a, b FROM t");
/// assert_eq!(collapse("SELECT 'a  b'"), "SELECT 'a  b'");
/// ```
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for (kind, s, e) in pieces(text) {
        match kind {
            Piece::Space | Piece::Comment => space = true,
            _ => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push_str(&text[s..e]);
            }
        }
    }
    while out.ends_with(';') || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Every name the body mentions (bare words and quoted identifiers, ASCII-lowercased),
/// keywords included: what it may read, over-approximated. Literals and comments are not
/// looked into.
///
/// ```
/// use schema_sync_core::sql::identifiers;
/// let names = identifiers("SELECT u.\"Email\" FROM public.users u WHERE x = 'orders'");
/// assert!(names.contains("users") && names.contains("email") && names.contains("public"));
/// assert!(!names.contains("orders"));
/// ```
pub fn identifiers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (kind, s, e) in pieces(text) {
        match kind {
            Piece::Word => {
                out.insert(text[s..e].to_ascii_lowercase());
            }
            Piece::Quoted => {
                out.insert(unquote_ident(&text[s..e]).to_ascii_lowercase());
            }
            _ => {}
        }
    }
    out
}

/// The body with every qualifier naming schema `from` (`from.` or `"from".`) replaced by
/// `to` (quoted when it needs it), or dropped when `to` is empty (the name as the catalog prints
/// it for a schema on the search path). What a view of one tenant schema reads as another.
///
/// ```
/// use schema_sync_core::sql::requalify;
/// assert_eq!(requalify("SELECT * FROM t1.users JOIN \"t1\".x ON 't1.y' = ''", "t1", "t2"),
///            "SELECT * FROM t2.users JOIN t2.x ON 't1.y' = ''");
/// assert_eq!(requalify("SELECT 'ok'::t1.mood FROM t1.users", "t1", ""), "SELECT 'ok'::mood FROM users");
/// ```
pub fn requalify(text: &str, from: &str, to: &str) -> String {
    let ps = pieces(text);
    let mut out = String::with_capacity(text.len());
    let replacement = if to.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !to.as_bytes().first().is_some_and(u8::is_ascii_digit)
    {
        to.to_string()
    } else {
        super::quote_ident(to)
    };
    let mut skip_dot = false;
    for (n, &(kind, s, e)) in ps.iter().enumerate() {
        let piece = &text[s..e];
        if std::mem::take(&mut skip_dot) {
            continue;
        }
        let names_from = match kind {
            Piece::Word => piece == from,
            Piece::Quoted => piece.starts_with('"') && unquote_ident(piece) == from,
            _ => false,
        };
        let before_dot = ps.get(n + 1).is_some_and(|&(k, s2, e2)| k == Piece::Other && &text[s2..e2] == ".");
        let after_dot = n > 0 && ps[n - 1].0 == Piece::Other && &text[ps[n - 1].1..ps[n - 1].2] == ".";
        if names_from && before_dot && !after_dot {
            out.push_str(&replacement);
            skip_dot = to.is_empty();
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// The name a quoted or bare identifier spells: `"a""b"` → `a"b`, `` `x` `` and `'x'` → `x`,
/// `[x]` → `x`, `word` → `word`. An unterminated quote keeps what follows it.
///
/// ```
/// use schema_sync_core::sql::unquote_ident;
/// assert_eq!(unquote_ident("\"We\"\"ird\""), "We\"ird");
/// assert_eq!(unquote_ident("[x y]"), "x y");
/// assert_eq!(unquote_ident("\"é"), "é");
/// ```
pub fn unquote_ident(piece: &str) -> String {
    let Some(first) = piece.chars().next() else { return String::new() };
    let close = match first {
        '"' | '`' | '\'' => first,
        '[' => ']',
        _ => return piece.to_string(),
    };
    let inner = &piece[1..];
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    if close == ']' {
        inner.to_string()
    } else {
        inner.replace(&close.to_string().repeat(2), &close.to_string())
    }
}

/// The column list and the query of a `CREATE VIEW name [(a, b)] AS query` statement: the
/// names in the list unquoted, the query [`collapse`]d. `None` when the text has no `AS`.
///
/// ```
/// use schema_sync_core::sql::split_view;
/// let (cols, q) = split_view("CREATE VIEW \"v w\" (a, \"B\") AS\n SELECT 1, 2").unwrap();
/// assert_eq!(cols, ["a", "B"]);
/// assert_eq!(q, "SELECT 1, 2");
/// ```
pub fn split_view(text: &str) -> Option<(Vec<String>, String)> {
    let ps = pieces(text);
    let mut depth = 0usize;
    let mut columns = Vec::new();
    for &(kind, s, e) in &ps {
        let piece = &text[s..e];
        match kind {
            Piece::Other if piece == "(" => depth += 1,
            Piece::Other if piece == ")" => depth = depth.saturating_sub(1),
            Piece::Word if depth == 0 && piece.eq_ignore_ascii_case("as") => {
                return Some((columns, collapse(&text[e..])));
            }
            Piece::Word | Piece::Quoted if depth == 1 => columns.push(unquote_ident(piece)),
            _ => {}
        }
    }
    None
}

/// `true` when `text` can stand inside one pair of parentheses: its own parentheses balance
/// and never close more than they opened, and it holds no `;` (literals, quoted names and
/// comments aside). What an argument list read from a snapshot must be before it is printed
/// into `DROP FUNCTION f(…)`: `int) CASCADE` is not one.
///
/// ```
/// use schema_sync_core::sql::parenthesizable;
/// assert!(parenthesizable("a integer, b numeric(10, 2), c text DEFAULT ')'"));
/// assert!(!parenthesizable("integer) CASCADE"));
/// assert!(!parenthesizable("integer); DROP TABLE t; SELECT (1"));
/// ```
pub fn parenthesizable(text: &str) -> bool {
    let mut depth = 0usize;
    for (kind, s, e) in pieces(text) {
        match (kind, &text[s..e]) {
            (Piece::Other, "(") => depth += 1,
            (Piece::Other, ")") if depth == 0 => return false,
            (Piece::Other, ")") => depth -= 1,
            (Piece::Other, ";") => return false,
            _ => {}
        }
    }
    depth == 0
}

/// How many statements SQLite reads in `text`. A `;` ends a statement except inside a
/// `CREATE TRIGGER … BEGIN … END` body, where the statements of the body end with `;` and only
/// the `END` that closes the body (not one closing a `CASE`) ends the trigger.
///
/// ```
/// use schema_sync_core::sql::sqlite_statements;
/// let t = "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; SELECT 1; END";
/// assert_eq!(sqlite_statements(t), 1);
/// assert_eq!(sqlite_statements(&format!("{t}; DROP TABLE t")), 2);
/// assert_eq!(sqlite_statements("SELECT ';'; -- done"), 1);
/// ```
pub fn sqlite_statements(text: &str) -> usize {
    let mut count = 0;
    let mut open = false; // a statement has started
    let mut words = 0; // words of this statement seen so far
    let mut trigger = false; // this statement is CREATE [TEMP] TRIGGER
    let mut in_body = false; // inside its BEGIN … END
    let mut cases = 0usize; // CASE … END open inside the body
    for (kind, s, e) in pieces(text) {
        let piece = &text[s..e];
        match kind {
            Piece::Space | Piece::Comment => {}
            Piece::Other if piece == ";" => {
                if open && !(trigger && in_body) {
                    count += 1;
                    open = false;
                    words = 0;
                    trigger = false;
                    cases = 0;
                }
            }
            Piece::Word => {
                open = true;
                words += 1;
                let w = piece.to_ascii_uppercase();
                if words <= 3 && w == "TRIGGER" {
                    trigger = true;
                } else if trigger && !in_body && w == "BEGIN" {
                    in_body = true;
                } else if in_body && w == "CASE" {
                    cases += 1;
                } else if in_body && w == "END" {
                    if cases > 0 {
                        cases -= 1;
                    } else {
                        in_body = false;
                    }
                }
            }
            _ => open = true,
        }
    }
    count + usize::from(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_quotes_and_nested_comments_are_kept_whole() {
        assert_eq!(collapse("BEGIN  /* a /* b */ c */ SELECT $$x  y$$ ;"), "BEGIN SELECT $$x  y$$");
        assert!(!identifiers("SELECT $q$ secret $q$").contains("secret"));
    }

    #[test]
    fn requalify_leaves_column_qualifiers_alone() {
        // `t1.t1.c`: only the first `t1` (followed by a dot, not preceded by one) is a schema.
        assert_eq!(requalify("t1.t1.c", "t1", "x"), "x.t1.c");
        assert_eq!(
            requalify("SELECT \"Weird\".a FROM \"Weird\".a", "Weird", "New One"),
            "SELECT \"New One\".a FROM \"New One\".a"
        );
    }

    #[test]
    fn unterminated_quotes_and_multibyte_names_never_panic() {
        for text in ["\"é", "\"é.x", "[é", "`é", "SELECT 'é", "$$é", "/* é", "é\"é\".é", "(é", ")é"] {
            let _ = (collapse(text), identifiers(text), requalify(text, "é", "x"), split_view(text));
            let _ = (sqlite_statements(text), parenthesizable(text), unquote_ident(text));
        }
        assert_eq!(requalify("\"é\".t", "é", "x"), "x.t");
    }
}
