//! Stage 3: validation. Every mistake is recorded in the [`Ctxt`] on the smallest token that
//! shows it, and checking goes on; expansion happens only when there are none.
//!
//! What only the compiler can know (a field type's SQL mapping, whether `references = T` is a
//! table, key types, identity on an integer) is checked by trait bounds that `expand` emits at
//! the field's span.

use crate::ast::{is_option, Enum, Field, Table};
use crate::attr::{keys, one_of, Dialected, Name};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use std::collections::HashMap;

mod view;
pub(crate) use view::view;

/// Postgres truncates identifiers longer than this (NAMEDATALEN - 1) without an error.
pub(crate) const MAX_IDENT_BYTES: usize = 63;

/// A secondary index after defaults are applied.
pub(crate) struct IndexModel {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub predicate: Option<String>,
}

/// What `expand` needs beyond the AST: resolved key columns, indexes, constraints.
pub(crate) struct Checked {
    /// Primary-key columns as indices into `Table::fields`, in key order.
    pub primary_key: Vec<usize>,
    pub indexes: Vec<IndexModel>,
    pub uniques: Vec<Vec<String>>,
    pub checks: Vec<(Option<String>, String)>,
}

pub(crate) fn ident_len(cx: &Ctxt, what: &str, name: &str, span: Span) {
    if name.is_empty() {
        cx.error(span, format!("empty {what} name"));
    } else if name.len() > MAX_IDENT_BYTES {
        cx.error(
            span,
            format!(
                "{what} name `{name}` is {} bytes, longer than the {MAX_IDENT_BYTES} bytes Postgres keeps (it would be truncated silently)",
                name.len()
            ),
        );
    }
}

/// Cheap syntax check of a `sql_type` literal; the full parse happens in `SyncTable::table()`.
fn sql_type_syntax(cx: &Ctxt, lit: &syn::LitStr) {
    let text = lit.value();
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let reason = if trimmed.is_empty() {
        Some("an empty type".to_string())
    } else if matches!(lower.as_str(), "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2") {
        Some(format!("`{trimmed}` is not a type; use an integer field with `#[sync(identity)]`"))
    } else if let Some(c) = trimmed.chars().find(|c| !(c.is_alphanumeric() || " _.,()[]\"$".contains(*c))) {
        Some(format!("unexpected character `{c}`"))
    } else {
        let mut depth = 0i32;
        let mut ok = true;
        for c in trimmed.chars() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                _ => {}
            }
            ok &= depth >= 0;
        }
        (!ok || depth != 0).then(|| "unbalanced parentheses or brackets".to_string())
    };
    if let Some(reason) = reason {
        cx.error(lit.span(), format!("invalid `sql_type` `{text}`: {reason}"));
    }
}

pub(crate) fn empty_lit(cx: &Ctxt, key: &str, lit: &syn::LitStr) {
    if lit.value().trim().is_empty() {
        cx.error(lit.span(), format!("`{key}` cannot be empty"));
    }
}

/// Field-level checks that need no other field.
fn field(cx: &Ctxt, f: &Field<'_>) {
    let a = &f.attrs;
    if a.skip.span().is_some() {
        for (key, span) in a.given() {
            cx.error(span, format!("`{key}` conflicts with `skip`: a skipped field is not a column"));
        }
        return;
    }
    let conflicts = [
        (&a.nullable.span(), keys::NULLABLE, &a.not_null.span(), keys::NOT_NULL),
        (&a.identity.span(), keys::IDENTITY, &a.autoincrement.span(), keys::AUTOINCREMENT),
        (&a.primary_key.span(), keys::PRIMARY_KEY, &a.nullable.span(), keys::NULLABLE),
        (&a.identity.span(), keys::IDENTITY, &a.nullable.span(), keys::NULLABLE),
        (&a.autoincrement.span(), keys::AUTOINCREMENT, &a.nullable.span(), keys::NULLABLE),
        (&a.identity.span(), keys::IDENTITY, &a.default.span(), keys::DEFAULT),
        (&a.autoincrement.span(), keys::AUTOINCREMENT, &a.default.span(), keys::DEFAULT),
    ];
    for (first, k1, second, k2) in conflicts {
        if let (Some(_), Some(span)) = (first, second) {
            cx.error(*span, format!("`{k2}` conflicts with `{k1}`"));
        }
    }
    if let (Some(span), None) = (a.autoincrement.span(), a.primary_key.span()) {
        cx.error(
            span,
            "`autoincrement` needs `primary_key` on the same field: SQLite allows AUTOINCREMENT only on an INTEGER PRIMARY KEY",
        );
    }
    if a.references.get().is_none() {
        for attr in [&a.on_delete, &a.on_update] {
            if let Some(span) = attr.span() {
                cx.error(span, format!("`{}` needs `references = Table` on the same field", attr.key()));
            }
        }
    }
    if a.primary_key.span().is_some() && is_option(f.ty) && a.not_null.span().is_none() {
        cx.error_spanned(f.ty, "a `primary_key` column cannot be `Option<_>`: primary-key columns are NOT NULL");
    }
    match a.sql_type.get() {
        Some(Dialected::All(lit)) => sql_type_syntax(cx, lit),
        Some(Dialected::Each(each)) => {
            for lit in each.postgres.iter().chain(&each.sqlite) {
                empty_lit(cx, keys::SQL_TYPE, lit);
            }
            if let Some(pg) = &each.postgres {
                sql_type_syntax(cx, pg);
            }
        }
        None => {}
    }
    match a.default.get() {
        Some(Dialected::All(lit)) => empty_lit(cx, keys::DEFAULT, lit),
        Some(Dialected::Each(each)) => {
            each.postgres.iter().chain(&each.sqlite).for_each(|l| empty_lit(cx, keys::DEFAULT, l))
        }
        None => {}
    }
    for attr in [&a.check, &a.using, &a.renamed_from] {
        if let Some(lit) = attr.get() {
            empty_lit(cx, attr.key(), lit);
        }
    }
    ident_len(cx, "column", &f.column.value, f.column.span);
}

