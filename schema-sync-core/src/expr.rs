//! SQL expression text: canonical forms for comparison, and translation of default
//! expressions between dialects.
//!
//! Catalogs print expressions their own way (`'a'::text`, `(0)::numeric`, `((a > 0) AND (b > 0))`,
//! SQLite keeps the text as written). Equal expressions must never show as drift, so comparison
//! goes through [`canonical`]: keywords and identifiers lower-cased outside quotes, whitespace
//! removed, casts of literals dropped, redundant parentheses removed, and `now()` treated as
//! `CURRENT_TIMESTAMP`.

use crate::types::{Dialect, SqlType};

/// A lexical token of an expression (enough for canonicalisation, not a parser).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// `'...'` with quotes doubled inside; stored without the outer quotes, unescaped.
    Str(String),
    /// `"..."`, `[...]` or `` `...` `` quoted identifier, unescaped.
    Quoted(String),
    /// Number literal.
    Num(String),
    /// Bare word (lower-cased).
    Word(String),
    /// `::`
    Cast,
    /// `(`
    Open,
    /// `)`
    Close,
    /// Any other punctuation / operator run.
    Punct(String),
}

fn lex(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' || c == '`' || (c == '[' && bracket_is_quote(out.last())) {
            let close = match c {
                '[' => ']',
                other => other,
            };
            let mut s = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == close {
                    if close != ']' && chars.get(i + 1) == Some(&close) {
                        s.push(close);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(chars[i]);
                i += 1;
            }
            out.push(if c == '\'' { Tok::Str(s) } else { Tok::Quoted(s) });
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect::<String>().to_lowercase()));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Tok::Cast);
            i += 2;
        } else if c == '(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            out.push(Tok::Close);
            i += 1;
        } else {
            let start = i;
            i += 1;
            // Multi-character operators: `<>`, `>=`, `||`, `~~`, `!~~*`, …
            if "<>=!~|&^".contains(c) {
                while i < chars.len() && "<>=!~|&^*".contains(chars[i]) {
                    i += 1;
                }
            }
            out.push(Tok::Punct(chars[start..i].iter().collect()));
        }
    }
    out
}

/// SQLite's `[name]` quoting, told apart from Postgres `ARRAY[…]` and subscripts by what precedes.
fn bracket_is_quote(prev: Option<&Tok>) -> bool {
    match prev {
        None | Some(Tok::Open) => true,
        Some(Tok::Punct(p)) => p != "]",
        _ => false,
    }
}

/// Words that can follow `::` as part of a multi-word type name.
const TYPE_WORDS: &[&str] =
    &["character", "varying", "double", "precision", "with", "without", "time", "zone", "timestamp", "bit"];

/// Removes `::type` casts (type = words, optional `(n)`, optional `[]`).
fn drop_casts(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i] == Tok::Cast {
            i += 1;
            // type name: first word (or quoted), then continuation words
            if matches!(toks.get(i), Some(Tok::Word(_)) | Some(Tok::Quoted(_))) {
                i += 1;
                // schema-qualified name
                while matches!(toks.get(i), Some(Tok::Punct(p)) if p == ".") {
                    i += 2;
                }
                while let Some(Tok::Word(w)) = toks.get(i) {
                    if TYPE_WORDS.contains(&w.as_str()) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if toks.get(i) == Some(&Tok::Open) {
                    // `(n)` or `(p,s)` modifiers
                    let mut j = i + 1;
                    while j < toks.len() && toks[j] != Tok::Close {
                        j += 1;
                    }
                    i = j + 1;
                }
                while matches!(toks.get(i), Some(Tok::Punct(p)) if p == "[") {
                    i += 2;
                }
            }
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// Removes parentheses around a single token (`(0)` → `0`) and, when `all` is set, every
/// parenthesis that is not a function call's argument list.
fn drop_parens(toks: Vec<Tok>, all: bool) -> Vec<Tok> {
    let mut toks = toks;
    loop {
        let mut changed = false;
        let mut out = Vec::with_capacity(toks.len());
        let mut i = 0;
        while i < toks.len() {
            if toks[i] == Tok::Open
                && i + 2 < toks.len()
                && toks[i + 2] == Tok::Close
                && !matches!(toks[i + 1], Tok::Open | Tok::Close)
                && !matches!(out.last(), Some(Tok::Word(_)) | Some(Tok::Quoted(_)))
            {
                out.push(toks[i + 1].clone());
                i += 3;
                changed = true;
                continue;
            }
            out.push(toks[i].clone());
            i += 1;
        }
        toks = out;
        if !changed {
            break;
        }
    }
    if all {
        // Keep the parentheses that open a function call (preceded by a word), drop the rest.
        let mut out = Vec::with_capacity(toks.len());
        let mut stack: Vec<bool> = Vec::new();
        for t in toks {
            match t {
                Tok::Open => {
                    let call = matches!(out.last(), Some(Tok::Word(w)) if !is_keyword_operator(w))
                        || matches!(out.last(), Some(Tok::Quoted(_)));
                    stack.push(call);
                    if call {
                        out.push(Tok::Open);
                    }
                }
                Tok::Close => {
                    if stack.pop().unwrap_or(true) {
                        out.push(Tok::Close);
                    }
                }
                other => out.push(other),
            }
        }
        toks = out;
    }
    toks
}

fn is_keyword_operator(w: &str) -> bool {
    matches!(
        w,
        "and"
            | "or"
            | "not"
            | "in"
            | "is"
            | "between"
            | "like"
            | "ilike"
            | "when"
            | "then"
            | "else"
            | "any"
            | "all"
            | "array"
            | "exists"
            | "check"
    )
}

fn print(toks: &[Tok]) -> String {
    let mut s = String::new();
    for t in toks {
        if !s.is_empty() {
            s.push(' ');
        }
        match t {
            Tok::Str(v) => {
                s.push('\'');
                s.push_str(&v.replace('\'', "''"));
                s.push('\'');
            }
            Tok::Quoted(v) => {
                // A quoted identifier that needs no quoting compares equal to the bare word.
                if v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && !v.is_empty() {
                    s.push_str(v);
                } else {
                    s.push('"');
                    s.push_str(&v.replace('"', "\"\""));
                    s.push('"');
                }
            }
            Tok::Num(v) | Tok::Word(v) | Tok::Punct(v) => s.push_str(v),
            Tok::Cast => s.push_str("::"),
            Tok::Open => s.push('('),
            Tok::Close => s.push(')'),
        }
    }
    s
}

/// Maps synonyms to one spelling: `now()` / `current_timestamp` / `transaction_timestamp()`.
fn synonyms(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if let Tok::Word(w) = &toks[i] {
            let call0 = toks.get(i + 1) == Some(&Tok::Open) && toks.get(i + 2) == Some(&Tok::Close);
            if (w == "now" || w == "transaction_timestamp") && call0 {
                out.push(Tok::Word("current_timestamp".into()));
                i += 3;
                continue;
            }
            // Postgres prints LIKE as its operator.
            if let Some(op) = match w.as_str() {
                "like" => Some("~~"),
                "ilike" => Some("~~*"),
                _ => None,
            } {
                if matches!(out.last(), Some(Tok::Word(n)) if n == "not") {
                    out.pop();
                    out.push(Tok::Punct(format!("!{op}")));
                } else {
                    out.push(Tok::Punct(op.to_string()));
                }
                i += 1;
                continue;
            }
            if w == "true" || w == "false" {
                out.push(Tok::Word(w.clone()));
                i += 1;
                continue;
            }
        }
        // A string literal holding a plain number (`'-1'::integer` prints as `'-1'`) is the number.
        if let Tok::Str(v) = &toks[i] {
            if !v.is_empty()
                && v.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
                && v.chars().any(|c| c.is_ascii_digit())
            {
                if let Some(n) = v.strip_prefix('-') {
                    out.push(Tok::Punct("-".into()));
                    out.push(Tok::Num(n.to_string()));
                } else {
                    out.push(Tok::Num(v.clone()));
                }
                i += 1;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    // `- 1` after an operator or at the start is a negative literal; print them together.
    out
}

/// Canonical text of an expression, for equality tests only (never executed).
///
/// ```
/// use schema_sync_core::expr::canonical;
/// assert_eq!(canonical("'a'::text"), canonical("'a'"));
/// assert_eq!(canonical("now()"), canonical("CURRENT_TIMESTAMP"));
/// assert_eq!(canonical("(price > (0)::numeric)"), canonical("price > 0"));
/// assert_ne!(canonical("'a'"), canonical("'b'"));
/// ```
pub fn canonical(text: &str) -> String {
    let toks = synonyms(drop_parens(drop_casts(lex(text)), true));
    print(&toks)
}

/// `true` when two expressions are the same after canonicalisation.
pub fn same(a: &str, b: &str) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// `true` when two optional expressions are the same.
pub fn same_opt(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(a, b),
        _ => false,
    }
}

