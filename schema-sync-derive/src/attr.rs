//! Stage 1: parse `#[sync(...)]` attributes into typed values with the span of each key.
//!
//! Syntax errors, unknown keys and duplicate keys are recorded in the [`Ctxt`] and parsing goes
//! on, so one run reports every mistake.

use crate::check::Ctxt;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{bracketed, parenthesized, token, Attribute, Ident, LitStr, Path, Token};

/// Attribute keys, one constant each (no string literals scattered around).
pub(crate) mod keys {
    pub const SYNC: &str = "sync";
    pub const TABLE: &str = "table";
    pub const SCHEMA: &str = "schema";
    pub const PRIMARY_KEY: &str = "primary_key";
    pub const INDEX: &str = "index";
    pub const UNIQUE: &str = "unique";
    pub const CHECK: &str = "check";
    pub const RENAME_ALL: &str = "rename_all";
    pub const RENAMED_FROM: &str = "renamed_from";
    pub const CRATE: &str = "crate";
    pub const IDENTITY: &str = "identity";
    pub const AUTOINCREMENT: &str = "autoincrement";
    pub const DEFAULT: &str = "default";
    pub const SQL_TYPE: &str = "sql_type";
    pub const REFERENCES: &str = "references";
    pub const ON_DELETE: &str = "on_delete";
    pub const ON_UPDATE: &str = "on_update";
    pub const RENAME: &str = "rename";
    pub const USING: &str = "using";
    pub const SKIP: &str = "skip";
    pub const NULLABLE: &str = "nullable";
    pub const NOT_NULL: &str = "not_null";
    pub const COLUMNS: &str = "columns";
    pub const NAME: &str = "name";
    pub const WHERE: &str = "where";
    pub const EXPR: &str = "expr";
    pub const POSTGRES: &str = "postgres";
    pub const SQLITE: &str = "sqlite";

    /// Keys of `#[sync(...)]` on a `SyncTable` struct.
    pub const CONTAINER: &[&str] = &[TABLE, SCHEMA, PRIMARY_KEY, INDEX, UNIQUE, CHECK, RENAME_ALL, RENAMED_FROM, CRATE];
    /// Keys of `#[sync(...)]` on a `SyncTable` field.
    pub const FIELD: &[&str] = &[
        PRIMARY_KEY,
        IDENTITY,
        AUTOINCREMENT,
        UNIQUE,
        INDEX,
        DEFAULT,
        SQL_TYPE,
        REFERENCES,
        ON_DELETE,
        ON_UPDATE,
        CHECK,
        RENAME,
        RENAMED_FROM,
        USING,
        SKIP,
        NULLABLE,
        NOT_NULL,
    ];
    /// Keys inside `index(...)`.
    pub const INDEX_ARGS: &[&str] = &[COLUMNS, UNIQUE, NAME, WHERE];
    /// Keys inside `check(...)`.
    pub const CHECK_ARGS: &[&str] = &[NAME, EXPR];
    /// Keys inside `sql_type(...)` and `default(...)`.
    pub const DIALECTS: &[&str] = &[POSTGRES, SQLITE];
    /// Keys of `#[sync(...)]` on a `SyncEnum` enum.
    pub const ENUM: &[&str] = &[NAME, SCHEMA, RENAME_ALL, CRATE];
    /// Keys of `#[sync(...)]` on a `SyncEnum` variant.
    pub const VARIANT: &[&str] = &[RENAME];
    /// Values of `on_delete` / `on_update`.
    pub const FK_ACTIONS: &[&str] = &["cascade", "restrict", "set_null", "set_default", "no_action"];
}

/// `` `a`, `b`, `c` `` for messages.
pub(crate) fn one_of(list: &[&str]) -> String {
    list.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// A value with the span of the token it came from.
#[derive(Clone, Debug)]
pub(crate) struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A name written as an identifier (`email`) or a string (`"Org ID"`).
pub(crate) type Name = Spanned<String>;

impl Parse for Spanned<String> {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            Ok(Spanned { value: lit.value(), span: lit.span() })
        } else {
            let ident = Ident::parse_any(input)?;
            Ok(Spanned { value: ident.unraw().to_string(), span: ident.span() })
        }
    }
}

/// One attribute key that may appear once; a second occurrence is an error at its key.
pub(crate) struct Attr<T> {
    key: &'static str,
    /// The value and the span of its key.
    pub value: Option<(Span, T)>,
}

impl<T> Attr<T> {
    fn new(key: &'static str) -> Self {
        Attr { key, value: None }
    }

