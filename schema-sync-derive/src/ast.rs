//! Stage 2: the internal model of the input — the struct (or enum) with its attributes parsed and
//! SQL names resolved (`table`, `rename`, `rename_all`, snake_case defaults). Shape errors
//! (tuple struct, enum, union, generics) are reported here.

use crate::attr::{one_of, ContainerAttrs, EnumAttrs, FieldAttrs, Name, Spanned, VariantAttrs};
use crate::ctxt::Ctxt;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Path, Type};

mod view;
pub(crate) use view::{view_name, View, ViewField};

/// A `#[derive(SyncTable)]` struct.
pub(crate) struct Table<'a> {
    pub ident: &'a Ident,
    pub attrs: ContainerAttrs,
    /// Path of the facade (`::schema_sync` or `#[sync(crate = "...")]`).
    pub krate: Path,
    /// Table name and the span to blame for it (the `table` literal or the struct's name).
    pub name: Name,
    /// Every named field, skipped ones included.
    pub fields: Vec<Field<'a>>,
}

/// One named field.
pub(crate) struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
    /// Column name and the span to blame for it (the `rename` literal or the field's name).
    pub column: Name,
}

impl Field<'_> {
    pub fn skipped(&self) -> bool {
        self.attrs.skip.value.is_some()
    }
}

/// A `#[derive(SyncEnum)]` enum.
pub(crate) struct Enum<'a> {
    pub ident: &'a Ident,
    pub krate: Path,
    pub name: Name,
    pub schema: Option<LitStr>,
    pub variants: Vec<Variant<'a>>,
}

/// One unit variant and its label.
pub(crate) struct Variant<'a> {
    pub ident: &'a Ident,
    pub label: Name,
}

/// `rename_all = "..."` values, as in serde.
#[derive(Clone, Copy)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

const RENAME_RULES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

impl RenameRule {
    pub(crate) fn parse(cx: &Ctxt, lit: &LitStr) -> Option<Self> {
        Some(match lit.value().as_str() {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            other => {
                cx.error(
                    lit.span(),
                    format!("invalid `rename_all` value `{other}`, expected one of {}", one_of(RENAME_RULES)),
                );
                return None;
            }
        })
    }

    /// Applies the rule to a name, split into words first (so it works on `snake_case` fields and
    /// `PascalCase` variants alike).
    pub fn apply(self, name: &str) -> String {
        let words = words(name);
        let cap = |w: &String| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        };
        match self {
            RenameRule::Lower => words.concat(),
            RenameRule::Upper => words.concat().to_uppercase(),
            RenameRule::Pascal => words.iter().map(cap).collect(),
            RenameRule::Camel => {
                words.iter().enumerate().map(|(i, w)| if i == 0 { w.clone() } else { cap(w) }).collect()
            }
            RenameRule::Snake => words.join("_"),
            RenameRule::ScreamingSnake => words.join("_").to_uppercase(),
            RenameRule::Kebab => words.join("-"),
            RenameRule::ScreamingKebab => words.join("-").to_uppercase(),
        }
    }
}

/// Lowercase words of an identifier: `HTTPRequest` → `http`, `request`; `user_id` → `user`, `id`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `UserProfile` → `user_profile`, `HTTPLog` → `http_log`.
pub(crate) fn snake_case(name: &str) -> String {
    RenameRule::Snake.apply(name)
}

pub(crate) fn krate(path: Option<&Path>) -> Path {
    path.cloned().unwrap_or_else(|| syn::parse_quote!(::schema_sync))
}

/// Reports generics and non-struct inputs; `true` when the shape is fine.
pub(crate) fn no_generics(cx: &Ctxt, input: &DeriveInput, derive: &str) -> bool {
    if input.generics.params.is_empty() && input.generics.where_clause.is_none() {
        return true;
    }
    cx.error_spanned(
        &input.generics,
        format!("`{derive}` cannot be derived for a generic type: a table has one fixed set of columns"),
    );
    false
}

/// The named fields of a struct (none for a unit struct), or `None` (error recorded) for a
/// tuple struct, an enum or a union.
pub(crate) fn named_fields<'a>(cx: &Ctxt, input: &'a DeriveInput, derive: &str) -> Option<Vec<&'a syn::Field>> {
    match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(named.named.iter().collect::<Vec<_>>()),
            Fields::Unit => Some(Vec::new()),
            Fields::Unnamed(unnamed) => {
                cx.error(
                    unnamed.paren_token.span.join(),
                    format!("`{derive}` needs named fields: each field is a column named after it"),
                );
                None
            }
        },
        Data::Enum(e) => {
            cx.error(
                e.enum_token.span,
                format!("`{derive}` can only be derived for a struct with named fields; for a fieldless enum stored in a column use `#[derive(SyncEnum)]`"),
            );
            None
        }
        Data::Union(u) => {
            cx.error(
                u.union_token.span,
                format!("`{derive}` can only be derived for a struct with named fields, not a union"),
            );
            None
        }
    }
}

/// A field's column name: `rename = "..."`, else the field's name under `rule`.
pub(crate) fn column_name(ident: &Ident, rename: Option<&LitStr>, rule: Option<RenameRule>) -> Name {
    match rename {
        Some(lit) => Spanned { value: lit.value(), span: lit.span() },
        None => {
            let raw = ident.unraw().to_string();
            let value = rule.map_or_else(|| raw.clone(), |r| r.apply(&raw));
            Spanned { value, span: ident.span() }
        }
    }
}

