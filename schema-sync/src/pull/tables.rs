//! Tables as structs: the Rust type of each column, what no struct can say (a table that
//! stays SQL), and the `TableDef` the derive will build from a struct — compared with the
//! table it came from before the struct is written.

use super::{names, ExternalPlan, StructPlan};
use crate::table::{CheckDef, ColumnDef, ForeignKeyDef, IndexDef, OverridesDef, RowSecurityDef, UniqueDef};
use crate::{ColumnType, EnumDef, TableDef};
use schema_sync_core::diff::{self, DiffOptions};
use schema_sync_core::model::{self, Identity, KeyTarget, Schema, Table};
use schema_sync_core::{Dialect, SqlType};
use std::collections::HashMap;

/// Leaks a string: the checks build the derive's `&'static` data at run time, once per pull.
pub(super) fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

pub(super) fn leak_list(v: &[String]) -> &'static [&'static str] {
    Box::leak(v.iter().map(|s| leak(s)).collect::<Vec<_>>().into_boxed_slice())
}

/// The Rust type whose mapping is exactly `ty`, if there is one.
pub(super) fn mapped_rust_type(ty: &SqlType) -> Option<&'static str> {
    Some(match ty {
        SqlType::Bool => "bool",
        SqlType::SmallInt => "i16",
        SqlType::Int => "i32",
        SqlType::BigInt => "i64",
        SqlType::Real => "f32",
        SqlType::Double => "f64",
        SqlType::Text => "String",
        SqlType::Bytes => "Vec<u8>",
        _ => return None,
    })
}

/// The column type the derive gives a plain Rust type.
pub(super) fn rust_column_type(rust: &str) -> Option<ColumnType> {
    Some(match rust {
        "bool" => ColumnType::Bool,
        "i16" => ColumnType::SmallInt,
        "i32" => ColumnType::Int,
        "i64" => ColumnType::BigInt,
        "f32" => ColumnType::Real,
        "f64" => ColumnType::Double,
        "String" => ColumnType::Text,
        "Vec<u8>" => ColumnType::Bytes,
        _ => return None,
    })
}

/// A Rust type for a column whose SQL type is given as text: by what the values look like.
pub(super) fn loose_rust_type(ty: &SqlType) -> &'static str {
    if ty.is_integer() {
        "i64"
    } else if matches!(ty, SqlType::Real | SqlType::Double) {
        "f64"
    } else if matches!(ty, SqlType::Bytes) {
        "Vec<u8>"
    } else if matches!(ty, SqlType::Bool) {
        "bool"
    } else {
        "String"
    }
}

