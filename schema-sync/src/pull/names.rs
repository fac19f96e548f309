//! Rust names for SQL names: `PascalCase` types, `snake_case` fields and variants that compile
//! whatever the SQL name is, unique within their scope.

use std::collections::HashSet;

/// Words Rust reserves: a field named after one is written `r#word`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Words that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Lowercase ASCII words of a SQL name: `AlbumId` → `album`, `id`; `order details` → `order`,
/// `details`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A type name: `customer_orders` → `CustomerOrders`.
pub fn type_name(sql: &str) -> String {
    let mut s: String = words(sql)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'T');
    }
    if NOT_RAW.contains(&s.as_str()) || KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// A field name: `AlbumId` → `album_id`, `type` → `r#type`.
pub fn field_name(sql: &str) -> String {
    let mut s = words(sql).join("_");
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "c_");
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    } else if KEYWORDS.contains(&s.as_str()) {
        s.insert_str(0, "r#");
    }
    s
}

/// The name without `r#`: what the derive takes as the column name.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Hands out names unique within one scope, adding `_2`, `_3`, … on a clash.
#[derive(Default)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// A scope where `reserved` are taken already.
    pub fn with(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|s| s.to_string()).collect() }
    }

    /// `want`, or `want_2`, … when it is taken (compared without `r#`).
    pub fn unique(&mut self, want: String) -> String {
        let mut candidate = want.clone();
        let mut n = 2;
        while self.taken.contains(unraw(&candidate)) {
            candidate = format!("{}_{n}", unraw(&want));
            n += 1;
        }
        self.taken.insert(unraw(&candidate).to_string());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rust_whatever_the_sql() {
        assert_eq!(type_name("customer_orders"), "CustomerOrders");
        assert_eq!(type_name("Order Details"), "OrderDetails");
        assert_eq!(type_name("2fa"), "T2fa");
        assert_eq!(field_name("AlbumId"), "album_id");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("ShipCity"), "ship_city");
        assert_eq!(field_name("HTTPCode"), "http_code");
        let mut scope = Scope::default();
        assert_eq!(scope.unique("id".into()), "id");
        assert_eq!(scope.unique("id".into()), "id_2");
    }
}