    fn set(&mut self, cx: &Ctxt, key_span: Span, value: T) {
        if self.value.is_some() {
            cx.error(key_span, format!("duplicate `sync` attribute `{}`", self.key));
        } else {
            self.value = Some((key_span, value));
        }
    }

    /// Span of the key when set.
    pub fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|(s, _)| *s)
    }

    /// The value when set.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, v)| v)
    }

    /// The attribute's key, for messages.
    pub fn key(&self) -> &'static str {
        self.key
    }
}

/// A `postgres = "...", sqlite = "..."` pair (`sql_type(...)`, `default(...)`).
#[derive(Default)]
pub(crate) struct PerDialect {
    pub postgres: Option<LitStr>,
    pub sqlite: Option<LitStr>,
}

/// `sql_type = "..."` or `sql_type(postgres = "...", sqlite = "...")`; same for `default`.
pub(crate) enum Dialected {
    All(LitStr),
    Each(PerDialect),
}

/// `references = Path` or `references = Path(column)`.
pub(crate) struct References {
    pub path: Path,
    pub column: Option<Name>,
}

/// `on_delete = "cascade"` parsed to the variant name of `FkAction`.
pub(crate) type Action = Spanned<&'static str>;

/// `#[sync(...)]` on a field.
pub(crate) struct FieldAttrs {
    pub primary_key: Attr<()>,
    pub identity: Attr<()>,
    pub autoincrement: Attr<()>,
    pub unique: Attr<()>,
    pub index: Attr<()>,
    pub default: Attr<Dialected>,
    pub sql_type: Attr<Dialected>,
    pub references: Attr<References>,
    pub on_delete: Attr<Action>,
    pub on_update: Attr<Action>,
    pub check: Attr<LitStr>,
    pub rename: Attr<LitStr>,
    pub renamed_from: Attr<LitStr>,
    pub using: Attr<LitStr>,
    pub skip: Attr<()>,
    pub nullable: Attr<()>,
    pub not_null: Attr<()>,
}

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

/// `#[sync(...)]` on a `SyncEnum` enum.
pub(crate) struct EnumAttrs {
    pub name: Attr<LitStr>,
    pub schema: Attr<LitStr>,
    pub rename_all: Attr<LitStr>,
    pub krate: Attr<Path>,
}

/// `#[sync(...)]` on a `SyncEnum` variant.
pub(crate) struct VariantAttrs {
    pub rename: Attr<LitStr>,
}

fn key_of(meta: &ParseNestedMeta<'_>) -> String {
    meta.path.get_ident().map(|i| i.unraw().to_string()).unwrap_or_else(|| {
        let segs: Vec<String> = meta.path.segments.iter().map(|s| s.ident.to_string()).collect();
        segs.join("::")
    })
}

/// Skips whatever follows an unknown key (`= value` or `(...)`), so parsing can go on.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(token::Paren) {
        let _content;
        parenthesized!(_content in meta.input);
    }
    Ok(())
}

fn unknown(cx: &Ctxt, meta: &ParseNestedMeta<'_>, key: &str, place: &str, legal: &[&str]) -> syn::Result<()> {
    skip_value(meta)?;
    cx.error(
        meta.path.span(),
        format!("unknown `sync` attribute `{key}` on {place}, expected one of {}", one_of(legal)),
    );
    Ok(())
}

/// A key that takes no value (`primary_key`, `skip`).
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<()>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(token::Paren) {
        skip_value(meta)?;
        cx.error(meta.path.span(), format!("`{}` takes no value, write `#[sync({})]`", attr.key, attr.key));
        return Ok(());
    }
    attr.set(cx, meta.path.span(), ());
    Ok(())
}

/// `key = "string"`.
fn string(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<LitStr>) -> syn::Result<()> {
    let key = attr.key;
    if !meta.input.peek(Token![=]) {
        skip_value(meta)?;
        cx.error(meta.path.span(), format!("expected `{key} = \"...\"`"));
        return Ok(());
    }
    let value = meta.value()?;
    if !value.peek(LitStr) {
        let expr: syn::Expr = value.parse()?;
        cx.error(expr.span(), format!("expected a string literal: `{key} = \"...\"`"));
        return Ok(());
    }
    let lit: LitStr = value.parse()?;
    attr.set(cx, meta.path.span(), lit);
    Ok(())
}

