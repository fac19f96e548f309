//! `#[sync(...)]` on a `SyncTable` struct: table name, schema, keys, indexes, checks, and the
//! table's row-level security, policies, grants and comment.

use super::keys;
use super::keys::one_of;
use super::values::{each_key, flag, key_of, krate, name_list, skip_value, string, unknown, Attr, Name};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{bracketed, token, Attribute, LitStr, Path, Token};

/// `index(columns = [...], unique, name = "...", where = "...")` on the struct.
pub(crate) struct IndexAttr {
    pub span: Span,
    pub columns: Attr<Vec<Name>>,
    pub unique: Attr<()>,
    pub name: Attr<LitStr>,
    pub predicate: Attr<LitStr>,
}

/// `check(name = "...", expr = "...")` or `check = "expr"` on the struct.
pub(crate) struct CheckAttr {
    pub name: Option<LitStr>,
    pub expr: Option<LitStr>,
}

/// `policy(name = "...", command = select, restrictive, roles = ["..."], using = "...",
/// with_check = "...")` on the struct.
pub(crate) struct PolicyAttr {
    pub name: Option<LitStr>,
    /// One of [`keys::POLICY_COMMANDS`] (default `all`).
    pub command: &'static str,
    pub restrictive: bool,
    pub roles: Vec<LitStr>,
    pub using: Option<LitStr>,
    pub with_check: Option<LitStr>,
}

/// `grant(role = "...", privileges = [select, ...])` on the struct.
pub(crate) struct GrantAttr {
    pub role: Option<LitStr>,
    /// Lowercase privilege words from [`keys::TABLE_PRIVILEGES`].
    pub privileges: Vec<String>,
}

/// `#[sync(...)]` on a `SyncTable` struct.
pub(crate) struct ContainerAttrs {
    pub table: Attr<LitStr>,
    pub schema: Attr<LitStr>,
    pub primary_key: Attr<Vec<Name>>,
    pub indexes: Vec<IndexAttr>,
    /// Each `unique(a, b)` with the span of its key.
    pub uniques: Vec<(Span, Vec<Name>)>,
    pub checks: Vec<CheckAttr>,
    /// `rls` / `rls(enable, force)`: `true` when forced too.
    pub rls: Attr<bool>,
    pub policies: Vec<PolicyAttr>,
    pub grants: Vec<GrantAttr>,
    pub comment: Attr<LitStr>,
    pub rename_all: Attr<LitStr>,
    pub renamed_from: Attr<LitStr>,
    pub krate: Attr<Path>,
}

impl ContainerAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = ContainerAttrs {
            table: Attr::new(keys::TABLE),
            schema: Attr::new(keys::SCHEMA),
            primary_key: Attr::new(keys::PRIMARY_KEY),
            indexes: Vec::new(),
            uniques: Vec::new(),
            checks: Vec::new(),
            rls: Attr::new(keys::RLS),
            policies: Vec::new(),
            grants: Vec::new(),
            comment: Attr::new(keys::COMMENT),
            rename_all: Attr::new(keys::RENAME_ALL),
            renamed_from: Attr::new(keys::RENAMED_FROM),
            krate: Attr::new(keys::CRATE),
        };
        each_key(cx, attrs, |meta, key| {
            let span = meta.path.span();
            match key {
                keys::TABLE => string(cx, meta, &mut a.table)?,
                keys::SCHEMA => string(cx, meta, &mut a.schema)?,
                keys::RENAME_ALL => string(cx, meta, &mut a.rename_all)?,
                keys::RENAMED_FROM => string(cx, meta, &mut a.renamed_from)?,
                keys::CRATE => krate(cx, meta, &mut a.krate)?,
                keys::PRIMARY_KEY | keys::UNIQUE if !meta.input.peek(token::Paren) => {
                    skip_value(meta)?;
                    cx.error(span, format!("expected `{key}(column, ...)` on the struct"));
                }
                keys::PRIMARY_KEY => {
                    let cols = name_list(meta)?;
                    a.primary_key.set(cx, span, cols);
                }
                keys::UNIQUE => a.uniques.push((span, name_list(meta)?)),
                keys::INDEX => a.indexes.push(index(cx, meta)?),
                keys::CHECK => a.checks.push(check(cx, meta)?),
                keys::RLS => rls(cx, meta, &mut a.rls)?,
                keys::POLICY => {
                    if let Some(p) = policy(cx, meta, &a.policies)? {
                        a.policies.push(p);
                    }
                }
                keys::GRANT => a.grants.push(grant(cx, meta)?),
                keys::COMMENT => string(cx, meta, &mut a.comment)?,
                other => unknown(cx, meta, other, "a struct", keys::CONTAINER)?,
            }
            Ok(())
        });
        a
    }
}

