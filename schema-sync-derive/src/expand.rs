//! Stage 4: code generation.
//!
//! Everything goes through `<krate>::__private` with absolute paths, inside `const _: () = { … };`.
//! Type-level checks are emitted with `quote_spanned!` at the user's token, so the compiler's
//! error points there: `<FieldType as SqlColumnType>` at the field type, `<T as SyncTable>` at the
//! `references` path, the key-type assertion at the field type.

use crate::ast::{is_option, krate_of, table_name, Enum, Field, Table};
use crate::attr::Dialected;
use crate::check::{self, Checked};
use crate::ctxt::Ctxt;
use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr, Path};

mod view;
pub use view::sync_view;

/// Copies `tokens` with every span set to `span` (so a path to the facade does not drag the
/// macro's call site into an error that should point at a field).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), respan(g.stream(), span));
                ng.set_span(span);
                TokenTree::Group(ng)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

fn opt_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn opt_lit(lit: Option<&LitStr>) -> TokenStream {
    opt_str(lit.map(LitStr::value))
}

/// `#[derive(SyncTable)]`.
pub fn sync_table(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let (attrs, fields) = Table::from_input(&cx, input);
    let Some(fields) = fields else {
        let stub = input.generics.params.is_empty().then(|| {
            let name = table_name(&input.ident, &attrs).value;
            let k = krate_of(&attrs);
            table_stub(&k, &input.ident, &name, &[], quote!(#k::__private::NoPrimaryKey))
        });
        let errors = cx.finish().err().map(|e| e.to_compile_error());
        return quote!(#errors #stub);
    };
    let table = Table::new(&input.ident, attrs, fields);
    let checked = check::table(&cx, &table);
    match cx.finish() {
        Ok(()) => table_impl(&table, &checked),
        Err(e) => {
            let errors = e.to_compile_error();
            let pk_names: Vec<&String> = checked.primary_key.iter().map(|&i| &table.fields[i].column.value).collect();
            let stub = table_stub(&table.krate, table.ident, &table.name.value, &pk_names, pk_type(&table, &checked));
            let has_column = has_column_impls(&table);
            quote!(#errors #stub const _: () = { #has_column };)
        }
    }
}

/// `HasColumn` for each column (first of each name), which `references = T(column)` checks.
fn has_column_impls(t: &Table<'_>) -> TokenStream {
    let k = &t.krate;
    let ident = t.ident;
    let mut seen: Vec<&String> = Vec::new();
    let mut out = TokenStream::new();
    for f in t.columns() {
        if seen.contains(&&f.column.value) {
            continue;
        }
        seen.push(&f.column.value);
        let (col, fty) = (&f.column.value, f.ty);
        out.extend(quote! {
            #[automatically_derived]
            impl #k::__private::HasColumn<{ #k::__private::column_key(#col) }> for #ident {
                type Type = #fty;
            }
        });
    }
    out
}

/// `SyncTable::PrimaryKey`: the key field's type, a tuple, or `NoPrimaryKey`.
fn pk_type(t: &Table<'_>, c: &Checked) -> TokenStream {
    let k = &t.krate;
    match c.primary_key.as_slice() {
        [] => quote!(#k::__private::NoPrimaryKey),
        [one] => t.fields[*one].ty.to_token_stream(),
        many => {
            let tys = many.iter().map(|&i| t.fields[i].ty);
            quote!((#(#tys,)*))
        }
    }
}

/// An impl with the right name and key but no columns, emitted next to errors so that other
/// code using the struct (`references = ThisStruct`, `schema![…]`) does not fail as well.
fn table_stub(k: &Path, ident: &syn::Ident, name: &str, pk: &[&String], pk_type: TokenStream) -> TokenStream {
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #k::__private::SyncTable for #ident {
                const NAME: &'static str = #name;
                const SCHEMA: ::core::option::Option<&'static str> = ::core::option::Option::None;
                const PRIMARY_KEY: &'static [&'static str] = &[#(#pk),*];
                type PrimaryKey = #pk_type;
                const TABLE: #k::__private::TableDef = #k::__private::TableDef {
                    schema: ::core::option::Option::None,
                    name: #name,
                    renamed_from: ::core::option::Option::None,
                    columns: &[],
                    primary_key: &[],
                    indexes: &[],
                    uniques: &[],
                    foreign_keys: &[],
                    checks: &[],
                    row_security: #k::__private::RowSecurityDef { enabled: false, forced: false },
                    policies: &[],
                    grants: &[],
                    comment: ::core::option::Option::None,
                };
            }
            #[automatically_derived]
            impl #k::__private::SchemaPart for #ident {
                const PART: #k::__private::SchemaEntry = #k::__private::SchemaEntry::Table(
                    <Self as #k::__private::SyncTable>::TABLE,
                    <Self as #k::__private::SyncTable>::table,
                );
            }
        };
    }
}