/// `key = "..."` or `key(postgres = "...", sqlite = "...")`.
fn dialected(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<Dialected>) -> syn::Result<()> {
    let key = attr.key;
    if meta.input.peek(Token![=]) {
        let mut tmp = Attr::new(key);
        string(cx, meta, &mut tmp)?;
        if let Some((_, lit)) = tmp.value {
            attr.set(cx, meta.path.span(), Dialected::All(lit));
        }
        return Ok(());
    }
    if !meta.input.peek(token::Paren) {
        cx.error(
            meta.path.span(),
            format!("expected `{key} = \"...\"` or `{key}(postgres = \"...\", sqlite = \"...\")`"),
        );
        return Ok(());
    }
    let mut postgres = Attr::new(keys::POSTGRES);
    let mut sqlite = Attr::new(keys::SQLITE);
    meta.parse_nested_meta(|inner| {
        match key_of(&inner).as_str() {
            keys::POSTGRES => string(cx, &inner, &mut postgres)?,
            keys::SQLITE => string(cx, &inner, &mut sqlite)?,
            other => unknown(cx, &inner, other, &format!("`{key}(...)`"), keys::DIALECTS)?,
        }
        Ok(())
    })?;
    if postgres.value.is_none() && sqlite.value.is_none() {
        cx.error(meta.path.span(), format!("`{key}(...)` needs `postgres = \"...\"`, `sqlite = \"...\"` or both"));
    }
    let each = PerDialect { postgres: postgres.value.map(|v| v.1), sqlite: sqlite.value.map(|v| v.1) };
    attr.set(cx, meta.path.span(), Dialected::Each(each));
    Ok(())
}

/// `on_delete = "cascade"`: checks the value against [`keys::FK_ACTIONS`].
fn action(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<Action>) -> syn::Result<()> {
    let mut tmp = Attr::new(attr.key);
    string(cx, meta, &mut tmp)?;
    let Some((_, lit)) = tmp.value else { return Ok(()) };
    let variant = match lit.value().as_str() {
        "cascade" => "Cascade",
        "restrict" => "Restrict",
        "set_null" => "SetNull",
        "set_default" => "SetDefault",
        "no_action" => "NoAction",
        other => {
            cx.error(
                lit.span(),
                format!("invalid `{}` value `{other}`, expected one of {}", attr.key, one_of(keys::FK_ACTIONS)),
            );
            return Ok(());
        }
    };
    attr.set(cx, meta.path.span(), Spanned { value: variant, span: lit.span() });
    Ok(())
}

/// `(a, b, "c d")` after a key.
fn name_list(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<Name>> {
    let content;
    parenthesized!(content in meta.input);
    Ok(Punctuated::<Name, Token![,]>::parse_terminated(&content)?.into_iter().collect())
}

fn references(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<References>) -> syn::Result<()> {
    if !meta.input.peek(Token![=]) {
        skip_value(meta)?;
        cx.error(meta.path.span(), "expected `references = Table` or `references = Table(column)`");
        return Ok(());
    }
    let value = meta.value()?;
    let path = Path::parse_mod_style(value)?;
    let column = if value.peek(token::Paren) {
        let content;
        parenthesized!(content in value);
        let name: Name = content.parse()?;
        if !content.is_empty() {
            return Err(content
                .error("`references = Table(column)` takes one column; composite foreign keys are not supported yet"));
        }
        Some(name)
    } else {
        None
    };
    attr.set(cx, meta.path.span(), References { path, column });
    Ok(())
}

/// `crate = "path"`.
fn krate(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<Path>) -> syn::Result<()> {
    let mut tmp = Attr::new(keys::CRATE);
    string(cx, meta, &mut tmp)?;
    if let Some((span, lit)) = tmp.value {
        match lit.parse::<Path>() {
            Ok(path) => attr.set(cx, span, path),
            Err(_) => cx.error(lit.span(), "expected a path such as `crate = \"::schema_sync\"`"),
        }
    }
    Ok(())
}

fn sync_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident(keys::SYNC))
}

/// Runs `f` over every key of every `#[sync(...)]`, recording syntax errors.
fn each_key(cx: &Ctxt, attrs: &[Attribute], mut f: impl FnMut(&ParseNestedMeta<'_>, &str) -> syn::Result<()>) {
    for attr in sync_attrs(attrs) {
        if let syn::Meta::Path(p) = &attr.meta {
            cx.error(p.span(), "expected `#[sync(...)]` with at least one key");
            continue;
        }
        if let Err(e) = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            f(&meta, &key)
        }) {
            cx.syn_error(e);
        }
    }
}