/// `rls` (enable) or `rls(enable, force)` (`force` enables too).
fn rls(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<bool>) -> syn::Result<()> {
    let span = meta.path.span();
    if meta.input.peek(Token![=]) {
        skip_value(meta)?;
        cx.error(span, "expected `rls` or `rls(enable, force)`");
        return Ok(());
    }
    let mut force = false;
    if meta.input.peek(token::Paren) {
        meta.parse_nested_meta(|inner| {
            match key_of(&inner).as_str() {
                keys::ENABLE => {}
                keys::FORCE => force = true,
                other => unknown(cx, &inner, other, "`rls(...)`", keys::RLS_ARGS)?,
            }
            Ok(())
        })?;
    }
    attr.set(cx, span, force);
    Ok(())
}

/// `key = ["a", "b"]`: a non-empty list of string literals.
fn string_list(cx: &Ctxt, inner: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Vec<LitStr>> {
    let value = inner.value()?;
    if !value.peek(token::Bracket) {
        let expr: syn::Expr = value.parse()?;
        cx.error(expr.span(), format!("expected a list: `{key} = [\"...\"]`"));
        return Ok(Vec::new());
    }
    let content;
    bracketed!(content in value);
    let list: Vec<LitStr> = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?.into_iter().collect();
    if list.is_empty() {
        cx.error(inner.path.span(), format!("`{key}` needs at least one entry: `{key} = [\"...\"]`"));
    }
    Ok(list)
}

/// `key = word` or `key = "word"`, checked against `legal`.
fn word(
    cx: &Ctxt,
    inner: &ParseNestedMeta<'_>,
    key: &str,
    legal: &'static [&'static str],
) -> syn::Result<Option<&'static str>> {
    let value: Name = inner.value()?.parse()?;
    let lower = value.value.to_ascii_lowercase();
    match legal.iter().find(|w| **w == lower) {
        Some(w) => Ok(Some(w)),
        None => {
            cx.error(value.span, format!("unknown `{key}` `{}`, expected one of {}", value.value, one_of(legal)));
            Ok(None)
        }
    }
}

/// `policy(...)`; `None` when it has no name (reported). `before`: the struct's earlier
/// policies (names are unique per table).
pub(crate) fn policy(cx: &Ctxt, meta: &ParseNestedMeta<'_>, before: &[PolicyAttr]) -> syn::Result<Option<PolicyAttr>> {
    let span = meta.path.span();
    if !meta.input.peek(token::Paren) {
        skip_value(meta)?;
        cx.error(span, "expected `policy(name = \"...\", command = select, roles = [\"...\"], using = \"...\")`");
        return Ok(None);
    }
    let mut name = Attr::new(keys::NAME);
    let mut command: Attr<&'static str> = Attr::new(keys::COMMAND);
    let mut restrictive = Attr::new(keys::RESTRICTIVE);
    let mut roles: Attr<Vec<LitStr>> = Attr::new(keys::ROLES);
    let mut using = Attr::new(keys::USING);
    let mut with_check = Attr::new(keys::WITH_CHECK);
    meta.parse_nested_meta(|inner| {
        let at = inner.path.span();
        match key_of(&inner).as_str() {
            keys::NAME => string(cx, &inner, &mut name)?,
            keys::COMMAND => {
                if let Some(w) = word(cx, &inner, keys::COMMAND, keys::POLICY_COMMANDS)? {
                    command.set(cx, at, w);
                }
            }
            keys::RESTRICTIVE => flag(cx, &inner, &mut restrictive)?,
            keys::ROLES => {
                let list = string_list(cx, &inner, keys::ROLES)?;
                roles.set(cx, at, list);
            }
            keys::USING => string(cx, &inner, &mut using)?,
            keys::WITH_CHECK => string(cx, &inner, &mut with_check)?,
            other => unknown(cx, &inner, other, "`policy(...)`", keys::POLICY_ARGS)?,
        }
        Ok(())
    })?;
    let cmd = command.get().copied().unwrap_or("all");
    if let (Some(at), "select" | "delete") = (with_check.span(), cmd) {
        cx.error(
            at,
            format!("`with_check` does not apply to a `{cmd}` policy (it writes no new row): use `using = \"...\"`"),
        );
    }
    if let (Some(at), "insert") = (using.span(), cmd) {
        cx.error(
            at,
            "`using` does not apply to an `insert` policy (it reads no existing row): use `with_check = \"...\"`",
        );
    }
    let Some((_, name)) = name.value else {
        cx.error(span, "`policy(...)` needs `name = \"...\"`");
        return Ok(None);
    };
    if before.iter().any(|p| p.name.as_ref().is_some_and(|n| n.value() == name.value())) {
        cx.error(name.span(), format!("duplicate policy name `{}` on this table", name.value()));
    }
    Ok(Some(PolicyAttr {
        name: Some(name),
        command: cmd,
        restrictive: restrictive.span().is_some(),
        roles: roles.value.map(|v| v.1).unwrap_or_default(),
        using: using.value.map(|v| v.1),
        with_check: with_check.value.map(|v| v.1),
    }))
}

