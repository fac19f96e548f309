//! `#[sync(...)]` on a `SyncTable` struct: table name, schema, keys, indexes, checks.

use super::keys;
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

/// `#[sync(...)]` on a `SyncTable` struct.
pub(crate) struct ContainerAttrs {
    pub table: Attr<LitStr>,
    pub schema: Attr<LitStr>,
    pub primary_key: Attr<Vec<Name>>,
    pub indexes: Vec<IndexAttr>,
    /// Each `unique(a, b)` with the span of its key.
    pub uniques: Vec<(Span, Vec<Name>)>,
    pub checks: Vec<CheckAttr>,
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
                other => unknown(cx, meta, other, "a struct", keys::CONTAINER)?,
            }
            Ok(())
        });
        a
    }
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
