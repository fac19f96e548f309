//! `schema-sync pull`: Rust models from an existing database.
//!
//! [`generate`] turns a schema read from a database into a module: `#[derive(SyncTable)]`
//! structs, `#[derive(SyncEnum)]` enums and `#[derive(SyncView)]` views for what the derives
//! express, and one declarative SQL file for the rest (functions, triggers, sequences,
//! extensions, domains, indexes on expressions, a table whose shape no struct can say, …),
//! which `models()` includes. The module compiles and its `models()` compares equal to the
//! database it came from: every struct is checked here, before it is written, by building the
//! model the derive will build from it and comparing it with the table it came from; a table
//! that does not come back exactly is written as SQL instead.
//!
//! ```
//! use schema_sync::core::introspect::{sqlite, IntrospectOptions};
//! let conn = rusqlite::Connection::open_in_memory().unwrap();
//! conn.execute_batch("CREATE TABLE artist (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL);").unwrap();
//! let schema = sqlite::introspect(&conn, &IntrospectOptions::default()).unwrap();
//! let pulled = schema_sync::pull::generate(&schema, &[], "sqlite:music.db", None).unwrap();
//! let module = &pulled.files[0].1;
//! assert!(module.contains("pub struct Artist {"), "{module}");
//! assert!(module.contains("pub fn models() -> schema_sync::Models"), "{module}");
//! ```

mod names;
mod rust;
mod tables;

use tables::{column_type, leak, leak_list, plain_index, plan_struct, shape_blocker};

use crate::{EnumDef, TableDef};
use schema_sync_core::diff::{self, DiffOptions};
use schema_sync_core::introspect::ViewColumns;
use schema_sync_core::model::{self, Schema, Table};
use schema_sync_core::{Dialect, Error, Result};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// Files relative to the output directory: `mod.rs`, and `schema.sql` when there is SQL.
    pub files: Vec<(PathBuf, String)>,
    /// Tables written as structs.
    pub structs: Vec<String>,
    /// Tables written as SQL (with why).
    pub sql_tables: Vec<(String, String)>,
    /// Enums written as `SyncEnum`s.
    pub enums: usize,
    /// Views written as `SyncView`s.
    pub views: usize,
    /// Views written as SQL (with why).
    pub sql_views: Vec<(String, String)>,
}

/// One table's struct, before it is written.
pub(crate) struct StructPlan {
    pub ident: String,
    pub table: Table,
    /// Field identifiers, one per column in order.
    pub fields: Vec<String>,
    /// Rust type per column, and the `sql_type` text when the type's mapping is not exact.
    pub types: Vec<(String, Option<String>)>,
    /// Per foreign key: the referenced struct's identifier, and the column when it is not that
    /// struct's primary key.
    pub references: Vec<(String, Option<String>)>,
    /// Indexes the struct declares (the rest go to SQL).
    pub indexes: Vec<model::Index>,
    /// What the derive will build from the struct.
    pub def: TableDef,
}

/// A table outside the schemas read that a foreign key references (Supabase's `auth.users`):
/// a struct that is referenced but not listed in `models()`, so it is never created.
pub(crate) struct ExternalPlan {
    pub ident: String,
    pub schema: String,
    pub name: String,
    /// The referenced columns: (name, Rust type, `sql_type`); the first is the primary key.
    pub columns: Vec<(String, String, Option<String>)>,
}

/// One enum type's `SyncEnum`.
pub(crate) struct EnumPlan {
    pub ident: String,
    pub e: model::EnumType,
    pub variants: Vec<String>,
}

/// One view's `SyncView`.
pub(crate) struct ViewPlan {
    pub ident: String,
    pub view: model::View,
    pub fields: Vec<String>,
    pub columns: Vec<(String, String)>,
}

/// Type names the generated module uses itself: a table named `sync_table` or `string` must not
/// shadow them.
const RESERVED_TYPES: [&str; 7] = ["Models", "SyncTable", "SyncView", "SyncEnum", "Option", "String", "Vec"];