/// `grant(role = "anon", privileges = [select, insert])`.
pub(crate) fn grant(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<GrantAttr> {
    let span = meta.path.span();
    let mut g = GrantAttr { role: None, privileges: Vec::new() };
    if !meta.input.peek(token::Paren) {
        skip_value(meta)?;
        cx.error(span, "expected `grant(role = \"...\", privileges = [select, ...])`");
        return Ok(g);
    }
    let mut role = Attr::new(keys::ROLE);
    let mut privileges: Attr<Vec<String>> = Attr::new(keys::PRIVILEGES);
    meta.parse_nested_meta(|inner| {
        let at = inner.path.span();
        match key_of(&inner).as_str() {
            keys::ROLE => string(cx, &inner, &mut role)?,
            keys::PRIVILEGES => {
                let value = inner.value()?;
                let content;
                bracketed!(content in value);
                let words: Vec<Name> = Punctuated::<Name, Token![,]>::parse_terminated(&content)?.into_iter().collect();
                if words.is_empty() {
                    cx.error(at, "`privileges` needs at least one privilege: `privileges = [select]`");
                }
                let mut list = Vec::new();
                for w in words {
                    let lower = w.value.to_ascii_lowercase();
                    if keys::TABLE_PRIVILEGES.contains(&lower.as_str()) {
                        list.push(lower);
                    } else {
                        cx.error(
                            w.span,
                            format!(
                                "unknown privilege `{}`, expected one of {}",
                                w.value,
                                one_of(keys::TABLE_PRIVILEGES)
                            ),
                        );
                    }
                }
                privileges.set(cx, at, list);
            }
            other => unknown(cx, &inner, other, "`grant(...)`", keys::GRANT_ARGS)?,
        }
        Ok(())
    })?;
    if role.value.is_none() {
        cx.error(span, "`grant(...)` needs `role = \"...\"`");
    }
    if privileges.value.is_none() {
        cx.error(span, "`grant(...)` needs `privileges = [...]`");
    }
    g.role = role.value.map(|v| v.1);
    g.privileges = privileges.value.map(|v| v.1).unwrap_or_default();
    Ok(g)
}

pub(crate) fn index(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<IndexAttr> {
    let mut ix = IndexAttr {
        span: meta.path.span(),
        columns: Attr::new(keys::COLUMNS),
        unique: Attr::new(keys::UNIQUE),
        name: Attr::new(keys::NAME),
        predicate: Attr::new(keys::WHERE),
    };
    if !meta.input.peek(token::Paren) {
        skip_value(meta)?;
        cx.error(ix.span, "expected `index(columns = [\"a\", \"b\"], ...)` on the struct");
        return Ok(ix);
    }
    meta.parse_nested_meta(|inner| {
        match key_of(&inner).as_str() {
            keys::COLUMNS => {
                let value = inner.value()?;
                let content;
                bracketed!(content in value);
                let cols = Punctuated::<Name, Token![,]>::parse_terminated(&content)?.into_iter().collect();
                ix.columns.set(cx, inner.path.span(), cols);
            }
            keys::UNIQUE => flag(cx, &inner, &mut ix.unique)?,
            keys::NAME => string(cx, &inner, &mut ix.name)?,
            keys::WHERE => string(cx, &inner, &mut ix.predicate)?,
            other => unknown(cx, &inner, other, "`index(...)`", keys::INDEX_ARGS)?,
        }
        Ok(())
    })?;
    if ix.columns.value.is_none() {
        cx.error(ix.span, "`index(...)` needs `columns = [\"...\"]`");
    }
    Ok(ix)
}

pub(crate) fn check(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<CheckAttr> {
    let span = meta.path.span();
    if meta.input.peek(Token![=]) {
        let mut expr = Attr::new(keys::CHECK);
        string(cx, meta, &mut expr)?;
        return Ok(CheckAttr { name: None, expr: expr.value.map(|v| v.1) });
    }
    let mut name = Attr::new(keys::NAME);
    let mut expr = Attr::new(keys::EXPR);
    if meta.input.peek(token::Paren) {
        meta.parse_nested_meta(|inner| {
            match key_of(&inner).as_str() {
                keys::NAME => string(cx, &inner, &mut name)?,
                keys::EXPR => string(cx, &inner, &mut expr)?,
                other => unknown(cx, &inner, other, "`check(...)`", keys::CHECK_ARGS)?,
            }
            Ok(())
        })?;
    }
    if expr.value.is_none() {
        cx.error(span, "`check` needs an expression: `check = \"...\"` or `check(name = \"...\", expr = \"...\")`");
    }
    Ok(CheckAttr { name: name.value.map(|v| v.1), expr: expr.value.map(|v| v.1) })
}
