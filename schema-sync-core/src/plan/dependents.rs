//! Views and triggers around the table changes. They are planned here rather than one change
//! at a time because what they read decides where they go:
//!
//! * a view or trigger that is new, changed or gone is created after every table change,
//!   dropped before any (a change is a drop and a create; neither dialect can alter a body);
//! * one that stays the same but reads a table the plan changes in a way it would notice (a
//!   column dropped, renamed or retyped, the table rebuilt, renamed or dropped, an enum it
//!   reads recreated) is **set aside**: dropped before and created again after, in the same
//!   transaction, from the target's definition — the SQLite rebuild and Postgres' `ALTER …
//!   TYPE` both refuse to run under a view that reads the column, and the written SQL
//!   (`diff --format sql`, migration files) must do what `apply` does;
//! * views that read a view set aside or changed are set aside too, transitively; triggers on
//!   a view go with it;
//! * drops run dependents first, creates dependencies first.
//!
//! What a body reads is over-approximated from the names it mentions ([`crate::sql::identifiers`]):
//! setting aside a view that did not need it costs a statement, missing one fails the plan.

use super::steps::Step;
use crate::diff::Change;
use crate::model::{Schema, TableRef, Trigger, View};
use crate::types::SqlType;
use std::collections::{BTreeMap, BTreeSet};

