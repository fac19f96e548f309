//! The Rust text of a pulled module: `models()`, then the enums, tables and views, each item
//! with every attribute it needs and nothing else.

use super::{EnumPlan, ExternalPlan, StructPlan, ViewPlan};
use schema_sync_core::model::{FkAction, Identity, PolicyCommand};
use schema_sync_core::{Dialect, SqlType};
use std::fmt::Write;

/// What goes into `mod.rs`.
pub(super) struct Module<'a> {
    pub origin: &'a str,
    pub dialect: Dialect,
    pub enums: &'a [EnumPlan],
    pub structs: &'a [StructPlan],
    pub externals: &'a [ExternalPlan],
    pub views: &'a [ViewPlan],
    pub namespace: &'a str,
    /// The Postgres schemas read, which the models list.
    pub namespaces: &'a [String],
    /// `platform.sql` exists.
    pub platform: bool,
    /// `before.sql` exists.
    pub before: bool,
    /// `schema.sql` exists.
    pub sql: bool,
}

/// A Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// `schema = "…"` when the object is not in the default namespace.
fn schema_attr(m: &Module<'_>, schema: &Option<String>) -> Option<String> {
    schema.as_deref().filter(|s| *s != m.namespace).map(|s| format!("schema = {}", lit(s)))
}

/// One `#[sync(…)]` line per group of keys, wrapped at no particular width (rustfmt keeps
/// attribute contents as written).
fn attrs(out: &mut String, indent: &str, keys: &[String]) {
    if !keys.is_empty() {
        let _ = writeln!(out, "{indent}#[sync({})]", keys.join(", "));
    }
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

pub(super) fn module(m: &Module<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "//! Models pulled from `{}` by `schema-sync pull`.", m.origin.replace('`', "'"));
    let _ = writeln!(out, "//!");
    let _ = writeln!(out, "//! The structs below are the tables, enums and views the derives express;");
    if m.sql || m.before {
        let _ = writeln!(
            out,
            "//! `before.sql` and `schema.sql` hold the rest as declarative {} SQL. `models()` is all of it.",
            m.dialect.name()
        );
    } else {
        let _ = writeln!(out, "//! `models()` collects them.");
    }
    let _ = writeln!(out, "//! Use it as the CLI's `models`: `schema_sync::cli::run(pulled::models())`.");
    let _ = writeln!(out);
    let _ = writeln!(out, "// The structs stand for the app's own types; only their derived schema is read here.");
    let _ = writeln!(out, "#![allow(dead_code, non_camel_case_types, clippy::all)]");
    let _ = writeln!(out);
    let mut uses = vec!["schema"];
    if !m.enums.is_empty() {
        uses.push("SyncEnum");
    }
    if !m.structs.is_empty() {
        uses.push("SyncTable");
    }
    if !m.views.is_empty() {
        uses.push("SyncView");
    }
    let _ = writeln!(out, "use schema_sync::{{{}}};", uses.join(", "));
    let _ = writeln!(out);
    let parts: Vec<&str> =
        m.structs.iter().map(|s| s.ident.as_str()).chain(m.views.iter().map(|v| v.ident.as_str())).collect();
    let _ = writeln!(out, "/// The pulled schema.");
    let _ = writeln!(out, "pub fn models() -> schema_sync::Models {{");
    let list = if parts.is_empty() { String::new() } else { format!("\n        {},\n    ", parts.join(",\n        ")) };
    let binding = if m.namespaces.is_empty() { "let" } else { "let mut" };
    let _ = writeln!(out, "    {binding} schema = schema![{list}];");
    if !m.namespaces.is_empty() {
        let list: Vec<String> = m.namespaces.iter().map(|n| format!("{}.to_string()", lit(n))).collect();
        let _ = writeln!(out, "    // The Postgres schemas the database has: created when missing.");
        let _ = writeln!(out, "    schema.namespaces = vec![{}];", list.join(", "));
    }
    let dialect = match m.dialect {
        Dialect::Postgres => "Postgres",
        Dialect::Sqlite => "Sqlite",
    };
    let _ = write!(out, "    schema_sync::Models::new(schema)");
    if m.platform {
        let _ = write!(out, "\n        .with_platform(\"platform.sql\", include_str!(\"platform.sql\"))");
    }
    if m.before {
        let _ = write!(
            out,
            "\n        .with_sql_first(schema_sync::Dialect::{dialect}, \"before.sql\", include_str!(\"before.sql\"))"
        );
    }
    if m.sql {
        let _ = write!(
            out,
            "\n        .with_sql(schema_sync::Dialect::{dialect}, \"schema.sql\", include_str!(\"schema.sql\"))"
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "}}");
    for e in m.enums {
        enumeration(&mut out, m, e);
    }
    for s in m.structs {
        table(&mut out, m, s);
    }
    for e in m.externals {
        external(&mut out, m, e);
    }
    for v in m.views {
        view(&mut out, m, v);
    }
    out
}

fn enumeration(out: &mut String, m: &Module<'_>, e: &EnumPlan) {
    let _ = writeln!(out);
    doc(out, "", &format!("Enum type `{}`.", e.e.name));
    let _ = writeln!(out, "#[derive(Debug, Clone, Copy, PartialEq, Eq, SyncEnum)]");
    let mut keys = vec![format!("name = {}", lit(&e.e.name))];
    keys.extend(schema_attr(m, &e.e.schema));
    attrs(out, "", &keys);
    let _ = writeln!(out, "pub enum {} {{", e.ident);
    for (label, ident) in e.e.values.iter().zip(&e.variants) {
        let _ = writeln!(out, "    #[sync(rename = {})]", lit(label));
        let _ = writeln!(out, "    {ident},");
    }
    let _ = writeln!(out, "}}");
}

fn action(a: FkAction) -> Option<&'static str> {
    Some(match a {
        FkAction::NoAction => return None,
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set_null",
        FkAction::SetDefault => "set_default",
    })
}