impl<'a> Table<'a> {
    /// The struct's model, or `None` (errors recorded) when the input is not a plain struct
    /// with named fields. `attrs` are parsed even then, for the stub impl's name.
    pub fn from_input(cx: &Ctxt, input: &'a DeriveInput) -> (ContainerAttrs, Option<Vec<Field<'a>>>) {
        let attrs = ContainerAttrs::parse(cx, &input.attrs);
        let generic_ok = no_generics(cx, input, "SyncTable");
        let fields = named_fields(cx, input, "SyncTable");
        let rule = attrs.rename_all.get().and_then(|lit| RenameRule::parse(cx, lit));
        let fields = fields.filter(|_| generic_ok).map(|fields| {
            fields
                .into_iter()
                .map(|f| {
                    let ident = f.ident.as_ref().expect("named field");
                    let attrs = FieldAttrs::parse(cx, &f.attrs);
                    let column = column_name(ident, attrs.rename.get(), rule);
                    Field { ident, ty: &f.ty, attrs, column }
                })
                .collect()
        });
        (attrs, fields)
    }

    pub fn new(ident: &'a Ident, attrs: ContainerAttrs, fields: Vec<Field<'a>>) -> Self {
        let name = table_name(ident, &attrs);
        let krate = krate(attrs.krate.get());
        Table { ident, attrs, krate, name, fields }
    }

    /// Non-skipped fields: the columns, in order.
    pub fn columns(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| !f.skipped())
    }
}

/// `table = "..."` or the struct's name in snake_case.
pub(crate) fn table_name(ident: &Ident, attrs: &ContainerAttrs) -> Name {
    match attrs.table.get() {
        Some(lit) => Spanned { value: lit.value(), span: lit.span() },
        None => Spanned { value: snake_case(&ident.unraw().to_string()), span: ident.span() },
    }
}

/// The facade path for a stub impl when the input is invalid.
pub(crate) fn krate_of(attrs: &ContainerAttrs) -> Path {
    krate(attrs.krate.get())
}

impl<'a> Enum<'a> {
    pub fn from_input(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = EnumAttrs::parse(cx, &input.attrs);
        let generic_ok = no_generics(cx, input, "SyncEnum");
        let data = match &input.data {
            Data::Enum(e) => e,
            Data::Struct(s) => {
                cx.error(
                    s.struct_token.span,
                    "`SyncEnum` can only be derived for a fieldless enum; for a table use `#[derive(SyncTable)]`",
                );
                return None;
            }
            Data::Union(u) => {
                cx.error(u.union_token.span, "`SyncEnum` can only be derived for a fieldless enum, not a union");
                return None;
            }
        };
        let rule = match attrs.rename_all.get() {
            Some(lit) => RenameRule::parse(cx, lit),
            None => Some(RenameRule::Snake),
        };
        if data.variants.is_empty() {
            cx.error(input.ident.span(), "`SyncEnum` needs at least one variant: a SQL enum cannot be empty");
        }
        let variants = data
            .variants
            .iter()
            .map(|v| {
                if !matches!(v.fields, Fields::Unit) {
                    cx.error_spanned(
                        &v.fields,
                        format!("`SyncEnum` variants cannot have fields; `{}` is stored as a label only", v.ident),
                    );
                }
                let vattrs = VariantAttrs::parse(cx, &v.attrs);
                let label = match vattrs.rename.get() {
                    Some(lit) => Spanned { value: lit.value(), span: lit.span() },
                    None => {
                        let raw = v.ident.unraw().to_string();
                        Spanned { value: rule.map_or_else(|| raw.clone(), |r| r.apply(&raw)), span: v.ident.span() }
                    }
                };
                Variant { ident: &v.ident, label }
            })
            .collect();
        let name = match attrs.name.get() {
            Some(lit) => Spanned { value: lit.value(), span: lit.span() },
            None => Spanned { value: snake_case(&input.ident.unraw().to_string()), span: input.ident.span() },
        };
        generic_ok.then(|| Enum {
            ident: &input.ident,
            krate: krate(attrs.krate.get()),
            name,
            schema: attrs.schema.get().cloned(),
            variants,
        })
    }
}

/// `Option<…>` written as such (last path segment `Option` with one type argument). Used only for
/// columns with `sql_type = "..."`, whose Rust type need not implement `SqlColumnType`.
pub(crate) fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|s| {
            s.ident == "Option" && matches!(&s.arguments, syn::PathArguments::AngleBracketed(a) if a.args.len() == 1)
        }),
        Type::Group(g) => is_option(&g.elem),
        Type::Paren(p) => is_option(&p.elem),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_rules_apply_to_fields_and_variants() {
        for (rule, input, want) in [
            (RenameRule::Snake, "UserProfile", "user_profile"),
            (RenameRule::Snake, "HTTPRequestLog", "http_request_log"),
            (RenameRule::Snake, "user_id", "user_id"),
            (RenameRule::Snake, "Utf8Text", "utf8_text"),
            (RenameRule::Camel, "created_at", "createdAt"),
            (RenameRule::Pascal, "created_at", "CreatedAt"),
            (RenameRule::ScreamingSnake, "InProgress", "IN_PROGRESS"),
            (RenameRule::Kebab, "in_progress", "in-progress"),
            (RenameRule::ScreamingKebab, "InProgress", "IN-PROGRESS"),
            (RenameRule::Lower, "InProgress", "inprogress"),
            (RenameRule::Upper, "in_progress", "INPROGRESS"),
        ] {
            assert_eq!(rule.apply(input), want, "{input}");
        }
    }

    #[test]
    fn option_is_recognised_by_its_last_segment() {
        let yes: Type = syn::parse_quote!(std::option::Option<Foo>);
        let no: Type = syn::parse_quote!(Vec<Option<Foo>>);
        assert!(is_option(&yes));
        assert!(!is_option(&no));
    }
}