/// The column's type as the derive sees it: (Rust type, `sql_type` text), and the canonical
/// `ColumnType` the derive will put in the model; `None` when no spelling comes back exactly.
pub(super) fn column_type(
    c: &model::Column,
    dialect: Dialect,
    enums: &HashMap<String, (String, &'static EnumDef)>,
) -> Option<(String, Option<String>, ColumnType)> {
    if let SqlType::Enum { name, .. } = &c.ty {
        let (ident, def) = enums.get(name)?;
        return Some((ident.clone(), None, ColumnType::Enum(def)));
    }
    if let Some(rust) = mapped_rust_type(&c.ty) {
        return Some((rust.to_string(), None, rust_column_type(rust)?));
    }
    let text = c.ty.render(dialect);
    if SqlType::parse(&text, dialect).ok()? != c.ty {
        return None;
    }
    match dialect {
        Dialect::Postgres => Some(("String".to_string(), Some(text.clone()), ColumnType::Sql(leak(&text)))),
        Dialect::Sqlite => {
            let rust = loose_rust_type(&c.ty);
            Some((rust.to_string(), Some(text), rust_column_type(rust)?))
        }
    }
}

/// Why a table cannot be a struct, or `None`.
pub(super) fn shape_blocker(t: &Table, dialect: Dialect) -> Option<String> {
    let why = if t.partition_by.is_some() || t.partition_of.is_some() {
        "partitioning"
    } else if !t.inherits.is_empty() {
        "inheritance"
    } else if t.options != Default::default() {
        "table options"
    } else if !t.exclusions.is_empty() {
        "exclusion constraints"
    } else if t.columns.iter().any(|c| c.generated.is_some() || c.collation.is_some() || c.identity_options.is_some()) {
        "a generated column, a collation or identity options"
    } else if t.columns.iter().any(|c| matches!(c.identity, Some(Identity::Always | Identity::Serial))) {
        "an identity the derive does not declare (ALWAYS or serial)"
    } else if t.primary_key.as_ref().is_some_and(|p| p.deferrable != model::Deferrable::No) {
        "a deferrable primary key"
    } else if t.uniques.iter().any(|u| u.nulls_not_distinct || u.deferrable != model::Deferrable::No) {
        "a unique constraint with options"
    } else if t.foreign_keys.iter().any(|f| {
        f.columns.len() != 1
            || f.ref_columns.len() > 1
            || f.deferrable != model::Deferrable::No
            || f.match_full
            || f.not_valid
    }) {
        "a foreign key the derive does not declare (several columns or options)"
    } else if t.foreign_keys.iter().any(|f| {
        f.on_delete == model::FkAction::SetNull && f.columns.iter().any(|c| t.column(c).is_some_and(|c| !c.nullable))
    }) {
        "ON DELETE SET NULL on a NOT NULL column"
    } else if t.checks.iter().any(|c| c.no_inherit || c.not_valid) {
        "a CHECK with options"
    } else if dialect == Dialect::Sqlite
        && t.primary_key.as_ref().is_some_and(|p| p.columns.iter().any(|c| t.column(c).is_some_and(|c| c.nullable)))
    {
        "a key column declared without NOT NULL (a struct's key is NOT NULL)"
    } else if t.columns.is_empty() {
        "no columns"
    } else {
        return None;
    };
    Some(why.to_string())
}

/// An index the derive declares: plain ascending columns, btree, no options.
pub(super) fn plain_index(i: &model::Index) -> bool {
    i.method.is_none()
        && i.include.is_empty()
        && !i.nulls_not_distinct
        && i.with.is_empty()
        && !i.invalid
        && !i.keys.is_empty()
        && i.keys.iter().all(|k| {
            matches!(k.target, KeyTarget::Column(_))
                && !k.descending
                && k.nulls_first.is_none()
                && k.collation.is_none()
                && k.opclass.is_none()
        })
}

/// The struct for `t`, with the `TableDef` the derive would build, or why it would not come
/// back exactly.
#[allow(clippy::too_many_arguments)]
pub(super) fn plan_struct(
    source: &Schema,
    fk_types: &HashMap<String, String>,
    t: &Table,
    ident: &str,
    dialect: Dialect,
    enums: &HashMap<String, (String, &'static EnumDef)>,
    candidates: &[&Table],
    externals: &[ExternalPlan],
    home: &dyn Fn(&Option<String>) -> Option<String>,
) -> std::result::Result<(StructPlan, TableDef), String> {
    let mut fscope = names::Scope::default();
    let fields: Vec<String> = t.columns.iter().map(|c| fscope.unique(names::field_name(&c.name))).collect();
    let mut types = Vec::new();
    let mut columns = Vec::new();
    let pk: Vec<String> = t.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
    for (c, f) in t.columns.iter().zip(&fields) {
        let (mut rust, sql_type, mut ct) = column_type(c, dialect, enums)
            .ok_or_else(|| format!("column {}: type {}", c.name, c.ty.render(dialect)))?;
        // A foreign-key field has the referenced key's Rust type (the derive checks it).
        if let Some(want) = fk_types.get(&c.name) {
            if *want != rust {
                match (dialect, &sql_type) {
                    (Dialect::Sqlite, Some(_)) => {
                        ct = rust_column_type(want).ok_or_else(|| format!("column {}: key type {want}", c.name))?;
                        rust = want.clone();
                    }
                    (Dialect::Postgres, Some(_)) => rust = want.clone(),
                    _ => return Err(format!("column {}: its type is not the referenced key's", c.name)),
                }
            }
        }
        let identity = match c.identity {
            Some(Identity::ByDefault) => Some(Identity::ByDefault),
            Some(Identity::Autoincrement) => Some(Identity::Autoincrement),
            _ => None,
        };
        let overrides = match dialect {
            Dialect::Postgres => OverridesDef {
                postgres_type: None,
                sqlite_type: None,
                postgres_default: c.default.as_deref().map(leak),
                sqlite_default: None,
            },
            Dialect::Sqlite => OverridesDef {
                postgres_type: None,
                sqlite_type: sql_type.as_deref().map(leak),
                postgres_default: None,
                sqlite_default: c.default.as_deref().map(leak),
            },
        };
        columns.push(ColumnDef {
            name: leak(&c.name),
            field: leak(names::unraw(f)),
            ty: ct,
            nullable: c.nullable && !pk.contains(&c.name) && identity.is_none(),
            default: None,
            identity,
            overrides,
            renamed_from: None,
            using: None,
            comment: comment_on(source, model::ObjectKind::Column, t, Some(&c.name)).map(leak),
        });
        types.push((rust, sql_type));
    }
    let indexes: Vec<model::Index> = t.indexes.iter().filter(|i| plain_index(i)).cloned().collect();
    let index_defs: Vec<IndexDef> = indexes
        .iter()
        .map(|i| IndexDef {
            name: leak(&i.name),
            columns: leak_list(&i.keys.iter().filter_map(|k| k.column_name().map(str::to_string)).collect::<Vec<_>>()),
            unique: i.unique,
            predicate: i.predicate.as_deref().map(leak),
        })
        .collect();
    let uniques: Vec<UniqueDef> = t.uniques.iter().map(|u| UniqueDef { columns: leak_list(&u.columns) }).collect();
    let mut fks = Vec::new();
    for fk in &t.foreign_keys {
        let target_schema = fk.ref_schema.clone().or_else(|| t.schema.clone());
        if let Some(e) = externals.iter().find(|e| Some(&e.schema) == target_schema.as_ref() && e.name == fk.ref_table)
        {
            fks.push(ForeignKeyDef {
                columns: leak_list(&fk.columns),
                ref_schema: Some(leak(&e.schema)),
                ref_table: leak(&e.name),
                ref_columns: leak_list(&fk.ref_columns),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
            });
            continue;
        }
        let target = candidates
            .iter()
            .find(|x| x.name == fk.ref_table && x.schema == target_schema)
            .ok_or_else(|| format!("foreign key to {}", fk.ref_table))?;
        let target_pk: Vec<String> = target.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
        let ref_columns =
            if fk.ref_columns.is_empty() || fk.ref_columns == target_pk { target_pk } else { fk.ref_columns.clone() };
        let own = home(&t.schema);
        let theirs = home(&target.schema);
        fks.push(ForeignKeyDef {
            columns: leak_list(&fk.columns),
            ref_schema: crate::__private::ref_schema(own.as_deref().map(leak), theirs.as_deref().map(leak)),
            ref_table: leak(&target.name),
            ref_columns: leak_list(&ref_columns),
            on_delete: fk.on_delete,
            on_update: fk.on_update,
        });
    }
    let checks: Vec<CheckDef> =
        t.checks.iter().map(|c| CheckDef { name: c.name.as_deref().map(leak), expr: leak(&c.expr) }).collect();
    let def = TableDef {
        schema: home(&t.schema).as_deref().map(leak),
        name: leak(&t.name),
        renamed_from: None,
        columns: Box::leak(columns.into_boxed_slice()),
        primary_key: leak_list(&pk),
        indexes: Box::leak(index_defs.into_boxed_slice()),
        uniques: Box::leak(uniques.into_boxed_slice()),
        foreign_keys: Box::leak(fks.into_boxed_slice()),
        checks: Box::leak(checks.into_boxed_slice()),
        row_security: RowSecurityDef { enabled: t.row_security.enabled, forced: t.row_security.forced },
        policies: Box::leak(policy_defs(source, t).into_boxed_slice()),
        grants: Box::leak(grant_defs(source, t).into_boxed_slice()),
        comment: comment_on(source, model::ObjectKind::Table, t, None).map(leak),
    };
    // The table as the derive builds it, resolved for the database's dialect, must be the table
    // (its other indexes aside, which the SQL adds).
    let mut built = Schema::empty(None);
    built.tables.push(def.try_to_model()?);
    built.enums = def.enums().map(|e| e.to_model()).collect();
    let mut want = Schema::empty(Some(dialect));
    let mut wt = t.clone();
    wt.indexes.retain(plain_index);
    want.tables.push(wt);
    want.enums = built
        .enums
        .iter()
        .map(|e| model::EnumType { schema: e.schema.clone().or_else(|| t.schema.clone()), ..e.clone() })
        .collect();
    built.policies = def.policies();
    built.grants = def.grants();
    built.comments = def.comments();
    want.policies = built
        .policies
        .iter()
        .filter_map(|p| {
            source.policies.iter().find(|x| x.table == t.name && x.name == p.name && x.schema == t.schema).cloned()
        })
        .collect();
    want.grants = source.grants.iter().filter(|g| declared_grant(g, t)).cloned().collect();
    want.comments = source_comments(source, t);
    let c = diff::compare(&want, &built, None, &DiffOptions::default()).map_err(|e| e.to_string())?;
    if !c.is_empty() {
        let text = diff::render_text(&c);
        let detail: Vec<&str> = text.lines().skip(1).take(2).map(str::trim).collect();
        return Err(format!("its model would differ: {}", detail.join("; ")));
    }
    let plan =
        StructPlan { ident: ident.to_string(), table: t.clone(), fields, types, references: Vec::new(), indexes, def };
    Ok((plan, def))
}

/// The comment on the table (`column: None`) or one of its columns.
fn comment_on<'s>(source: &'s Schema, kind: model::ObjectKind, t: &Table, column: Option<&str>) -> Option<&'s str> {
    source
        .comments
        .iter()
        .find(|c| {
            c.on.kind == kind
                && c.on.schema == t.schema
                && match column {
                    None => c.on.name == t.name && c.on.table.is_none(),
                    Some(col) => c.on.table.as_deref() == Some(t.name.as_str()) && c.on.name == col,
                }
        })
        .map(|c| c.text.as_str())
}

