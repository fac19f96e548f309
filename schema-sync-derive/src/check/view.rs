//! `SyncView` checks: names, the query, and the options that fit a plain or materialized view.

use super::{empty_lit, ident_len, IndexModel, MAX_IDENT_BYTES};
use crate::ast::View;
use crate::attr::{keys, one_of, Dialected};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use std::collections::HashMap;

/// The first words a view's query may start with.
const QUERY_HEADS: &[&str] = &["SELECT", "WITH", "VALUES", "TABLE"];

/// Whole-view checks; returns the materialized view's indexes with defaults applied.
pub(crate) fn view(cx: &Ctxt, v: &View<'_>) -> Vec<IndexModel> {
    ident_len(cx, "view", &v.name.value, v.name.span);
    if let Some(lit) = v.attrs.schema.get() {
        ident_len(cx, "schema", &lit.value(), lit.span());
    }
    if v.fields.is_empty() {
        cx.error(
            v.ident.span(),
            format!("view `{}` has no columns: give the struct one field per column", v.name.value),
        );
    }
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for f in &v.fields {
        ident_len(cx, "column", &f.column.value, f.column.span);
        if seen.insert(f.column.value.as_str(), f.column.span).is_some() {
            cx.error(f.column.span, format!("duplicate column name `{}` in view `{}`", f.column.value, v.name.value));
        }
        if let Some(lit) = f.attrs.comment.get() {
            empty_lit(cx, keys::COMMENT, lit);
        }
    }
    let materialized = v.attrs.materialized.span().is_some();
    match v.attrs.query.get() {
        None => cx.error(
            v.ident.span(),
            "`SyncView` needs the view's query: `#[sync(query = \"SELECT …\")]` or `#[sync(query(postgres = \"…\", sqlite = \"…\"))]`",
        ),
        Some(Dialected::All(lit)) => query(cx, lit),
        Some(Dialected::Each(each)) => {
            for lit in each.postgres.iter().chain(&each.sqlite) {
                query(cx, lit);
            }
            if let (true, Some(lit)) = (materialized, &each.sqlite) {
                cx.error(
                    lit.span(),
                    "a materialized view exists only in Postgres: give `query(postgres = \"…\")` without `sqlite`",
                );
            }
        }
    }
    if materialized {
        for attr in [&v.attrs.security_invoker, &v.attrs.security_barrier] {
            if let Some(span) = attr.span() {
                cx.error(span, format!("`{}` applies to a plain view, not a materialized one", attr.key()));
            }
        }
    }
    let mut indexes = Vec::new();
    let mut names: HashMap<String, Span> = HashMap::new();
    for ix in &v.attrs.indexes {
        if !materialized {
            cx.error(ix.span, "`index(...)` needs `materialized`: only a materialized view has indexes");
            continue;
        }
        let Some(list) = ix.columns.get() else { continue };
        let span = ix.columns.span().unwrap_or(ix.span);
        if list.is_empty() {
            cx.error(span, "`index` needs at least one column");
            continue;
        }
        let mut columns = Vec::new();
        for n in list {
            match v.fields.iter().find(|f| f.column.value == n.value || f.ident == n.value.as_str()) {
                Some(f) if columns.contains(&f.column.value) => {
                    cx.error(n.span, format!("column `{}` appears twice in `index`", n.value))
                }
                Some(f) => columns.push(f.column.value.clone()),
                None => {
                    let legal: Vec<&str> = v.fields.iter().map(|f| f.column.value.as_str()).collect();
                    cx.error(
                        n.span,
                        format!("unknown column `{}` in `index`, expected one of {}", n.value, one_of(&legal)),
                    );
                }
            }
        }
        if columns.len() != list.len() {
            continue;
        }
        let (name, span) = match ix.name.get() {
            Some(lit) => (lit.value(), lit.span()),
            None => (format!("{}_{}_idx", v.name.value, columns.join("_")), ix.span),
        };
        if name.len() > MAX_IDENT_BYTES || name.is_empty() {
            ident_len(cx, "index", &name, span);
        }
        if names.insert(name.clone(), span).is_some() {
            cx.error(span, format!("duplicate index name `{name}`"));
        }
        if let Some(p) = ix.predicate.get() {
            empty_lit(cx, keys::WHERE, p);
        }
        let predicate = ix.predicate.get().map(|l| l.value());
        indexes.push(IndexModel { name, columns, unique: ix.unique.get().is_some(), predicate });
    }
    indexes
}

/// A query is one `SELECT` / `WITH` / `VALUES` / `TABLE` statement; a final `;` is allowed.
fn query(cx: &Ctxt, lit: &syn::LitStr) {
    let text = lit.value();
    let code = strip(&text);
    let head = code.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
    let head = head.split('(').next().unwrap_or("");
    if code.trim().is_empty() {
        cx.error(lit.span(), "`query` cannot be empty");
    } else if !QUERY_HEADS.contains(&head) {
        cx.error(lit.span(), format!("`query` must be a query starting with {}, found `{head}`", one_of(QUERY_HEADS)));
    } else if code.trim_end().trim_end_matches(';').contains(';') {
        cx.error(lit.span(), "`query` must be one statement: nothing may follow its `;`");
    }
}

/// `text` with string literals, quoted names and comments blanked out, so that only the
/// statement's own words and `;` remain.
fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                while let Some(d) = chars.next() {
                    if d == c {
                        if chars.peek() == Some(&c) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
                out.push_str(" x ");
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                out.push(' ');
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strip_blanks_literals_names_and_comments() {
        let s = super::strip("SELECT ';' AS \"a;b\" -- x;y\nFROM t /* ; */;");
        assert!(!s.trim_end().trim_end_matches(';').contains(';'), "{s}");
        assert!(s.starts_with("SELECT"));
    }
}