/// Builds the module for `schema` (read from a database of one dialect). `views` are the
/// views' output columns (the catalog keeps no other record of them); a view without them is
/// written as SQL. `origin` is named in the header. `platform` is SQL for what the platform
/// provides (Supabase's `auth` schema): copied to `platform.sql` and run first wherever the
/// models are read, so that what references it loads.
pub fn generate(schema: &Schema, views: &[ViewColumns], origin: &str, platform: Option<&str>) -> Result<Pulled> {
    let dialect = schema.dialect.ok_or_else(|| Error::input("pull reads a database, not models"))?;
    let namespace = schema.tables.iter().find_map(|t| t.schema.clone()).unwrap_or_else(|| "public".to_string());
    let home = |s: &Option<String>| s.as_deref().filter(|s| *s != namespace).map(str::to_string);

    // Enums (Postgres).
    // Names the module imports or writes in field types stay free for them.
    let mut type_scope = names::Scope::with(&RESERVED_TYPES);
    let mut enums = Vec::new();
    let mut enum_defs: HashMap<String, (String, &'static EnumDef)> = HashMap::new();
    for e in &schema.enums {
        let ident = type_scope.unique(names::type_name(&e.name));
        let mut vscope = names::Scope::default();
        let variants = e.values.iter().map(|v| vscope.unique(names::type_name(v))).collect();
        let def: &'static EnumDef = Box::leak(Box::new(EnumDef {
            schema: home(&e.schema).as_deref().map(leak),
            name: leak(&e.name),
            values: leak_list(&e.values),
        }));
        enum_defs.insert(e.name.clone(), (ident.clone(), def));
        enums.push(EnumPlan { ident, e: e.clone(), variants });
    }

    // Tables: candidates whose shape the derive can say, then only those whose foreign keys
    // point at other candidates, then only those whose model comes back exactly.
    let mut blocked: HashMap<String, String> = HashMap::new();
    let key = |t: &Table| (t.schema.clone(), t.name.clone());
    for t in &schema.tables {
        if let Some(why) = shape_blocker(t, dialect) {
            blocked.insert(t.display_name(), why);
        }
    }
    // A table of a schema that is not read (and holds none of the tables read).
    let is_external = |target: &(Option<String>, String)| {
        dialect == Dialect::Postgres
            && target
                .0
                .as_ref()
                .is_some_and(|s| *s != namespace && !schema.tables.iter().any(|t| t.schema.as_ref() == Some(s)))
    };
    loop {
        let structs: BTreeSet<_> =
            schema.tables.iter().filter(|t| !blocked.contains_key(&t.display_name())).map(key).collect();
        let mut more = Vec::new();
        for t in schema.tables.iter().filter(|t| !blocked.contains_key(&t.display_name())) {
            for fk in &t.foreign_keys {
                let target = (fk.ref_schema.clone().or_else(|| t.schema.clone()), fk.ref_table.clone());
                if !structs.contains(&target) && (!is_external(&target) || fk.ref_columns.is_empty()) {
                    more.push((t.display_name(), format!("a foreign key to {}, which is not a struct", fk.ref_table)));
                }
            }
        }
        if more.is_empty() {
            break;
        }
        blocked.extend(more);
    }
    let mut plans: Vec<StructPlan> = Vec::new();
    let mut defs: Vec<TableDef> = Vec::new();
    let candidates: Vec<&Table> = schema.tables.iter().filter(|t| !blocked.contains_key(&t.display_name())).collect();
    let idents: Vec<String> = candidates.iter().map(|t| type_scope.unique(names::type_name(&t.name))).collect();
    // The Rust type of every candidate column, so that a foreign key's field can take its
    // target's.
    let rust_of =
        |t: &Table, col: &str| t.column(col).and_then(|c| column_type(c, dialect, &enum_defs)).map(|(rust, _, _)| rust);
    let mut externals: Vec<ExternalPlan> = Vec::new();
    for t in &candidates {
        for fk in t.foreign_keys.iter().filter(|fk| fk.columns.len() == 1 && fk.ref_columns.len() == 1) {
            let target = (fk.ref_schema.clone().or_else(|| t.schema.clone()), fk.ref_table.clone());
            if !is_external(&target) {
                continue;
            }
            let Some((rust, sql_type, _)) = t.column(&fk.columns[0]).and_then(|c| column_type(c, dialect, &enum_defs))
            else {
                continue;
            };
            let (ext_schema, ext_name) = (target.0.clone().unwrap_or_default(), target.1.clone());
            let i = match externals.iter().position(|e| e.schema == ext_schema && e.name == ext_name) {
                Some(i) => i,
                None => {
                    let ident = type_scope.unique(names::type_name(&format!("{ext_schema}_{ext_name}")));
                    externals.push(ExternalPlan { ident, schema: ext_schema, name: ext_name, columns: Vec::new() });
                    externals.len() - 1
                }
            };
            let col = fk.ref_columns[0].clone();
            if !externals[i].columns.iter().any(|(c, _, _)| *c == col) {
                externals[i].columns.push((col, rust, sql_type));
            }
        }
    }
    for (t, ident) in candidates.iter().zip(&idents) {
        let mut fk_types = HashMap::new();
        for fk in t.foreign_keys.iter().filter(|fk| fk.columns.len() == 1) {
            let target = candidates
                .iter()
                .find(|x| x.name == fk.ref_table && x.schema == fk.ref_schema.clone().or_else(|| t.schema.clone()));
            let Some(target) = target else { continue };
            let col = match fk.ref_columns.first() {
                Some(c) => c.clone(),
                None => target.primary_key.as_ref().and_then(|p| p.columns.first().cloned()).unwrap_or_default(),
            };
            if let Some(rust) = rust_of(target, &col) {
                fk_types.insert(fk.columns[0].clone(), rust);
            }
        }
        match plan_struct(schema, &fk_types, t, ident, dialect, &enum_defs, &candidates, &externals, &home) {
            Ok((plan, def)) => {
                plans.push(plan);
                defs.push(def);
            }
            Err(why) => {
                blocked.insert(t.display_name(), why);
            }
        }
    }
    // A struct whose foreign key points at a table that turned out SQL: SQL too, until stable.
    loop {
        let keep: Vec<bool> = plans
            .iter()
            .map(|p| {
                p.table.foreign_keys.iter().all(|fk| {
                    let target = (fk.ref_schema.clone().or_else(|| p.table.schema.clone()), fk.ref_table.clone());
                    plans.iter().any(|q| key(&q.table) == target) || is_external(&target)
                })
            })
            .collect();
        if keep.iter().all(|k| *k) {
            break;
        }
        let mut i = 0;
        plans.retain(|p| {
            let k = keep[i];
            i += 1;
            if !k {
                blocked.insert(p.table.display_name(), "a foreign key to a table written as SQL".to_string());
            }
            k
        });
        let mut i = 0;
        defs.retain(|_| {
            let k = keep[i];
            i += 1;
            k
        });
    }
    // What each foreign key's `references = …` names.
    type Target = ((Option<String>, String), String, Vec<String>);
    let targets: Vec<Target> = plans
        .iter()
        .map(|p| {
            (
                key(&p.table),
                p.ident.clone(),
                p.table.primary_key.as_ref().map(|k| k.columns.clone()).unwrap_or_default(),
            )
        })
        .chain(
            externals
                .iter()
                .map(|e| ((Some(e.schema.clone()), e.name.clone()), e.ident.clone(), vec![e.columns[0].0.clone()])),
        )
        .collect();
    for p in &mut plans {
        p.references = p
            .table
            .foreign_keys
            .iter()
            .map(|fk| {
                let target = (fk.ref_schema.clone().or_else(|| p.table.schema.clone()), fk.ref_table.clone());
                let (_, ident, pk) = targets.iter().find(|(k, _, _)| *k == target).expect("checked above");
                let column = (!fk.ref_columns.is_empty() && fk.ref_columns != *pk).then(|| fk.ref_columns[0].clone());
                (ident.clone(), column)
            })
            .collect();
    }
    externals.retain(|e| plans.iter().any(|p| p.references.iter().any(|(i, _)| *i == e.ident)));

    // On Postgres the models' views are created before the SQL files run (a view is checked
    // when it is created): a view over what only those files create — a table written as SQL,
    // a function placed after the tables, another such view — is written as SQL too.
    let mut late: BTreeSet<String> = BTreeSet::new();
    let mut late_views: Vec<(String, String)> = Vec::new();
    if dialect == Dialect::Postgres {
        let table_names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
        late.extend(
            schema
                .tables
                .iter()
                .filter(|t| blocked.contains_key(&t.display_name()))
                .map(|t| t.name.to_ascii_lowercase()),
        );
        late.extend(
            schema.functions.iter().filter(|f| names_a_table(f, &table_names)).map(|f| f.name.to_ascii_lowercase()),
        );
        loop {
            let more: Vec<&model::View> = schema
                .views
                .iter()
                .filter(|v| !late.contains(&v.name.to_ascii_lowercase()))
                .filter(|v| schema_sync_core::sql::identifiers(&v.definition).iter().any(|n| late.contains(n)))
                .collect();
            if more.is_empty() {
                break;
            }
            for v in more {
                late.insert(v.name.to_ascii_lowercase());
                let why = "it reads what is written as SQL, created after the structs' views";
                late_views.push((v.relation().display(), why.to_string()));
            }
        }
    }

    // Views with known columns and only the options the derive declares.
    let mut view_plans = Vec::new();
    for v in &schema.views {
        if late.contains(&v.name.to_ascii_lowercase()) {
            continue;
        }
        let Some(cols) =
            views.iter().find(|c| c.view == v.name && (c.schema == v.schema || dialect == Dialect::Sqlite))
        else {
            continue;
        };
        let options_ok = v.options.iter().all(|(k, val)| {
            matches!(k.as_str(), "security_invoker" | "security_barrier") && val.eq_ignore_ascii_case("true")
        });
        let columns_ok = v.columns.is_empty() && !cols.columns.is_empty();
        if !options_ok
            || !columns_ok
            || !v.indexes.iter().all(plain_index)
            || (dialect == Dialect::Sqlite && v.materialized)
        {
            continue;
        }
        let ident = type_scope.unique(names::type_name(&v.name));
        let mut fscope = names::Scope::default();
        let fields = cols.columns.iter().map(|(c, _)| fscope.unique(names::field_name(c))).collect();
        view_plans.push(ViewPlan { ident, view: v.clone(), fields, columns: cols.columns.clone() });
    }

    // The models as the derives will build them, and the SQL for everything else: the plan
    // from those models to the database.
    // `build_schema` is what `schema![…]` runs: it collects the enums, policies, grants and
    // comments; the tables come from each def (an entry's `fn` cannot carry a run-time def).
    let mut models = crate::__private::build_schema(
        &defs.iter().map(|d| crate::__private::SchemaEntry::Table(*d, placeholder_table)).collect::<Vec<_>>(),
    );
    models.tables = defs.iter().map(|d| d.to_model()).collect();
    for vp in &view_plans {
        let mut v = vp.view.clone();
        v.schema = home(&v.schema);
        v.written_for = Some(dialect);
        v.declared_columns = vp.columns.iter().map(|(c, _)| c.clone()).collect();
        models.views.push(v);
    }
    models.namespaces = schema.namespaces.clone();
    models.normalize();
    let resolved = schema_sync_core::resolve::resolve_in(&models, dialect, &namespace)?;
    let mut target = schema.clone();
    target.tables.retain(|t| !schema_sync_core::introspect::BOOKKEEPING_TABLES.contains(&t.name.as_str()));
    let c = diff::compare(&resolved, &target, None, &DiffOptions::default())?;
    let (before, sql) = if c.is_empty() {
        (String::new(), String::new())
    } else {
        let plan = schema_sync_core::render::fix_plan(&c);
        let statements = schema_sync_core::render::render(&plan)?;
        let table_names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
        let (first, rest): (Vec<_>, Vec<_>) =
            statements.into_iter().partition(|st| runs_first(&plan.steps[st.step], &table_names));
        (schema_sync_core::render::script(&first), schema_sync_core::render::script(&rest))
    };

    let module = rust::module(&rust::Module {
        origin,
        dialect,
        enums: &enums,
        structs: &plans,
        externals: &externals,
        views: &view_plans,
        namespace: &namespace,
        namespaces: &schema.namespaces,
        platform: platform.is_some(),
        before: !before.is_empty(),
        sql: !sql.is_empty(),
    });
    let mut files = vec![(PathBuf::from("mod.rs"), module)];
    if let Some(text) = platform {
        files.push((PathBuf::from("platform.sql"), text.to_string()));
    }
    for (name, text, when) in [("before.sql", &before, "before"), ("schema.sql", &sql, "after")] {
        if text.is_empty() {
            continue;
        }
        let header = format!(
            "-- What the derives do not express, read from {origin} by `schema-sync pull`.\n\
             -- Declarative {} SQL, run {when} the structs of mod.rs when they are read into one\n\
             -- schema (in a scratch database, never against a live one).\n\n",
            dialect.name()
        );
        files.push((PathBuf::from(name), header + text));
    }
    let mut sql_tables: Vec<(String, String)> = blocked.into_iter().collect();
    sql_tables.sort();
    Ok(Pulled {
        files,
        structs: plans.iter().map(|p| p.table.display_name()).collect(),
        sql_tables,
        enums: enums.len(),
        views: view_plans.len(),
        sql_views: late_views,
    })
}

