//! `#[derive(SyncView)]` code generation.

use super::{opt_lit, opt_str};
use crate::ast::{View, ViewField};
use crate::attr::Dialected;
use crate::check::{self, IndexModel};
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, LitStr, Path};

/// `#[derive(SyncView)]`.
pub fn sync_view(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let (attrs, fields) = View::from_input(&cx, input);
    let Some(fields) = fields else {
        let stub = input.generics.params.is_empty().then(|| {
            let name = crate::ast::view_name(&input.ident, &attrs).value;
            view_impl(&crate::ast::krate(attrs.krate.get()), &input.ident, &name, None)
        });
        let errors = cx.finish().err().map(|e| e.to_compile_error());
        return quote!(#errors #stub);
    };
    let view = View::new(&input.ident, attrs, fields);
    let indexes = check::view(&cx, &view);
    match cx.finish() {
        Ok(()) => view_impl(&view.krate, view.ident, &view.name.value, Some((&view, &indexes))),
        Err(e) => {
            let errors = e.to_compile_error();
            let stub = view_impl(&view.krate, view.ident, &view.name.value, None);
            quote!(#errors #stub)
        }
    }
}

/// The impls; with `None` a stub with the right name and nothing else, emitted next to errors
/// so that `schema![…]` naming the struct does not fail as well.
fn view_impl(k: &Path, ident: &syn::Ident, name: &str, full: Option<(&View<'_>, &[IndexModel])>) -> TokenStream {
    let none = quote!(::core::option::Option::None);
    let (schema, columns, postgres, sqlite, flags, indexes, comment) = match full {
        None => (none.clone(), Vec::new(), none.clone(), none.clone(), [false; 3], Vec::new(), none),
        Some((v, indexes)) => {
            let (postgres, sqlite) = match v.attrs.query.get() {
                Some(Dialected::All(lit)) => (opt_lit(Some(lit)), opt_lit(Some(lit))),
                Some(Dialected::Each(each)) => (opt_lit(each.postgres.as_ref()), opt_lit(each.sqlite.as_ref())),
                None => (opt_lit(None), opt_lit(None)),
            };
            let flags = [
                v.attrs.materialized.span().is_some(),
                v.attrs.security_invoker.span().is_some(),
                v.attrs.security_barrier.span().is_some(),
            ];
            let indexes = indexes
                .iter()
                .map(|ix| {
                    let (n, cols, unique, predicate) =
                        (&ix.name, &ix.columns, ix.unique, opt_str(ix.predicate.clone()));
                    quote!(#k::__private::IndexDef { name: #n, columns: &[#(#cols),*], unique: #unique, predicate: #predicate })
                })
                .collect();
            let columns = v.fields.iter().map(|f| column(k, f)).collect();
            (opt_lit(v.attrs.schema.get()), columns, postgres, sqlite, flags, indexes, opt_lit(v.attrs.comment.get()))
        }
    };
    let [materialized, security_invoker, security_barrier] = flags;
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #k::__private::SyncView for #ident {
                const VIEW: #k::__private::ViewDef = #k::__private::ViewDef {
                    schema: #schema,
                    name: #name,
                    columns: &[#(#columns),*],
                    postgres: #postgres,
                    sqlite: #sqlite,
                    materialized: #materialized,
                    security_invoker: #security_invoker,
                    security_barrier: #security_barrier,
                    indexes: &[#(#indexes),*],
                    comment: #comment,
                };
            }
            #[automatically_derived]
            impl #k::__private::SchemaPart for #ident {
                const PART: #k::__private::SchemaEntry =
                    #k::__private::SchemaEntry::View(<Self as #k::__private::SyncView>::VIEW);
            }
        };
    }
}

fn column(k: &Path, f: &ViewField<'_>) -> TokenStream {
    let (name, field) = (&f.column.value, f.ident.to_string());
    let comment = opt_lit(f.attrs.comment.get().map(|l: &LitStr| l));
    quote!(#k::__private::ViewColumnDef { name: #name, field: #field, comment: #comment })
}