impl FieldAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = FieldAttrs {
            primary_key: Attr::new(keys::PRIMARY_KEY),
            identity: Attr::new(keys::IDENTITY),
            autoincrement: Attr::new(keys::AUTOINCREMENT),
            unique: Attr::new(keys::UNIQUE),
            index: Attr::new(keys::INDEX),
            default: Attr::new(keys::DEFAULT),
            sql_type: Attr::new(keys::SQL_TYPE),
            references: Attr::new(keys::REFERENCES),
            on_delete: Attr::new(keys::ON_DELETE),
            on_update: Attr::new(keys::ON_UPDATE),
            check: Attr::new(keys::CHECK),
            rename: Attr::new(keys::RENAME),
            renamed_from: Attr::new(keys::RENAMED_FROM),
            using: Attr::new(keys::USING),
            skip: Attr::new(keys::SKIP),
            nullable: Attr::new(keys::NULLABLE),
            not_null: Attr::new(keys::NOT_NULL),
        };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::PRIMARY_KEY => {
                    if meta.input.peek(token::Paren) {
                        skip_value(meta)?;
                        cx.error(
                            meta.path.span(),
                            "`primary_key(...)` with columns goes on the struct; on a field write `#[sync(primary_key)]`",
                        );
                    } else {
                        flag(cx, meta, &mut a.primary_key)?;
                    }
                }
                keys::IDENTITY => flag(cx, meta, &mut a.identity)?,
                keys::AUTOINCREMENT => flag(cx, meta, &mut a.autoincrement)?,
                keys::UNIQUE => flag(cx, meta, &mut a.unique)?,
                keys::INDEX => flag(cx, meta, &mut a.index)?,
                keys::SKIP => flag(cx, meta, &mut a.skip)?,
                keys::NULLABLE => flag(cx, meta, &mut a.nullable)?,
                keys::NOT_NULL => flag(cx, meta, &mut a.not_null)?,
                keys::DEFAULT => dialected(cx, meta, &mut a.default)?,
                keys::SQL_TYPE => dialected(cx, meta, &mut a.sql_type)?,
                keys::REFERENCES => references(cx, meta, &mut a.references)?,
                keys::ON_DELETE => action(cx, meta, &mut a.on_delete)?,
                keys::ON_UPDATE => action(cx, meta, &mut a.on_update)?,
                keys::CHECK => string(cx, meta, &mut a.check)?,
                keys::RENAME => string(cx, meta, &mut a.rename)?,
                keys::RENAMED_FROM => string(cx, meta, &mut a.renamed_from)?,
                keys::USING => string(cx, meta, &mut a.using)?,
                other => unknown(cx, meta, other, "a field", keys::FIELD)?,
            }
            Ok(())
        });
        a
    }

    /// Every key that was given, with its span, in a fixed order (for conflict checks).
    pub fn given(&self) -> Vec<(&'static str, Span)> {
        let spans = [
            (self.primary_key.key(), self.primary_key.span()),
            (self.identity.key(), self.identity.span()),
            (self.autoincrement.key(), self.autoincrement.span()),
            (self.unique.key(), self.unique.span()),
            (self.index.key(), self.index.span()),
            (self.default.key(), self.default.span()),
            (self.sql_type.key(), self.sql_type.span()),
            (self.references.key(), self.references.span()),
            (self.on_delete.key(), self.on_delete.span()),
            (self.on_update.key(), self.on_update.span()),
            (self.check.key(), self.check.span()),
            (self.rename.key(), self.rename.span()),
            (self.renamed_from.key(), self.renamed_from.span()),
            (self.using.key(), self.using.span()),
            (self.nullable.key(), self.nullable.span()),
            (self.not_null.key(), self.not_null.span()),
        ];
        spans.into_iter().filter_map(|(k, s)| s.map(|s| (k, s))).collect()
    }
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

fn index(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<IndexAttr> {
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

fn check(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<CheckAttr> {
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

impl EnumAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = EnumAttrs {
            name: Attr::new(keys::NAME),
            schema: Attr::new(keys::SCHEMA),
            rename_all: Attr::new(keys::RENAME_ALL),
            krate: Attr::new(keys::CRATE),
        };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::NAME => string(cx, meta, &mut a.name)?,
                keys::SCHEMA => string(cx, meta, &mut a.schema)?,
                keys::RENAME_ALL => string(cx, meta, &mut a.rename_all)?,
                keys::CRATE => krate(cx, meta, &mut a.krate)?,
                other => unknown(cx, meta, other, "a `SyncEnum` enum", keys::ENUM)?,
            }
            Ok(())
        });
        a
    }
}

impl VariantAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = VariantAttrs { rename: Attr::new(keys::RENAME) };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::RENAME => string(cx, meta, &mut a.rename)?,
                other => unknown(cx, meta, other, "an enum variant", keys::VARIANT)?,
            }
            Ok(())
        });
        a
    }
}