fn command(c: PolicyCommand) -> &'static str {
    match c {
        PolicyCommand::All => "all",
        PolicyCommand::Select => "select",
        PolicyCommand::Insert => "insert",
        PolicyCommand::Update => "update",
        PolicyCommand::Delete => "delete",
    }
}

fn names(list: &[String]) -> String {
    list.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", ")
}

/// `index(columns = [...], name = "...", unique, where = "...")`.
fn index(i: &schema_sync_core::model::Index) -> String {
    let cols: Vec<String> = i.keys.iter().filter_map(|k| k.column_name().map(str::to_string)).collect();
    let mut k = format!("index(columns = [{}], name = {}", names(&cols), lit(&i.name));
    if i.unique {
        k.push_str(", unique");
    }
    if let Some(p) = &i.predicate {
        k.push_str(&format!(", where = {}", lit(p)));
    }
    k.push(')');
    k
}

fn table(out: &mut String, m: &Module<'_>, s: &StructPlan) {
    let t = &s.table;
    let def = &s.def;
    let _ = writeln!(out);
    doc(out, "", &format!("Table `{}`.", t.display_name()));
    let _ = writeln!(out, "#[derive(Debug, SyncTable)]");
    let mut keys = vec![format!("table = {}", lit(&t.name))];
    keys.extend(schema_attr(m, &t.schema));
    let pk: Vec<String> = t.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
    if pk.len() > 1 {
        keys.push(format!("primary_key({})", names(&pk)));
    }
    attrs(out, "", &keys);
    let mut more = Vec::new();
    for u in &t.uniques {
        more.push(format!("unique({})", names(&u.columns)));
    }
    more.extend(s.indexes.iter().map(index));
    for c in &t.checks {
        match &c.name {
            Some(n) => more.push(format!("check(name = {}, expr = {})", lit(n), lit(&c.expr))),
            None => more.push(format!("check = {}", lit(&c.expr))),
        }
    }
    for k in more {
        attrs(out, "", &[k]);
    }
    match (def.row_security.enabled, def.row_security.forced) {
        (true, true) => attrs(out, "", &["rls(enable, force)".to_string()]),
        (true, false) => attrs(out, "", &["rls".to_string()]),
        _ => {}
    }
    for p in def.policies {
        let mut k = format!("policy(name = {}, command = {}", lit(p.name), command(p.command));
        if p.restrictive {
            k.push_str(", restrictive");
        }
        if !p.roles.is_empty() {
            let roles: Vec<String> = p.roles.iter().map(|r| lit(r)).collect();
            k.push_str(&format!(", roles = [{}]", roles.join(", ")));
        }
        if let Some(u) = p.using {
            k.push_str(&format!(", using = {}", lit(u)));
        }
        if let Some(w) = p.with_check {
            k.push_str(&format!(", with_check = {}", lit(w)));
        }
        k.push(')');
        attrs(out, "", &[k]);
    }
    for g in def.grants {
        attrs(out, "", &[format!("grant(role = {}, privileges = [{}])", lit(g.role), g.privileges.join(", "))]);
    }
    if let Some(c) = def.comment {
        attrs(out, "", &[format!("comment = {}", lit(c))]);
    }
    let _ = writeln!(out, "pub struct {} {{", s.ident);
    for (i, c) in t.columns.iter().enumerate() {
        let field = &s.fields[i];
        let cd = &def.columns[i];
        let (rust, sql_type) = &s.types[i];
        let mut keys = Vec::new();
        if super::names::unraw(field) != c.name {
            keys.push(format!("rename = {}", lit(&c.name)));
        }
        if pk.len() == 1 && pk[0] == c.name {
            keys.push("primary_key".to_string());
        }
        match cd.identity {
            Some(Identity::ByDefault) => keys.push("identity".to_string()),
            Some(Identity::Autoincrement) => keys.push("autoincrement".to_string()),
            _ => {}
        }
        match (m.dialect, sql_type) {
            (Dialect::Postgres, Some(text)) => keys.push(format!("sql_type = {}", lit(text))),
            (Dialect::Sqlite, Some(text)) => keys.push(format!("sql_type(sqlite = {})", lit(text))),
            _ => {}
        }
        match (m.dialect, &c.default) {
            (Dialect::Postgres, Some(d)) => keys.push(format!("default(postgres = {})", lit(d))),
            (Dialect::Sqlite, Some(d)) => keys.push(format!("default(sqlite = {})", lit(d))),
            _ => {}
        }
        for (fk, (target, column)) in t.foreign_keys.iter().zip(&s.references) {
            if fk.columns != [c.name.clone()] {
                continue;
            }
            match column {
                None => keys.push(format!("references = {target}")),
                Some(col) => keys.push(format!("references = {target}({})", lit(col))),
            }
            keys.extend(action(fk.on_delete).map(|a| format!("on_delete = {}", lit(a))));
            keys.extend(action(fk.on_update).map(|a| format!("on_update = {}", lit(a))));
        }
        if let Some(comment) = cd.comment {
            keys.push(format!("comment = {}", lit(comment)));
        }
        attrs(out, "    ", &keys);
        let ty = if cd.nullable { format!("Option<{rust}>") } else { rust.clone() };
        let _ = writeln!(out, "    pub {field}: {ty},");
    }
    let _ = writeln!(out, "}}");
}