/// Resolves a column named in `primary_key(...)`, `unique(...)` or `index(columns = [...])`:
/// the SQL name, or the Rust field name of a renamed column.
fn resolve(cx: &Ctxt, t: &Table<'_>, name: &Name, within: &str) -> Option<usize> {
    if let Some(i) = t.fields.iter().position(|f| !f.skipped() && f.column.value == name.value) {
        return Some(i);
    }
    if let Some(i) = t.fields.iter().position(|f| !f.skipped() && f.ident == name.value.as_str()) {
        return Some(i);
    }
    if t.fields.iter().any(|f| f.skipped() && (f.ident == name.value.as_str() || f.column.value == name.value)) {
        cx.error(name.span, format!("column `{}` in `{within}` is a `skip` field, not a column", name.value));
        return None;
    }
    let legal: Vec<&str> = t.columns().map(|f| f.column.value.as_str()).collect();
    cx.error(name.span, format!("unknown column `{}` in `{within}`, expected one of {}", name.value, one_of(&legal)));
    None
}

/// Resolves a column list; reports an empty list and repeated columns.
fn resolve_list(cx: &Ctxt, t: &Table<'_>, names: &[Name], within: &str, key_span: Span) -> Option<Vec<usize>> {
    if names.is_empty() {
        cx.error(key_span, format!("`{within}` needs at least one column"));
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for n in names {
        match resolve(cx, t, n, within) {
            Some(i) if out.contains(&i) => {
                cx.error(n.span, format!("column `{}` appears twice in `{within}`", n.value));
                ok = false;
            }
            Some(i) => out.push(i),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Whole-table checks; returns what `expand` needs.
pub(crate) fn table(cx: &Ctxt, t: &Table<'_>) -> Checked {
    ident_len(cx, "table", &t.name.value, t.name.span);
    if let Some(lit) = t.attrs.schema.get() {
        ident_len(cx, "schema", &lit.value(), lit.span());
    }
    if let Some(lit) = t.attrs.renamed_from.get() {
        empty_lit(cx, keys::RENAMED_FROM, lit);
    }
    for f in &t.fields {
        field(cx, f);
    }
    if t.columns().next().is_none() {
        cx.error(
            t.ident.span(),
            format!("table `{}` has no columns: `SyncTable` needs at least one field that is not `skip`", t.name.value),
        );
    }

    // Column names are unique after renaming.
    let mut seen: HashMap<&str, &Field<'_>> = HashMap::new();
    for f in t.columns() {
        if let Some(prev) = seen.insert(f.column.value.as_str(), f) {
            cx.error(
                f.column.span,
                format!("duplicate column name `{}`: field `{}` already uses it", f.column.value, prev.ident),
            );
        }
    }

    // One primary-key declaration: on one field, or `primary_key(a, b)` on the struct.
    let field_pks: Vec<(usize, Span)> = t
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.skipped())
        .filter_map(|(i, f)| f.attrs.primary_key.span().map(|s| (i, s)))
        .collect();
    let mut primary_key = Vec::new();
    if let Some((span, names)) = &t.attrs.primary_key.value {
        for (_, s) in &field_pks {
            cx.error(
                *s,
                "more than one primary key: the struct already declares `primary_key(...)`; list every key column there",
            );
        }
        primary_key = resolve_list(cx, t, names, keys::PRIMARY_KEY, *span).unwrap_or_default();
        for &i in &primary_key {
            let f = &t.fields[i];
            if is_option(f.ty) && f.attrs.not_null.span().is_none() {
                cx.error_spanned(
                    f.ty,
                    "a `primary_key` column cannot be `Option<_>`: primary-key columns are NOT NULL",
                );
            }
            if f.attrs.nullable.span().is_some() {
                cx.error(
                    f.attrs.nullable.span().unwrap_or(f.column.span),
                    "`nullable` conflicts with the struct's `primary_key(...)`",
                );
            }
        }
    } else {
        for (_, s) in field_pks.iter().skip(1) {
            cx.error(
                *s,
                "more than one field has `primary_key`; for a composite key write `#[sync(primary_key(a, b))]` on the struct",
            );
        }
        primary_key.extend(field_pks.first().map(|(i, _)| *i));
    }

    let mut indexes: Vec<IndexModel> = Vec::new();
    let mut index_spans: HashMap<String, Span> = HashMap::new();
    let mut add_index = |cx: &Ctxt, ix: IndexModel, span: Span, explicit: bool| {
        if explicit {
            ident_len(cx, "index", &ix.name, span);
        } else if ix.name.len() > MAX_IDENT_BYTES {
            cx.error(
                span,
                format!(
                    "generated index name `{}` is {} bytes, longer than the {MAX_IDENT_BYTES} bytes Postgres keeps; give it a shorter `name = \"...\"`",
                    ix.name,
                    ix.name.len()
                ),
            );
        }
        if index_spans.insert(ix.name.clone(), span).is_some() {
            cx.error(span, format!("duplicate index name `{}`", ix.name));
        }
        indexes.push(ix);
    };
    let mut uniques = Vec::new();
    let mut checks = Vec::new();
    for f in t.columns() {
        let col = &f.column.value;
        if let Some(span) = f.attrs.index.span() {
            let ix = IndexModel {
                name: format!("{}_{col}_idx", t.name.value),
                columns: vec![col.clone()],
                unique: false,
                predicate: None,
            };
            add_index(cx, ix, span, false);
        }
        if f.attrs.unique.span().is_some() {
            uniques.push(vec![col.clone()]);
        }
        if let Some(lit) = f.attrs.check.get() {
            checks.push((None, lit.value()));
        }
    }
    for ix in &t.attrs.indexes {
        let Some(names) = ix.columns.get() else { continue };
        let span = ix.columns.span().unwrap_or(ix.span);
        let Some(cols) = resolve_list(cx, t, names, keys::INDEX, span) else { continue };
        let columns: Vec<String> = cols.iter().map(|&i| t.fields[i].column.value.clone()).collect();
        let (name, explicit, span) = match ix.name.get() {
            Some(lit) => (lit.value(), true, lit.span()),
            None => (format!("{}_{}_idx", t.name.value, columns.join("_")), false, ix.span),
        };
        if let Some(p) = ix.predicate.get() {
            empty_lit(cx, keys::WHERE, p);
        }
        let model = IndexModel {
            name,
            columns,
            unique: ix.unique.get().is_some(),
            predicate: ix.predicate.get().map(|l| l.value()),
        };
        add_index(cx, model, span, explicit);
    }
    for (span, names) in &t.attrs.uniques {
        if let Some(cols) = resolve_list(cx, t, names, keys::UNIQUE, *span) {
            uniques.push(cols.iter().map(|&i| t.fields[i].column.value.clone()).collect());
        }
    }
    for c in &t.attrs.checks {
        if let Some(name) = &c.name {
            ident_len(cx, "check constraint", &name.value(), name.span());
        }
        if let Some(expr) = &c.expr {
            empty_lit(cx, keys::CHECK, expr);
            checks.push((c.name.as_ref().map(|n| n.value()), expr.value()));
        }
    }
    Checked { primary_key, indexes, uniques, checks }
}

/// `SyncEnum` checks: type name and labels.
pub(crate) fn enumeration(cx: &Ctxt, e: &Enum<'_>) {
    ident_len(cx, "enum type", &e.name.value, e.name.span);
    if let Some(s) = &e.schema {
        ident_len(cx, "schema", &s.value(), s.span());
    }
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for v in &e.variants {
        ident_len(cx, "enum label", &v.label.value, v.label.span);
        if let Some(prev) = seen.insert(v.label.value.as_str(), v.ident) {
            cx.error(
                v.label.span,
                format!("duplicate enum label `{}`: variant `{prev}` already uses it", v.label.value),
            );
        }
    }
}
