//! The internal model of a `#[derive(SyncView)]` struct.

use super::{column_name, krate, named_fields, no_generics, snake_case, RenameRule};
use crate::attr::{Name, Spanned, ViewAttrs, ViewFieldAttrs};
use crate::ctxt::Ctxt;
use syn::ext::IdentExt;
use syn::{DeriveInput, Ident, Path};

/// A `#[derive(SyncView)]` struct.
pub(crate) struct View<'a> {
    pub ident: &'a Ident,
    pub attrs: ViewAttrs,
    pub krate: Path,
    /// View name and the span to blame for it (the `view` literal or the struct's name).
    pub name: Name,
    /// The columns, in field order.
    pub fields: Vec<ViewField<'a>>,
}

/// One field: a column of the view.
pub(crate) struct ViewField<'a> {
    pub ident: &'a Ident,
    pub attrs: ViewFieldAttrs,
    pub column: Name,
}

impl<'a> View<'a> {
    /// The struct's model, or `None` (errors recorded) when the input is not a plain struct with
    /// named fields. `attrs` are parsed even then, for the stub impl.
    pub fn from_input(cx: &Ctxt, input: &'a DeriveInput) -> (ViewAttrs, Option<Vec<ViewField<'a>>>) {
        let attrs = ViewAttrs::parse(cx, &input.attrs);
        let generic_ok = no_generics(cx, input, "SyncView");
        let rule = attrs.rename_all.get().and_then(|lit| RenameRule::parse(cx, lit));
        let fields = named_fields(cx, input, "SyncView").filter(|_| generic_ok).map(|fields| {
            fields
                .into_iter()
                .map(|f| {
                    let ident = f.ident.as_ref().expect("named field");
                    let attrs = ViewFieldAttrs::parse(cx, &f.attrs);
                    let column = column_name(ident, attrs.rename.get(), rule);
                    ViewField { ident, attrs, column }
                })
                .collect()
        });
        (attrs, fields)
    }

    pub fn new(ident: &'a Ident, attrs: ViewAttrs, fields: Vec<ViewField<'a>>) -> Self {
        let name = view_name(ident, &attrs);
        let krate = krate(attrs.krate.get());
        View { ident, attrs, krate, name, fields }
    }
}

/// `view = "..."` or the struct's name in snake_case.
pub(crate) fn view_name(ident: &Ident, attrs: &ViewAttrs) -> Name {
    match attrs.view.get() {
        Some(lit) => Spanned { value: lit.value(), span: lit.span() },
        None => Spanned { value: snake_case(&ident.unraw().to_string()), span: ident.span() },
    }
}
