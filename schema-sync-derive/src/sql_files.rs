//! `declared_sql!(key, "path")`: the declarative SQL files that `schema![…; key = "path"]`
//! embeds, each with its dialect and whether it runs before the structs' DDL. Paths are
//! relative to the crate being compiled (`CARGO_MANIFEST_DIR`); the files are embedded with
//! `include_str!`, so an edit rebuilds the crate (a file *added* to a directory is seen on the
//! next rebuild of the crate).

use proc_macro2::TokenStream;
use quote::quote;
use std::path::{Path, PathBuf};
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token};

/// The keys `schema![…; …]` takes: the key, its dialect, whether the SQL runs first, and
/// whether the path is a directory of `*.sql` files.
const KEYS: &[(&str, &str, bool, bool)] = &[
    ("sql_dir", "Postgres", false, true),
    ("platform", "Postgres", true, false),
    ("sqlite_sql_dir", "Sqlite", false, true),
];

pub fn expand(input: TokenStream) -> TokenStream {
    let parse = |s: ParseStream<'_>| {
        let key: Ident = s.parse()?;
        s.parse::<Token![,]>()?;
        let path: LitStr = s.parse()?;
        Ok((key, path))
    };
    match parse.parse2(input).and_then(|(key, path)| files(&key, &path)) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn files(key: &Ident, path: &LitStr) -> syn::Result<TokenStream> {
    let name = key.to_string();
    let Some(&(_, dialect, first, dir)) = KEYS.iter().find(|(k, ..)| *k == name) else {
        let expected: Vec<String> = KEYS.iter().map(|(k, ..)| format!("`{k}`")).collect();
        return Err(syn::Error::new(
            key.span(),
            format!("unknown key `{name}`; expected one of {}", expected.join(", ")),
        ));
    };
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let rel = path.value();
    let full = root.join(&rel);
    let unreadable = |e: std::io::Error| {
        syn::Error::new(path.span(), format!("cannot read `{rel}` (relative to the crate's directory): {e}"))
    };
    let found: Vec<PathBuf> = if dir {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&full)
            .map_err(unreadable)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sql"))
            .collect();
        found.sort();
        found
    } else {
        std::fs::metadata(&full).map_err(unreadable)?;
        vec![full.clone()]
    };
    let dialect = Ident::new(dialect, key.span());
    let items = found.iter().map(|f| {
        let origin = origin(&rel, f, dir);
        let abs = f.display().to_string();
        quote!((::schema_sync::__private::Dialect::#dialect, #first, #origin, include_str!(#abs)))
    });
    Ok(quote!(&[#(#items),*]))
}

/// How a file is named in errors: the path as written, plus the file's name for a directory.
fn origin(rel: &str, file: &Path, dir: bool) -> String {
    match (dir, file.file_name()) {
        (true, Some(name)) => format!("{}/{}", rel.trim_end_matches('/'), name.to_string_lossy()),
        _ => rel.to_string(),
    }
}