/// Names (ASCII-lowercased) of the relations and types whose change a body reading them
/// would notice.
fn touched(changes: &[Change], rebuilt: &BTreeSet<TableRef>, from: &Schema) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = rebuilt.iter().map(|t| t.name.to_ascii_lowercase()).collect();
    let mut enums = BTreeSet::new();
    for ch in changes {
        match ch {
            Change::DropTable { table } => {
                out.insert(table.name.to_ascii_lowercase());
            }
            Change::RenameTable { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterTableOptions { table, .. } => {
                out.insert(table.name.to_ascii_lowercase());
            }
            Change::AlterColumn { table, changes, .. }
                if changes.ty || changes.collation || changes.generated || changes.identity =>
            {
                out.insert(table.name.to_ascii_lowercase());
            }
            Change::DropEnum { r#enum } | Change::AlterEnum { from: r#enum, .. } => {
                enums.insert((r#enum.schema.clone(), r#enum.name.clone()));
                out.insert(r#enum.name.to_ascii_lowercase());
            }
            _ => {}
        }
    }
    // A recreated enum retypes every column of it: the tables are changed too.
    if !enums.is_empty() {
        fn uses(ty: &SqlType, enums: &BTreeSet<(Option<String>, String)>) -> bool {
            match ty {
                SqlType::Enum { schema, name } => {
                    enums.iter().any(|(s, n)| n == name && (schema.is_none() || s == schema))
                }
                SqlType::Array { element } => uses(element, enums),
                _ => false,
            }
        }
        for t in &from.tables {
            if t.columns.iter().any(|c| uses(&c.ty, &enums)) {
                out.insert(t.name.to_ascii_lowercase());
            }
        }
    }
    out
}

fn view_key(v: &View) -> (Option<String>, String) {
    (v.schema.clone(), v.name.to_ascii_lowercase())
}

fn trigger_key(t: &Trigger) -> (Option<String>, String, String) {
    (t.schema.clone(), t.table.to_ascii_lowercase(), t.name.to_ascii_lowercase())
}

/// Where a step of [`plan`] goes: before every table change, or after all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Around {
    Before,
    After,
}

/// The plan's schemas, as [`plan`] reads them.
pub(super) struct Sides<'a> {
    pub from: &'a Schema,
    pub to: &'a Schema,
}

/// Plans the view and trigger changes of `changes`, and sets aside the unchanged ones that
/// read what the plan changes (`rebuilt`: the SQLite tables rebuilt). Steps in order, each
/// with where it goes.
pub(super) fn plan(b: Sides<'_>, changes: &[Change], rebuilt: &BTreeSet<TableRef>) -> Vec<(Around, Step)> {
    let mut out = Vec::new();
    let mut drop_views: BTreeMap<(Option<String>, String), (View, bool)> = BTreeMap::new();
    let mut create_views: BTreeMap<(Option<String>, String), View> = BTreeMap::new();
    let mut drop_triggers: BTreeMap<(Option<String>, String, String), (Trigger, bool)> = BTreeMap::new();
    let mut create_triggers: BTreeMap<(Option<String>, String, String), Trigger> = BTreeMap::new();
    for ch in changes {
        match ch {
            Change::CreateView { view } => _ = create_views.insert(view_key(view), view.clone()),
            Change::DropView { view } => _ = drop_views.insert(view_key(view), (view.clone(), false)),
            Change::AlterView { from, to } => {
                drop_views.insert(view_key(from), (from.clone(), true));
                create_views.insert(view_key(to), to.clone());
            }
            Change::CreateTrigger { trigger } => _ = create_triggers.insert(trigger_key(trigger), trigger.clone()),
            Change::DropTrigger { trigger } => _ = drop_triggers.insert(trigger_key(trigger), (trigger.clone(), false)),
            Change::AlterTrigger { from, to } => {
                drop_triggers.insert(trigger_key(from), (from.clone(), true));
                create_triggers.insert(trigger_key(to), to.clone());
            }
            _ => {}
        }
    }
    if b.from.views.is_empty() && b.from.triggers.is_empty() && create_views.is_empty() && create_triggers.is_empty() {
        return out;
    }

    // What changes: tables and types, then (to a fixed point) the views over them.
    let mut gone = touched(changes, rebuilt, b.from);
    gone.extend(drop_views.keys().map(|(_, n)| n.clone()));
    let reads: Vec<(&View, BTreeSet<String>)> =
        b.from.views.iter().map(|v| (v, crate::sql::identifiers(&v.definition))).collect();
    loop {
        let mut more = false;
        for (v, names) in &reads {
            let k = view_key(v);
            if drop_views.contains_key(&k) || !names.iter().any(|n| gone.contains(n)) {
                continue;
            }
            // Set aside: recreated from the target's definition (the same, or the diff says so).
            let Some(again) = b.to.views.iter().find(|w| view_key(w) == k) else { continue };
            drop_views.insert(k.clone(), ((*v).clone(), true));
            create_views.insert(k.clone(), again.clone());
            gone.insert(k.1);
            more = true;
        }
        if !more {
            break;
        }
    }
    for t in &b.from.triggers {
        let k = trigger_key(t);
        if drop_triggers.contains_key(&k) {
            continue;
        }
        let on = t.table.to_ascii_lowercase();
        let dropped_with_relation = gone.contains(&on);
        if !dropped_with_relation && !crate::sql::identifiers(&t.definition).iter().any(|n| gone.contains(n)) {
            continue;
        }
        match b.to.triggers.iter().find(|w| trigger_key(w) == k) {
            Some(again) => {
                drop_triggers.insert(k.clone(), (t.clone(), true));
                create_triggers.insert(k, again.clone());
            }
            None => _ = drop_triggers.insert(k, (t.clone(), false)),
        }
    }

    // Drops: triggers, then views with dependents first. Creates: views with dependencies
    // first, then triggers (a trigger may be on a view).
    for (_, (trigger, kept)) in drop_triggers {
        out.push((Around::Before, Step::DropTrigger { trigger, kept }));
    }
    let dropped: Vec<(View, bool)> = drop_views.into_values().collect();
    for (view, kept) in dependencies_first(dropped, |(v, _)| v).into_iter().rev() {
        out.push((Around::Before, Step::DropView { view, kept }));
    }
    for view in dependencies_first(create_views.into_values().collect(), |v| v) {
        out.push((Around::After, Step::CreateView { view }));
    }
    for (_, trigger) in create_triggers {
        out.push((Around::After, Step::CreateTrigger { trigger }));
    }
    out
}

/// `items` (views) ordered so that a view comes after every view of the set it mentions; a
/// cycle (impossible in a real catalog) keeps the input order for what is left.
fn dependencies_first<T>(items: Vec<T>, view: impl Fn(&T) -> &View) -> Vec<T> {
    let names: Vec<String> = items.iter().map(|i| view(i).name.to_ascii_lowercase()).collect();
    let reads: Vec<BTreeSet<usize>> = items
        .iter()
        .enumerate()
        .map(|(me, i)| {
            let ids = crate::sql::identifiers(&view(i).definition);
            names.iter().enumerate().filter(|(j, n)| *j != me && ids.contains(*n)).map(|(j, _)| j).collect()
        })
        .collect();
    let mut placed = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let next = (0..items.len())
            .find(|&i| !placed[i] && reads[i].iter().all(|&j| placed[j]))
            .or_else(|| (0..items.len()).find(|&i| !placed[i]));
        let Some(i) = next else { break };
        placed[i] = true;
        order.push(i);
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Comparison;
    use crate::model::{Column, Table};
    use crate::plan::{plan as make_plan, Capabilities, PlanOptions};
    use crate::types::Dialect;

    fn base(d: Dialect) -> Schema {
        let mut s = Schema::empty(Some(d));
        let mut t = Table::new("t");
        t.columns.push(Column::new("id", SqlType::Int));
        t.columns.push(Column::new("v", SqlType::Int));
        s.tables.push(t);
        s.views.push(View::new("a", "SELECT id, v FROM t"));
        s.views.push(View::new("b", "SELECT id FROM a"));
        s.views.push(View::new("other", "SELECT 1"));
        s.normalize();
        s
    }

    fn steps(from: &Schema, to: &Schema) -> Vec<String> {
        let caps = Capabilities::latest(from.dialect.unwrap());
        let p = make_plan(&Comparison::of(from.clone(), to.clone()), &caps, &PlanOptions::default());
        p.steps
            .iter()
            .map(|s| match s {
                Step::DropView { view, kept } => format!("drop {}{}", view.name, if *kept { " (kept)" } else { "" }),
                Step::CreateView { view } => format!("create {}", view.name),
                Step::DropTrigger { trigger, .. } => format!("drop trigger {}", trigger.name),
                Step::CreateTrigger { trigger } => format!("create trigger {}", trigger.name),
                other => format!("{other:?}").split_whitespace().next().unwrap().to_string(),
            })
            .collect()
    }

    #[test]
    fn a_retyped_column_sets_aside_the_views_over_it_transitively_in_order() {
        let from = base(Dialect::Postgres);
        let mut to = from.clone();
        to.tables[0].columns[1].ty = SqlType::BigInt;
        let s = steps(&from, &to);
        assert_eq!(s.first().map(String::as_str), Some("drop b (kept)"), "{s:?}");
        assert_eq!(s[1], "drop a (kept)");
        assert_eq!(&s[s.len() - 2..], ["create a", "create b"]);
        assert!(!s.iter().any(|x| x.contains("other")), "{s:?}");
    }

    #[test]
    fn an_added_column_or_index_leaves_views_alone() {
        let from = base(Dialect::Sqlite);
        let mut to = from.clone();
        to.tables[0].columns.push(Column::new("w", SqlType::Text));
        assert!(!steps(&from, &to).iter().any(|x| x.contains("view") || x.starts_with("drop")));
    }

    #[test]
    fn a_changed_view_is_dropped_and_created_and_takes_its_readers_along() {
        let from = base(Dialect::Sqlite);
        let mut to = from.clone();
        to.views[0].definition = "SELECT id, v, 1 AS one FROM t".into();
        let s = steps(&from, &to);
        assert_eq!(s, ["drop b (kept)", "drop a (kept)", "create a", "create b"]);
    }

    #[test]
    fn triggers_on_a_rebuilt_table_are_dropped_before_and_created_after() {
        let mut from = base(Dialect::Sqlite);
        from.triggers.push(Trigger {
            schema: None,
            table: "t".into(),
            name: "t_touch".into(),
            definition: "CREATE TRIGGER t_touch AFTER INSERT ON t BEGIN SELECT 1; END".into(),
            written_for: None,
        });
        let mut to = from.clone();
        to.tables[0].columns[1].ty = SqlType::Text; // a rebuild on SQLite
        let s = steps(&from, &to);
        let drop = s.iter().position(|x| x == "drop trigger t_touch").unwrap();
        let rebuild = s.iter().position(|x| x.starts_with("RebuildTable")).unwrap();
        let create = s.iter().position(|x| x == "create trigger t_touch").unwrap();
        assert!(drop < rebuild && rebuild < create, "{s:?}");
    }
}