/// A step whose object the structs' tables may need to exist first: schemas, extensions,
/// types, domains, collations, free-standing sequences, and functions that name no table.
fn runs_first(step: &schema_sync_core::plan::Step, tables: &[&str]) -> bool {
    use schema_sync_core::plan::Step;
    match step {
        Step::CreateSchema { .. }
        | Step::CreateExtension { .. }
        | Step::CreateEnum { .. }
        | Step::CreateComposite { .. }
        | Step::CreateCollation { .. }
        | Step::CreateDomain { .. } => true,
        Step::CreateSequence { sequence } => sequence.owned_by.is_none(),
        Step::CreateFunction { function, .. } => !names_a_table(function, tables),
        _ => false,
    }
}

/// A function whose arguments or result name one of `tables` (`SETOF customer`): created
/// after the tables.
fn names_a_table(function: &model::Function, tables: &[&str]) -> bool {
    let signature = format!("{} {}", function.arguments, function.returns);
    let words = schema_sync_core::sql::identifiers(&signature);
    words.iter().any(|w| tables.iter().any(|t| t.eq_ignore_ascii_case(w)))
}

/// Stands in for `SyncTable::table` in the entries given to `build_schema`.
fn placeholder_table() -> Table {
    Table::new("")
}

#[cfg(test)]
mod tests {
    use schema_sync_core::model::{Column, PrimaryKey, Schema, Table};
    use schema_sync_core::{Dialect, SqlType};

    #[test]
    fn a_table_named_like_an_imported_type_gets_another_struct_name() {
        let mut schema = Schema::empty(Some(Dialect::Sqlite));
        for name in ["sync_table", "string"] {
            let mut t = Table::new(name);
            let mut id = Column::new("id", SqlType::BigInt);
            id.nullable = false;
            t.columns.push(id);
            t.primary_key = Some(PrimaryKey::on(["id"]));
            schema.tables.push(t);
        }
        let pulled = super::generate(&schema, &[], "test", None).unwrap();
        let module = &pulled.files[0].1;
        assert!(module.contains("pub struct SyncTable_2 {") && module.contains("pub struct String_2 {"), "{module}");
        assert!(!module.contains("pub struct SyncTable {") && !module.contains("pub struct String {"), "{module}");
    }
}
