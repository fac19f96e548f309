//! Comments around everything else: set where the diff says, and set again on every object
//! the plan creates — a new one, or one dropped and created again (a view set aside, a
//! function with a new result, an index or constraint rebuilt, an enum recreated) — since a
//! comment goes with its object. Last in the plan, when every object exists.

use super::steps::Step;
use crate::diff::Change;
use crate::model::{ObjectKind, ObjectRef, Schema, Table, TableRef};
use std::collections::{BTreeMap, BTreeSet};

/// The `SetComment` steps of a plan whose other steps are `steps`.
pub(super) fn plan(to: &Schema, changes: &[Change], steps: &[&Step]) -> Vec<Step> {
    let wanted: BTreeMap<&ObjectRef, &str> = to.comments.iter().map(|c| (&c.on, c.text.as_str())).collect();
    let mut out: BTreeMap<ObjectRef, Option<String>> = BTreeMap::new();
    for ch in changes {
        if let Change::SetComment { on, to: text, .. } = ch {
            // A comment whose object is gone went with it.
            if text.is_some() || to.has(on) {
                out.insert(on.clone(), text.clone());
            }
        }
    }
    let mut created: BTreeSet<ObjectRef> = BTreeSet::new();
    for s in steps {
        created.extend(objects_created(s));
    }
    // A view's columns are not modelled: the comments on them go with the view.
    let views: BTreeSet<(Option<String>, String)> = created
        .iter()
        .filter(|o| matches!(o.kind, ObjectKind::View | ObjectKind::MaterializedView))
        .map(|o| (o.schema.clone(), o.name.clone()))
        .collect();
    created.extend(
        wanted
            .keys()
            .filter(|on| {
                on.kind == ObjectKind::Column
                    && on.table.as_ref().is_some_and(|t| views.contains(&(on.schema.clone(), t.clone())))
            })
            .map(|on| (*on).clone()),
    );
    for on in created {
        if let Some(text) = wanted.get(&on) {
            out.entry(on).or_insert_with(|| Some(text.to_string()));
        }
    }
    out.into_iter().map(|(on, text)| Step::SetComment { on, text }).collect()
}

fn key(kind: ObjectKind, schema: &Option<String>, table: Option<&str>, name: &str) -> ObjectRef {
    ObjectRef {
        kind,
        schema: schema.clone(),
        table: table.map(str::to_string),
        name: name.to_string(),
        arguments: None,
    }
}

/// A table's comment keys: itself, its columns, named constraints and indexes.
fn table_objects(t: &Table) -> Vec<ObjectRef> {
    let mut out = vec![key(ObjectKind::Table, &t.schema, None, &t.name)];
    out.extend(t.columns.iter().map(|c| key(ObjectKind::Column, &t.schema, Some(&t.name), &c.name)));
    let constraints = t
        .primary_key
        .iter()
        .filter_map(|p| p.name.as_deref())
        .chain(t.uniques.iter().filter_map(|u| u.name.as_deref()))
        .chain(t.foreign_keys.iter().filter_map(|f| f.name.as_deref()))
        .chain(t.checks.iter().filter_map(|c| c.name.as_deref()))
        .chain(t.exclusions.iter().filter_map(|x| x.name.as_deref()));
    out.extend(constraints.map(|n| key(ObjectKind::Constraint, &t.schema, Some(&t.name), n)));
    out.extend(t.indexes.iter().map(|i| key(ObjectKind::Index, &t.schema, None, &i.name)));
    out
}

/// The objects (as comment and privilege keys) a step creates.
pub(super) fn objects_created(s: &Step) -> Vec<ObjectRef> {
    let on_table = |kind, t: &TableRef, name: &str| vec![key(kind, &t.schema, Some(&t.name), name)];
    match s {
        Step::CreateTable { table } => table_objects(table),
        Step::AddColumn { table, column } => on_table(ObjectKind::Column, table, &column.name),
        Step::CreateIndex { table, index, .. } => vec![key(ObjectKind::Index, &table.schema, None, &index.name)],
        Step::AddCheck { table, check, .. } => {
            check.name.as_deref().map(|n| on_table(ObjectKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::AddForeignKey { table, foreign_key, .. } => {
            foreign_key.name.as_deref().map(|n| on_table(ObjectKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::AddExclusion { table, exclusion } => {
            exclusion.name.as_deref().map(|n| on_table(ObjectKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::AddUnique { table, unique } => {
            unique.name.as_deref().map(|n| on_table(ObjectKind::Constraint, table, n)).unwrap_or_default()
        }
        Step::CreateView { view } => {
            let kind = if view.materialized { ObjectKind::MaterializedView } else { ObjectKind::View };
            let mut out = vec![key(kind, &view.schema, None, &view.name)];
            out.extend(view.indexes.iter().map(|i| key(ObjectKind::Index, &view.schema, None, &i.name)));
            out
        }
        Step::CreateFunction { function, replace: false } => {
            let kind = if function.procedure { ObjectKind::Procedure } else { ObjectKind::Function };
            vec![ObjectRef {
                arguments: Some(function.identity.clone()),
                ..key(kind, &function.schema, None, &function.name)
            }]
        }
        Step::CreateTrigger { trigger } => on_table(ObjectKind::Trigger, &trigger.relation(), &trigger.name),
        Step::CreatePolicy { policy } => on_table(ObjectKind::Policy, &policy.relation(), &policy.name),
        Step::CreateEnum { r#enum } | Step::RecreateEnum { to: r#enum, .. } => {
            vec![key(ObjectKind::Type, &r#enum.schema, None, &r#enum.name)]
        }
        Step::CreateDomain { domain } => vec![key(ObjectKind::Domain, &domain.schema, None, &domain.name)],
        Step::CreateComposite { composite: c } => vec![key(ObjectKind::Type, &c.schema, None, &c.name)],
        Step::CreateSequence { sequence } => vec![key(ObjectKind::Sequence, &sequence.schema, None, &sequence.name)],
        _ => Vec::new(),
    }
}