/// `true` when the column's type comes from `<T as SqlColumnType>` (no `sql_type = "..."`).
fn mapped(f: &Field<'_>) -> bool {
    !matches!(f.attrs.sql_type.get(), Some(Dialected::All(_)))
}

/// The `nullable` expression of a column.
fn nullable(k: &Path, f: &Field<'_>, in_pk: bool) -> TokenStream {
    let a = &f.attrs;
    if in_pk || a.not_null.span().is_some() || a.identity.span().is_some() || a.autoincrement.span().is_some() {
        quote!(false)
    } else if a.nullable.span().is_some() {
        quote!(true)
    } else if !mapped(f) {
        let opt = is_option(f.ty);
        quote!(#opt)
    } else {
        let ty = f.ty;
        let span = ty.span();
        let k = respan(k.to_token_stream(), span);
        quote_spanned!(span=> <#ty as #k::__private::SqlColumnType>::NULLABLE)
    }
}

fn column_def(t: &Table<'_>, f: &Field<'_>, in_pk: bool) -> TokenStream {
    let k = &t.krate;
    let a = &f.attrs;
    let name = &f.column.value;
    let field = f.ident.to_string();
    let ty = match a.sql_type.get() {
        Some(Dialected::All(lit)) => quote!(#k::__private::ColumnType::Sql(#lit)),
        _ => {
            let span = f.ty.span();
            let fty = f.ty;
            let kk = respan(k.to_token_stream(), span);
            quote_spanned!(span=> <#fty as #kk::__private::SqlColumnType>::COLUMN_TYPE)
        }
    };
    let nullable = nullable(k, f, in_pk);
    let (default, pg_default, sqlite_default) = match a.default.get() {
        Some(Dialected::All(lit)) => (opt_lit(Some(lit)), opt_lit(None), opt_lit(None)),
        Some(Dialected::Each(each)) => (opt_lit(None), opt_lit(each.postgres.as_ref()), opt_lit(each.sqlite.as_ref())),
        None => (opt_lit(None), opt_lit(None), opt_lit(None)),
    };
    let (pg_type, sqlite_type) = match a.sql_type.get() {
        Some(Dialected::Each(each)) => (opt_lit(each.postgres.as_ref()), opt_lit(each.sqlite.as_ref())),
        _ => (opt_lit(None), opt_lit(None)),
    };
    let identity = if a.identity.span().is_some() {
        quote!(::core::option::Option::Some(#k::__private::Identity::ByDefault))
    } else if a.autoincrement.span().is_some() {
        quote!(::core::option::Option::Some(#k::__private::Identity::Autoincrement))
    } else {
        quote!(::core::option::Option::None)
    };
    let renamed_from = opt_lit(a.renamed_from.get());
    let using = opt_lit(a.using.get());
    let comment = opt_lit(a.comment.get());
    quote! {
        #k::__private::ColumnDef {
            name: #name,
            field: #field,
            ty: #ty,
            nullable: #nullable,
            default: #default,
            identity: #identity,
            overrides: #k::__private::OverridesDef {
                postgres_type: #pg_type,
                sqlite_type: #sqlite_type,
                postgres_default: #pg_default,
                sqlite_default: #sqlite_default,
            },
            renamed_from: #renamed_from,
            using: #using,
            comment: #comment,
        }
    }
}

/// `references = Self` inside the impl is fine, but the assertions live outside it.
fn target_path(t: &Table<'_>, path: &Path) -> TokenStream {
    if path.is_ident("Self") {
        let ident = syn::Ident::new(&t.ident.to_string(), path.span());
        quote!(#ident)
    } else {
        path.to_token_stream()
    }
}

/// The foreign key of one field, and the compile-time assertions it needs.
fn foreign_key(t: &Table<'_>, f: &Field<'_>) -> Option<(TokenStream, TokenStream)> {
    let r = f.attrs.references.get()?;
    let k = &t.krate;
    let span = r.path.span();
    let target = target_path(t, &r.path);
    let kt = respan(k.to_token_stream(), span);
    let as_table = quote_spanned!(span=> <#target as #kt::__private::SyncTable>);
    let col = &f.column.value;
    let own_schema = opt_lit(t.attrs.schema.get());
    let action = |a: &crate::attr::Attr<crate::attr::Action>| {
        let v = syn::Ident::new(a.get().map_or("NoAction", |s| s.value), Span::call_site());
        quote!(#k::__private::FkAction::#v)
    };
    let (on_delete, on_update) = (action(&f.attrs.on_delete), action(&f.attrs.on_update));
    let fty = f.ty;
    let tspan = fty.span();
    let kf = respan(k.to_token_stream(), tspan);
    let (ref_columns, key_type) = match &r.column {
        Some(c) => {
            let name = &c.value;
            // Every token at the column name, so a missing column is reported there.
            let kc = respan(k.to_token_stream(), c.span);
            let tc = respan(target.clone(), c.span);
            let has = quote_spanned!(c.span=>
                <#tc as #kc::__private::HasColumn<{ #kc::__private::column_key(#name) }>>::Type
            );
            (quote!(&[#name]), has)
        }
        None => (quote!(#as_table::PRIMARY_KEY), quote!(#as_table::PrimaryKey)),
    };
    let def = quote! {
        #k::__private::ForeignKeyDef {
            columns: &[#col],
            ref_schema: #k::__private::ref_schema(#own_schema, #as_table::SCHEMA),
            ref_table: #as_table::NAME,
            ref_columns: #ref_columns,
            on_delete: #on_delete,
            on_update: #on_update,
        }
    };
    let mut checks = quote_spanned!(tspan=>
        const _: () = #kf::__private::assert_key_type::<#fty, #key_type>();
    );
    // `set_null` needs a nullable column; only the compiler knows whether the type is `Option`.
    for a in [&f.attrs.on_delete, &f.attrs.on_update] {
        if let Some(act) = a.get().filter(|a| a.value == "SetNull") {
            let nullable = nullable(k, f, false);
            let msg =
                format!("`{} = \"set_null\"` needs a nullable column: make `{}` an `Option<_>`", a.key(), f.ident);
            checks.extend(quote_spanned!(act.span=> const _: () = ::core::assert!(#nullable, #msg);));
        }
    }
    Some((def, checks))
}

fn table_impl(t: &Table<'_>, c: &Checked) -> TokenStream {
    let k = &t.krate;
    let ident = t.ident;
    let name = &t.name.value;
    let schema = opt_lit(t.attrs.schema.get());
    let renamed_from = opt_lit(t.attrs.renamed_from.get());
    let pk_names: Vec<&String> = c.primary_key.iter().map(|&i| &t.fields[i].column.value).collect();
    let pk_type = pk_type(t, c);
    let mut columns = Vec::new();
    let mut fks = Vec::new();
    let mut checks = TokenStream::new();
    let has_column = has_column_impls(t);
    for (i, f) in t.fields.iter().enumerate() {
        if f.skipped() {
            continue;
        }
        let in_pk = c.primary_key.contains(&i);
        columns.push(column_def(t, f, in_pk));
        if let Some((def, assertions)) = foreign_key(t, f) {
            fks.push(def);
            checks.extend(assertions);
        }
        let fty = f.ty;
        let span = fty.span();
        let ks = respan(k.to_token_stream(), span);
        if f.attrs.identity.span().is_some() || f.attrs.autoincrement.span().is_some() {
            checks.extend(quote_spanned!(span=> const _: () = #ks::__private::assert_identity::<#fty>();));
        }
        if in_pk && mapped(f) && f.attrs.not_null.span().is_none() {
            let msg = format!("primary-key column `{}` cannot be nullable", f.column.value);
            checks.extend(quote_spanned!(span=>
                const _: () = ::core::assert!(!<#fty as #ks::__private::SqlColumnType>::NULLABLE, #msg);
            ));
        }
    }
    let indexes = c.indexes.iter().map(|ix| {
        let (n, cols, unique, predicate) = (&ix.name, &ix.columns, ix.unique, opt_str(ix.predicate.clone()));
        quote!(#k::__private::IndexDef { name: #n, columns: &[#(#cols),*], unique: #unique, predicate: #predicate })
    });
    let uniques = c.uniques.iter().map(|cols| quote!(#k::__private::UniqueDef { columns: &[#(#cols),*] }));
    let table_checks = c.checks.iter().map(|(n, e)| {
        let n = opt_str(n.clone());
        quote!(#k::__private::CheckDef { name: #n, expr: #e })
    });
    let (enabled, forced) = match t.attrs.rls.get() {
        Some(force) => (true, *force),
        None => (false, false),
    };
    let policies = t.attrs.policies.iter().map(|p| {
        let name = p.name.as_ref().map(LitStr::value).unwrap_or_default();
        let command = syn::Ident::new(
            match p.command {
                "select" => "Select",
                "insert" => "Insert",
                "update" => "Update",
                "delete" => "Delete",
                _ => "All",
            },
            proc_macro2::Span::call_site(),
        );
        let (restrictive, roles) = (p.restrictive, &p.roles);
        let (using, with_check) = (opt_lit(p.using.as_ref()), opt_lit(p.with_check.as_ref()));
        quote!(#k::__private::PolicyDef {
            name: #name,
            command: #k::__private::PolicyCommand::#command,
            restrictive: #restrictive,
            roles: &[#(#roles),*],
            using: #using,
            with_check: #with_check,
        })
    });
    let grants = t.attrs.grants.iter().map(|g| {
        let role = g.role.as_ref().map(LitStr::value).unwrap_or_default();
        let privileges = &g.privileges;
        quote!(#k::__private::GrantDef { role: #role, privileges: &[#(#privileges),*] })
    });
    let comment = opt_lit(t.attrs.comment.get());
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #k::__private::SyncTable for #ident {
                const NAME: &'static str = #name;
                const SCHEMA: ::core::option::Option<&'static str> = #schema;
                const PRIMARY_KEY: &'static [&'static str] = &[#(#pk_names),*];
                type PrimaryKey = #pk_type;
                const TABLE: #k::__private::TableDef = #k::__private::TableDef {
                    schema: #schema,
                    name: #name,
                    renamed_from: #renamed_from,
                    columns: &[#(#columns),*],
                    primary_key: <Self as #k::__private::SyncTable>::PRIMARY_KEY,
                    indexes: &[#(#indexes),*],
                    uniques: &[#(#uniques),*],
                    foreign_keys: &[#(#fks),*],
                    checks: &[#(#table_checks),*],
                    row_security: #k::__private::RowSecurityDef { enabled: #enabled, forced: #forced },
                    policies: &[#(#policies),*],
                    grants: &[#(#grants),*],
                    comment: #comment,
                };
            }
            #[automatically_derived]
            impl #k::__private::SchemaPart for #ident {
                const PART: #k::__private::SchemaEntry = #k::__private::SchemaEntry::Table(
                    <Self as #k::__private::SyncTable>::TABLE,
                    <Self as #k::__private::SyncTable>::table,
                );
            }
            #has_column
            #checks
        };
    }
}

/// `#[derive(SyncEnum)]`.
pub fn sync_enum(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let e = Enum::from_input(&cx, input);
    if let Some(e) = &e {
        check::enumeration(&cx, e);
    }
    match (cx.finish(), e) {
        (Ok(()), Some(e)) => enum_impl(&e, false),
        (Err(err), e) => {
            let errors = err.to_compile_error();
            let stub = e.map(|e| enum_impl(&e, true));
            quote!(#errors #stub)
        }
        (Ok(()), None) => unreachable!("no enum model without an error"),
    }
}

fn enum_impl(e: &Enum<'_>, stub: bool) -> TokenStream {
    let k = &e.krate;
    let ident = e.ident;
    let name = &e.name.value;
    let schema = opt_lit(e.schema.as_ref());
    let labels: Vec<&String> = if stub { Vec::new() } else { e.variants.iter().map(|v| &v.label.value).collect() };
    let label_fn = if stub {
        quote!("")
    } else {
        let arms = e.variants.iter().map(|v| {
            let (vi, l) = (v.ident, &v.label.value);
            quote!(#ident::#vi => #l)
        });
        quote!(match *self { #(#arms,)* })
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #k::__private::SyncEnum for #ident {
                const ENUM: #k::__private::EnumDef = #k::__private::EnumDef {
                    schema: #schema,
                    name: #name,
                    values: &[#(#labels),*],
                };
                fn label(&self) -> &'static str {
                    #label_fn
                }
            }
            #[automatically_derived]
            impl #k::__private::SqlColumnType for #ident {
                const COLUMN_TYPE: #k::__private::ColumnType =
                    #k::__private::ColumnType::Enum(&<Self as #k::__private::SyncEnum>::ENUM);
            }
        };
    }
}
