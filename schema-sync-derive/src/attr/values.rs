//! The value shapes of `#[sync(...)]` keys (a flag, a string, a per-dialect pair, a name list,
//! a path) and the parsers that read them, recording every mistake in the [`Ctxt`].

use super::keys::{self, one_of};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{parenthesized, token, Attribute, Ident, LitStr, Path, Token};

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
    pub(crate) fn new(key: &'static str) -> Self {
        Attr { key, value: None }
    }

    pub(crate) fn set(&mut self, cx: &Ctxt, key_span: Span, value: T) {
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

pub(crate) fn key_of(meta: &ParseNestedMeta<'_>) -> String {
    meta.path.get_ident().map(|i| i.unraw().to_string()).unwrap_or_else(|| {
        let segs: Vec<String> = meta.path.segments.iter().map(|s| s.ident.to_string()).collect();
        segs.join("::")
    })
}

/// Skips whatever follows an unknown key (`= value` or `(...)`), so parsing can go on.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(token::Paren) {
        let _content;
        parenthesized!(_content in meta.input);
    }
    Ok(())
}

pub(crate) fn unknown(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &str,
    place: &str,
    legal: &[&str],
) -> syn::Result<()> {
    skip_value(meta)?;
    cx.error(
        meta.path.span(),
        format!("unknown `sync` attribute `{key}` on {place}, expected one of {}", one_of(legal)),
    );
    Ok(())
}

/// A key that takes no value (`primary_key`, `skip`).
pub(crate) fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<()>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(token::Paren) {
        skip_value(meta)?;
        cx.error(meta.path.span(), format!("`{}` takes no value, write `#[sync({})]`", attr.key, attr.key));
        return Ok(());
    }
    attr.set(cx, meta.path.span(), ());
    Ok(())
}

/// `key = "string"`.
pub(crate) fn string(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<LitStr>) -> syn::Result<()> {
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
pub(crate) fn dialected(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<Dialected>) -> syn::Result<()> {
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
pub(crate) fn action(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<Action>) -> syn::Result<()> {
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
pub(crate) fn name_list(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<Name>> {
    let content;
    parenthesized!(content in meta.input);
    Ok(Punctuated::<Name, Token![,]>::parse_terminated(&content)?.into_iter().collect())
}

pub(crate) fn references(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<References>) -> syn::Result<()> {
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
pub(crate) fn krate(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attr: &mut Attr<Path>) -> syn::Result<()> {
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
pub(crate) fn each_key(
    cx: &Ctxt,
    attrs: &[Attribute],
    mut f: impl FnMut(&ParseNestedMeta<'_>, &str) -> syn::Result<()>,
) {
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