/// Default-expression equality for a column of type `ty`. Beyond [`same`], a boolean column
/// treats `1`/`true` and `0`/`false` alike (SQLite stores booleans as integers).
pub fn same_default(a: Option<&str>, b: Option<&str>, ty: &SqlType) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            if same(a, b) {
                return true;
            }
            if matches!(ty, SqlType::Bool) {
                return bool_literal(a).is_some() && bool_literal(a) == bool_literal(b);
            }
            false
        }
        // An explicit `DEFAULT NULL` is no default.
        (Some(x), None) | (None, Some(x)) => canonical(x) == "null",
    }
}

fn bool_literal(text: &str) -> Option<bool> {
    match canonical(text).as_str() {
        "true" | "1" | "'t'" | "'true'" | "'1'" => Some(true),
        "false" | "0" | "'f'" | "'false'" | "'0'" => Some(false),
        _ => None,
    }
}

/// Translates a default expression from one dialect to another for a column of type `ty`
/// (already in the target dialect). Returns `None` when the expression has no equivalent in
/// the target (e.g. Postgres `gen_random_uuid()` on SQLite); callers note that.
///
/// ```
/// use schema_sync_core::{expr::translate_default, Dialect, SqlType};
/// assert_eq!(translate_default("'x'::text", Dialect::Postgres, Dialect::Sqlite, &SqlType::Text).as_deref(), Some("'x'"));
/// assert_eq!(translate_default("now()", Dialect::Postgres, Dialect::Sqlite, &SqlType::Text).as_deref(), Some("CURRENT_TIMESTAMP"));
/// assert_eq!(translate_default("1", Dialect::Sqlite, Dialect::Postgres, &SqlType::Bool).as_deref(), Some("true"));
/// ```
pub fn translate_default(text: &str, from: Dialect, to: Dialect, ty: &SqlType) -> Option<String> {
    if from == to {
        return Some(text.to_string());
    }
    if matches!(ty, SqlType::Bool) {
        if let Some(b) = bool_literal(text) {
            return Some(match to {
                Dialect::Postgres => if b { "true" } else { "false" }.to_string(),
                Dialect::Sqlite => if b { "1" } else { "0" }.to_string(),
            });
        }
    }
    let toks = synonyms(drop_parens(drop_casts(lex(text)), false));
    match toks.as_slice() {
        [Tok::Str(_)] | [Tok::Num(_)] => return Some(print(&toks)),
        [Tok::Punct(m), Tok::Num(n)] if m == "-" => return Some(format!("-{n}")),
        [Tok::Word(w)] if w == "null" => return None,
        [Tok::Word(w)] if w == "true" || w == "false" => {
            return Some(match to {
                Dialect::Postgres => w.clone(),
                Dialect::Sqlite => if w == "true" { "1" } else { "0" }.to_string(),
            })
        }
        [Tok::Word(w)] if matches!(w.as_str(), "current_timestamp" | "current_date" | "current_time") => {
            return Some(w.to_ascii_uppercase())
        }
        _ => {}
    }
    // SQLite `(datetime('now'))` and friends.
    let canon = canonical(text);
    if to == Dialect::Postgres && (canon == canonical("datetime('now')") || canon == canonical("datetime('now','utc')"))
    {
        return Some("CURRENT_TIMESTAMP".into());
    }
    if to == Dialect::Postgres && canon == canonical("date('now')") {
        return Some("CURRENT_DATE".into());
    }
    None
}