fn source_comments(source: &Schema, t: &Table) -> Vec<model::Comment> {
    source
        .comments
        .iter()
        .filter(|c| {
            c.on.schema == t.schema
                && ((c.on.kind == model::ObjectKind::Table && c.on.name == t.name && c.on.table.is_none())
                    || (c.on.kind == model::ObjectKind::Column && c.on.table.as_deref() == Some(t.name.as_str())))
        })
        .cloned()
        .collect()
}

/// The table's policies, as the derive declares them.
fn policy_defs(source: &Schema, t: &Table) -> Vec<crate::table::PolicyDef> {
    source
        .policies
        .iter()
        .filter(|p| p.table == t.name && p.schema == t.schema)
        .map(|p| crate::table::PolicyDef {
            name: leak(&p.name),
            command: p.command,
            restrictive: p.restrictive,
            roles: if p.roles == ["public"] { &[] } else { leak_list(&p.roles) },
            using: p.using.as_deref().map(leak),
            with_check: p.with_check.as_deref().map(leak),
        })
        .collect()
}

/// Grants on the table the derive declares: plain privileges, none grantable.
fn declared_grant(g: &model::Grant, t: &Table) -> bool {
    const PRIVILEGES: &[&str] = &["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"];
    g.on.kind == model::ObjectKind::Table
        && g.on.schema == t.schema
        && g.on.name == t.name
        && g.grantable.is_empty()
        && g.default.is_empty()
        && !g.privileges.is_empty()
        && g.privileges.iter().all(|p| PRIVILEGES.contains(&p.as_str()))
}

fn grant_defs(source: &Schema, t: &Table) -> Vec<crate::table::GrantDef> {
    source
        .grants
        .iter()
        .filter(|g| declared_grant(g, t))
        .map(|g| crate::table::GrantDef {
            role: leak(&g.role),
            privileges: leak_list(&g.privileges.iter().map(|p| p.to_ascii_lowercase()).collect::<Vec<_>>()),
        })
        .collect()
}