/// A Rust type documenting a view column (views keep no nullability: always `Option`).
fn view_field_type(text: &str, dialect: Dialect) -> String {
    let ty = SqlType::parse(text, dialect).unwrap_or(SqlType::Text);
    let rust = super::tables::mapped_rust_type(&ty).unwrap_or_else(|| super::tables::loose_rust_type(&ty));
    format!("Option<{rust}>")
}

fn view(out: &mut String, m: &Module<'_>, v: &ViewPlan) {
    let _ = writeln!(out);
    let name = v.view.relation().display();
    doc(out, "", &format!("{} `{name}`.", if v.view.materialized { "Materialized view" } else { "View" }));
    let _ = writeln!(out, "#[derive(Debug, SyncView)]");
    let mut keys = vec![format!("view = {}", lit(&v.view.name))];
    keys.extend(schema_attr(m, &v.view.schema));
    if v.view.materialized {
        keys.push("materialized".to_string());
    }
    for opt in ["security_invoker", "security_barrier"] {
        if v.view.options.contains_key(opt) {
            keys.push(opt.to_string());
        }
    }
    attrs(out, "", &keys);
    for i in &v.view.indexes {
        attrs(out, "", &[index(i)]);
    }
    let dialect = match m.dialect {
        Dialect::Postgres => "postgres",
        Dialect::Sqlite => "sqlite",
    };
    attrs(out, "", &[format!("query({dialect} = {})", lit(&v.view.definition))]);
    let _ = writeln!(out, "pub struct {} {{", v.ident);
    for ((col, ty), field) in v.columns.iter().zip(&v.fields) {
        if super::names::unraw(field) != col {
            let _ = writeln!(out, "    #[sync(rename = {})]", lit(col));
        }
        let _ = writeln!(out, "    pub {field}: {},", view_field_type(ty, m.dialect));
    }
    let _ = writeln!(out, "}}");
}

fn external(out: &mut String, m: &Module<'_>, e: &ExternalPlan) {
    let _ = writeln!(out);
    doc(
        out,
        "",
        &format!(
            "`{}.{}`: referenced by the tables above, owned by someone else (not in `models()`,",
            e.schema, e.name
        ),
    );
    doc(out, "", "so never created or changed).");
    let _ = writeln!(out, "#[derive(Debug, SyncTable)]");
    attrs(out, "", &[format!("schema = {}", lit(&e.schema)), format!("table = {}", lit(&e.name))]);
    let _ = writeln!(out, "pub struct {} {{", e.ident);
    let mut scope = super::names::Scope::default();
    for (i, (col, rust, sql_type)) in e.columns.iter().enumerate() {
        let field = scope.unique(super::names::field_name(col));
        let mut keys = Vec::new();
        if super::names::unraw(&field) != col {
            keys.push(format!("rename = {}", lit(col)));
        }
        if i == 0 {
            keys.push("primary_key".to_string());
        }
        if let Some(text) = sql_type {
            keys.push(match m.dialect {
                Dialect::Postgres => format!("sql_type = {}", lit(text)),
                Dialect::Sqlite => format!("sql_type(sqlite = {})", lit(text)),
            });
        }
        attrs(out, "    ", &keys);
        let _ = writeln!(out, "    pub {field}: {rust},");
    }
    let _ = writeln!(out, "}}");
}
