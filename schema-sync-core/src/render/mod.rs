//! SQL rendering: quoting helpers shared by both dialects, and one module per dialect that turns
//! a [`crate::plan::Plan`] into statements.

/// Quotes an identifier the way both SQLite and Postgres accept: `"name"` with inner quotes
/// doubled. Always quotes, so reserved words, mixed case, spaces and unicode round-trip.
///
/// ```
/// use schema_sync_core::render::quote_ident;
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

/// Comma-separated quoted identifiers.
pub fn ident_list<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| quote_ident(n.as_ref())).collect::<Vec<_>>().join(", ")
}