/// Renders a default for `dialect`: SQLite needs parentheses around anything that is not a
/// literal or a `CURRENT_*` keyword.
pub fn default_sql(text: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => text.to_string(),
        Dialect::Sqlite => {
            let toks = lex(text);
            let plain = match toks.as_slice() {
                [Tok::Str(_)] | [Tok::Num(_)] | [Tok::Word(_)] => true,
                [Tok::Punct(p), Tok::Num(_)] => p == "-" || p == "+",
                _ => text.trim_start().starts_with('(') && text.trim_end().ends_with(')'),
            };
            if plain {
                text.to_string()
            } else {
                format!("({text})")
            }
        }
    }
}

/// `true` when `text` (an expression) mentions identifier `col`, quoted or bare,
/// case-insensitively, as a whole word.
///
/// ```
/// use schema_sync_core::expr::mentions;
/// assert!(mentions("lower(\"Email\") <> ''", "email"));
/// assert!(!mentions("emails > 0", "email"));
/// ```
pub fn mentions(text: &str, col: &str) -> bool {
    let lower = text.to_lowercase();
    let c = col.to_lowercase();
    let bytes = lower.as_bytes();
    let mut start = 0;
    while let Some(pos) = lower[start..].find(&c) {
        let i = start + pos;
        let before = if i == 0 { None } else { Some(bytes[i - 1]) };
        let after = bytes.get(i + c.len()).copied();
        let boundary = |b: Option<u8>| b.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
        if boundary(before) && boundary(after) {
            return true;
        }
        start = i + c.len().max(1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_equalities() {
        for (a, b) in [
            ("'a'::text", "'a'"),
            ("'a'::character varying", "'a'"),
            ("'x'::character varying(20)", "'x'::text"),
            ("now()", "CURRENT_TIMESTAMP"),
            ("NOW()", "now()"),
            ("'-1'::integer", "-1"),
            ("(0)::numeric", "0"),
            ("((a > 0) AND (b > 0))", "a > 0 AND b > 0"),
            ("(price > (0)::numeric)", "price > 0"),
            ("lower((email)::text)", "lower(email)"),
            ("\"Name\" IS NOT NULL", "\"Name\" is not null"),
            ("\"name\" is not null", "name IS NOT NULL"),
            ("(datetime('now'))", "datetime('now')"),
            ("'{}'::jsonb", "'{}'"),
            ("ARRAY['a'::text]", "ARRAY['a']"),
            ("status = ANY (ARRAY['a'::text, 'b'::text])", "status = ANY (ARRAY['a', 'b'])"),
            ("((email)::text ~~ '%@%'::text)", "email LIKE '%@%'"),
            ("name !~~* 'x%'", "name NOT ILIKE 'x%'"),
        ] {
            assert_eq!(canonical(a), canonical(b), "{a} vs {b}");
        }
    }

    #[test]
    fn canonical_differences() {
        for (a, b) in [
            ("'a'", "'b'"),
            ("'A'", "'a'"),
            ("\"Name\" > 0", "name > 0"),
            ("a > 0", "a >= 0"),
            ("lower(email)", "upper(email)"),
            ("1", "2"),
        ] {
            assert_ne!(canonical(a), canonical(b), "{a} vs {b}");
        }
    }

    #[test]
    fn boolean_defaults_across_dialects() {
        assert!(same_default(Some("1"), Some("true"), &SqlType::Bool));
        assert!(same_default(Some("FALSE"), Some("0"), &SqlType::Bool));
        assert!(!same_default(Some("1"), Some("false"), &SqlType::Bool));
        assert!(same_default(Some("NULL"), None, &SqlType::Text));
    }

    #[test]
    fn translations() {
        let t = |s, from, to, ty: &SqlType| translate_default(s, from, to, ty);
        use Dialect::*;
        assert_eq!(t("'a'::text", Postgres, Sqlite, &SqlType::Text).as_deref(), Some("'a'"));
        assert_eq!(t("'it''s'", Sqlite, Postgres, &SqlType::Text).as_deref(), Some("'it''s'"));
        assert_eq!(t("'-1'::integer", Postgres, Sqlite, &SqlType::BigInt).as_deref(), Some("-1"));
        assert_eq!(t("CURRENT_TIMESTAMP", Sqlite, Postgres, &SqlType::Text).as_deref(), Some("CURRENT_TIMESTAMP"));
        assert_eq!(t("(datetime('now'))", Sqlite, Postgres, &SqlType::Text).as_deref(), Some("CURRENT_TIMESTAMP"));
        assert_eq!(t("true", Postgres, Sqlite, &SqlType::Bool).as_deref(), Some("1"));
        assert_eq!(t("gen_random_uuid()", Postgres, Sqlite, &SqlType::Text), None);
        assert_eq!(default_sql("lower('X')", Dialect::Sqlite), "(lower('X'))");
        assert_eq!(default_sql("'x'", Dialect::Sqlite), "'x'");
        assert_eq!(default_sql("-5", Dialect::Sqlite), "-5");
        assert_eq!(default_sql("CURRENT_TIMESTAMP", Dialect::Sqlite), "CURRENT_TIMESTAMP");
    }
}
