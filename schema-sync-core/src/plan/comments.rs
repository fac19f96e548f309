//! Comments around everything else: set where the diff says, and set again on every object
//! the plan creates — a new one, or one dropped and created again (a view set aside, a
//! function with a new result, an index or constraint rebuilt, an enum recreated) — since a
//! comment goes with its object. Last in the plan, when every object exists.

use super::steps::Step;
use crate::diff::Change;
use crate::model::{CommentKind, CommentOn, Schema, Table, TableRef};
use std::collections::{BTreeMap, BTreeSet};

/// The `SetComment` steps of a plan whose other steps are `steps`.
pub(super) fn plan(to: &Schema, changes: &[Change], steps: &[&Step]) -> Vec<Step> {
    let wanted: BTreeMap<&CommentOn, &str> = to.comments.iter().map(|c| (&c.on, c.text.as_str())).collect();
    let mut out: BTreeMap<CommentOn, Option<String>> = BTreeMap::new();
    for ch in changes {
        if let Change::SetComment { on, to: text, .. } = ch {
            // A comment whose object is gone went with it.
            if text.is_some() || exists(on, to) {
                out.insert(on.clone(), text.clone());
            }
        }
    }
    let mut created: BTreeSet<CommentOn> = BTreeSet::new();
    for s in steps {
        created.extend(objects_created(s));
    }
    for on in created {
        if let Some(text) = wanted.get(&on) {
            out.entry(on).or_insert_with(|| Some(text.to_string()));
        }
    }
    out.into_iter().map(|(on, text)| Step::SetComment { on, text }).collect()
}

fn key(kind: CommentKind, schema: &Option<String>, table: Option<&str>, name: &str) -> CommentOn {
    CommentOn {
        kind,
        schema: schema.clone(),
        table: table.map(str::to_string),
        name: name.to_string(),
        arguments: None,
    }
}

/// A table's comment keys: itself, its columns, named constraints and indexes.
fn table_objects(t: &Table) -> Vec<CommentOn> {
    let mut out = vec![key(CommentKind::Table, &t.schema, None, &t.name)];
    out.extend(t.columns.iter().map(|c| key(CommentKind::Column, &t.schema, Some(&t.name), &c.name)));
    let constraints = t
        .primary_key
        .iter()
        .filter_map(|p| p.name.as_deref())
        .chain(t.uniques.iter().filter_map(|u| u.name.as_deref()))
        .chain(t.foreign_keys.iter().filter_map(|f| f.name.as_deref()))
        .chain(t.checks.iter().filter_map(|c| c.name.as_deref()));
    out.extend(constraints.map(|n| key(CommentKind::Constraint, &t.schema, Some(&t.name), n)));
    out.extend(t.indexes.iter().map(|i| key(CommentKind::Index, &t.schema, None, &i.name)));
    out
}

/// The objects (as comment keys) a step creates.
fn objects_created(s: &Step) -> Vec<CommentOn> {
    let on_table = |kind, t: &TableRef, name: &str| vec![key(kind, &t.schema, Some(&t.name), name)];
    match s {
        Step::CreateTable { table } => table_objects(table),
        Step::AddColumn { table, column } => on_table(CommentKind::Column, table, &column.name),
        Step::CreateIndex { table, index, .. } => vec![key(CommentKind::Index, &table.schema, None, &index.name)],
        Step::AddCheck { table, check, .. } => {
            check.name.as_deref().map(|n| on_table(CommentKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::AddForeignKey { table, foreign_key, .. } => {
            foreign_key.name.as_deref().map(|n| on_table(CommentKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::AddUnique { table, unique } => {
            unique.name.as_deref().map(|n| on_table(CommentKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::CreateView { view } => {
            let kind = if view.materialized { CommentKind::MaterializedView } else { CommentKind::View };
            vec![key(kind, &view.schema, None, &view.name)]
        }
        Step::CreateFunction { function, replace: false } => {
            let kind = if function.procedure { CommentKind::Procedure } else { CommentKind::Function };
            vec![CommentOn {
                arguments: Some(function.identity.clone()),
                ..key(kind, &function.schema, None, &function.name)
            }]
        }
        Step::CreateTrigger { trigger } => on_table(CommentKind::Trigger, &trigger.relation(), &trigger.name),
        Step::CreatePolicy { policy } => on_table(CommentKind::Policy, &policy.relation(), &policy.name),
        Step::CreateEnum { r#enum } | Step::RecreateEnum { to: r#enum, .. } => {
            vec![key(CommentKind::Type, &r#enum.schema, None, &r#enum.name)]
        }
        Step::CreateDomain { domain } => vec![key(CommentKind::Domain, &domain.schema, None, &domain.name)],
        Step::CreateSequence { sequence } => vec![key(CommentKind::Sequence, &sequence.schema, None, &sequence.name)],
        _ => Vec::new(),
    }
}

/// `true` when the object a comment is on is part of `to` (a comment on one it no longer has
/// goes with the object: `COMMENT ON … IS NULL` after it is dropped would fail).
fn exists(on: &CommentOn, to: &Schema) -> bool {
    let table = |name: &str| to.tables.iter().find(|t| t.schema == on.schema && t.name == name);
    match on.kind {
        CommentKind::Table => table(&on.name).is_some(),
        CommentKind::Column => on.table.as_deref().and_then(table).is_some_and(|t| t.column(&on.name).is_some()),
        CommentKind::View | CommentKind::MaterializedView => {
            to.views.iter().any(|v| v.schema == on.schema && v.name == on.name)
        }
        CommentKind::Function | CommentKind::Procedure => to
            .functions
            .iter()
            .any(|f| f.schema == on.schema && f.name == on.name && Some(&f.identity) == on.arguments.as_ref()),
        CommentKind::Trigger => to
            .triggers
            .iter()
            .any(|t| t.schema == on.schema && Some(&t.table) == on.table.as_ref() && t.name == on.name),
        CommentKind::Policy => to
            .policies
            .iter()
            .any(|p| p.schema == on.schema && Some(&p.table) == on.table.as_ref() && p.name == on.name),
        CommentKind::Type => to.enums.iter().any(|e| e.schema == on.schema && e.name == on.name),
        CommentKind::Domain => to.domains.iter().any(|d| d.schema == on.schema && d.name == on.name),
        CommentKind::Constraint => on.table.as_deref().and_then(table).is_some_and(|t| {
            let name = Some(on.name.as_str());
            t.primary_key.as_ref().is_some_and(|p| p.name.as_deref() == name)
                || t.uniques.iter().any(|u| u.name.as_deref() == name)
                || t.foreign_keys.iter().any(|f| f.name.as_deref() == name)
                || t.checks.iter().any(|c| c.name.as_deref() == name)
        }),
        // An index of a table, or the one behind a key constraint of that name.
        CommentKind::Index => to.tables.iter().filter(|t| t.schema == on.schema).any(|t| {
            t.indexes.iter().any(|i| i.name == on.name)
                || t.primary_key.as_ref().and_then(|p| p.name.as_deref()) == Some(on.name.as_str())
                || t.uniques.iter().any(|u| u.name.as_deref() == Some(on.name.as_str()))
        }),
        // A standalone sequence, or a serial column's own (`<table>_<column>_seq`).
        CommentKind::Sequence => {
            to.sequences.iter().any(|q| q.schema == on.schema && q.name == on.name)
                || to.tables.iter().filter(|t| t.schema == on.schema).any(|t| {
                    t.columns.iter().any(|c| {
                        c.identity.is_some() && crate::sql::pg_object_name(&t.name, Some(&c.name), "seq") == on.name
                    })
                })
        }
    }
}
