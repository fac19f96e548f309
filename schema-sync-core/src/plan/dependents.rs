//! Views, triggers, functions and policies around the table changes. They are planned here
//! rather than one change at a time because what they read decides where they go:
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
use crate::model::{EnumType, Function, Policy, Schema, TableRef, Trigger, View};
use crate::types::SqlType;
use std::collections::{BTreeMap, BTreeSet};

/// Names (ASCII-lowercased) of the relations and types whose change a body reading them
/// would notice, and of those the enum types dropped or recreated.
fn touched(
    changes: &[Change],
    rebuilt: &BTreeSet<TableRef>,
    from: &Schema,
    target: &Schema,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut out: BTreeSet<String> = rebuilt.iter().map(|t| t.name.to_ascii_lowercase()).collect();
    let mut enums: Vec<&EnumType> = Vec::new();
    for ch in changes {
        match ch {
            Change::DropTable { table } | Change::RecreateTable { from: table, .. } => {
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
            Change::DropEnum { r#enum } => enums.push(r#enum),
            Change::AlterEnum { from: r#enum, to } if recreates_enum(r#enum, to, target) => enums.push(r#enum),
            _ => {}
        }
    }
    // A recreated enum retypes every column of it: the tables are changed too.
    let enum_names: BTreeSet<String> = enums.iter().map(|e| e.name.to_ascii_lowercase()).collect();
    out.extend(enum_names.iter().cloned());
    for t in &from.tables {
        if t.columns.iter().any(|c| enums.iter().any(|e| uses_enum(&c.ty, e))) {
            out.insert(t.name.to_ascii_lowercase());
        }
    }
    (out, enum_names)
}

/// `true` when turning enum `from` into `to` recreates the type (a label dropped, renamed or
/// moved), rather than adding labels in place (`ALTER TYPE … ADD VALUE`).
///
/// A new label that the target uses anywhere the plan may create in the same transaction — a
/// default, a CHECK, an index predicate, a policy, a view, a trigger, a domain — also recreates
/// it: Postgres refuses to use a label added in the transaction that uses it ("unsafe use of
/// new value"). Recreating keeps the whole migration one transaction (atomic), at the cost of
/// rewriting the tables that use the type, instead of committing the label on its own first.
pub(super) fn recreates_enum(from: &EnumType, to: &EnumType, target: &Schema) -> bool {
    let kept: Vec<&String> = to.values.iter().filter(|v| from.values.contains(v)).collect();
    let only_added = kept.len() == from.values.len() && kept.iter().zip(&from.values).all(|(a, b)| *a == b);
    !only_added || !new_labels_used(from, to, target).is_empty()
}

/// The labels of `to` that `from` lacks and that a text of `target` names (`'label'`).
fn new_labels_used<'a>(from: &EnumType, to: &'a EnumType, target: &Schema) -> Vec<&'a String> {
    let texts: Vec<&str> = target
        .tables
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .filter_map(|c| c.default.as_deref())
                .chain(t.checks.iter().map(|c| c.expr.as_str()))
                .chain(t.indexes.iter().filter_map(|i| i.predicate.as_deref()))
        })
        .chain(target.policies.iter().flat_map(|p| p.using.iter().chain(&p.with_check).map(String::as_str)))
        .chain(target.views.iter().map(|v| v.definition.as_str()))
        .chain(target.triggers.iter().map(|t| t.definition.as_str()))
        .chain(
            target
                .domains
                .iter()
                .flat_map(|d| d.default.iter().map(String::as_str).chain(d.checks.iter().map(|c| c.expr.as_str()))),
        )
        .collect();
    to.values
        .iter()
        .filter(|v| !from.values.contains(v))
        .filter(|v| {
            let quoted = crate::sql::quote_literal(v);
            texts.iter().any(|t| t.contains(&quoted))
        })
        .collect()
}

/// `ty` is enum `e` or an array of it.
pub(super) fn uses_enum(ty: &SqlType, e: &EnumType) -> bool {
    match ty {
        SqlType::Enum { schema, name } => {
            name == &e.name && (schema.is_none() || e.schema.is_none() || schema == &e.schema)
        }
        SqlType::Array { element } => uses_enum(element, e),
        _ => false,
    }
}

/// A name as a key: as written, or ASCII-lowercased where the dialect folds names (SQLite).
fn named(name: &str, fold: bool) -> String {
    if fold {
        name.to_ascii_lowercase()
    } else {
        name.to_string()
    }
}

type ViewKey = (Option<String>, String);
type OnTableKey = (Option<String>, String, String);

fn view_key(v: &View, fold: bool) -> ViewKey {
    (v.schema.clone(), named(&v.name, fold))
}

fn policy_key(p: &Policy, fold: bool) -> OnTableKey {
    (p.schema.clone(), named(&p.table, fold), named(&p.name, fold))
}

fn trigger_key(t: &Trigger, fold: bool) -> OnTableKey {
    (t.schema.clone(), named(&t.table, fold), named(&t.name, fold))
}

/// Objects of one kind the plan drops (each with "created again later") and creates, by key.
struct Moves<K, T> {
    drop: BTreeMap<K, (T, bool)>,
    create: BTreeMap<K, T>,
}

impl<K: Ord + Clone, T: Clone> Moves<K, T> {
    fn new() -> Self {
        Self { drop: BTreeMap::new(), create: BTreeMap::new() }
    }

    /// A change of the diff: created (`from: None`), dropped (`to: None`) or changed (both).
    fn change(&mut self, from: Option<(K, &T)>, to: Option<(K, &T)>) {
        let kept = to.is_some();
        if let Some((k, f)) = from {
            self.drop.insert(k, (f.clone(), kept));
        }
        if let Some((k, t)) = to {
            self.create.insert(k, t.clone());
        }
    }

    /// Sets aside every object of `from` that is not moving already and whose `reads` meet
    /// `gone`: dropped, and created again from its counterpart in `to`. Returns the names
    /// (ASCII-lowercased, by `name`) of those set aside.
    fn set_aside(
        &mut self,
        from: &[T],
        to: &[T],
        key: impl Fn(&T) -> K,
        reads: impl Fn(&T) -> BTreeSet<String>,
        gone: &BTreeSet<String>,
        name: impl Fn(&T) -> &str,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for x in from {
            let k = key(x);
            if self.drop.contains_key(&k) || !reads(x).iter().any(|n| gone.contains(n)) {
                continue;
            }
            // An object the target does not have is dropped by the diff already.
            let Some(again) = to.iter().find(|y| key(y) == k) else { continue };
            self.drop.insert(k.clone(), (x.clone(), true));
            self.create.insert(k, again.clone());
            out.push(name(x).to_ascii_lowercase());
        }
        out
    }
}

/// Where a step of [`plan`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Around {
    /// Before every table change (dropping what reads what changes).
    Before,
    /// Functions, after the types and before the tables (defaults and checks call them).
    Functions,
    /// Functions whose arguments or result name a table of the target: after the tables.
    AfterTables,
    /// After every table change (creating what was dropped before, and what is new).
    After,
    /// Functions no longer wanted, after the tables that could call them are gone.
    Last,
}

/// The plan's schemas, as [`plan`] reads them.
pub(super) struct Sides<'a> {
    pub from: &'a Schema,
    pub to: &'a Schema,
    /// The dialect folds names (`caps.case_insensitive_names`): `V` and `v` are one view.
    pub fold: bool,
}

/// Plans the view, trigger and function changes of `changes`, and sets aside the unchanged
/// views, triggers, defaults and checks that read what the plan changes (`rebuilt`: the SQLite
/// tables rebuilt). Steps in order, each with where it goes.
pub(super) fn plan(b: Sides<'_>, changes: &[Change], rebuilt: &BTreeSet<TableRef>) -> Vec<(Around, Step)> {
    let mut out = Vec::new();
    let fold = b.fold;
    let mut views: Moves<ViewKey, View> = Moves::new();
    let mut triggers: Moves<OnTableKey, Trigger> = Moves::new();
    let mut policies: Moves<OnTableKey, Policy> = Moves::new();
    // Functions dropped and created again (their result or arguments change): what calls
    // them is set aside like what reads a changed column.
    let mut recreated: Vec<(&Function, &Function)> = Vec::new();
    // Names of functions dropped (an overload replaced by another, or gone): what still calls
    // one by that name is set aside too, and created again against what the target has.
    let mut dropped_functions: BTreeSet<String> = BTreeSet::new();
    // Functions created or replaced, ordered by what their bodies call once all are known
    // (a SQL-standard body, `RETURN …` or `BEGIN ATOMIC`, is resolved when it is created).
    let mut new_functions: Vec<(Function, bool)> = Vec::new();
    let mut gone_functions: Vec<Function> = Vec::new();
    for ch in changes {
        match ch {
            Change::CreateView { view } => views.change(None, Some((view_key(view, fold), view))),
            Change::DropView { view } => views.change(Some((view_key(view, fold), view)), None),
            Change::AlterView { from, to } => {
                views.change(Some((view_key(from, fold), from)), Some((view_key(to, fold), to)))
            }
            Change::CreateTrigger { trigger } => triggers.change(None, Some((trigger_key(trigger, fold), trigger))),
            Change::DropTrigger { trigger } => triggers.change(Some((trigger_key(trigger, fold), trigger)), None),
            Change::AlterTrigger { from, to } => {
                triggers.change(Some((trigger_key(from, fold), from)), Some((trigger_key(to, fold), to)))
            }
            Change::CreateFunction { function } => new_functions.push((function.clone(), false)),
            Change::DropFunction { function } => {
                dropped_functions.insert(function.name.to_ascii_lowercase());
                gone_functions.push(function.clone());
            }
            Change::AlterFunction { from, to } if to.replaces(from) => new_functions.push((to.clone(), true)),
            Change::AlterFunction { from, to } => recreated.push((from, to)),
            Change::CreatePolicy { policy } => policies.change(None, Some((policy_key(policy, fold), policy))),
            Change::DropPolicy { policy } => policies.change(Some((policy_key(policy, fold), policy)), None),
            Change::AlterPolicy { from, to } => {
                policies.change(Some((policy_key(from, fold), from)), Some((policy_key(to, fold), to)))
            }
            _ => {}
        }
    }
    if b.from.views.is_empty()
        && b.from.triggers.is_empty()
        && b.from.policies.is_empty()
        && b.from.functions.is_empty()
        && policies.create.is_empty()
        && views.create.is_empty()
        && triggers.create.is_empty()
        && recreated.is_empty()
        && dropped_functions.is_empty()
    {
        out.extend(functions_in_order(new_functions, gone_functions, b.to));
        return out;
    }

    // What changes: tables, types and recreated functions, then (to a fixed point) the views
    // over them.
    let (mut gone, enums_gone) = touched(changes, rebuilt, b.from, b.to);
    // A function whose arguments or result are of an enum the plan recreates follows the old
    // type (by oid) and would keep it from being dropped: it is dropped and created again.
    if !enums_gone.is_empty() {
        for f in &b.from.functions {
            let mut names = crate::sql::identifiers(&f.arguments);
            names.extend(crate::sql::identifiers(&f.returns));
            let unchanged = !recreated.iter().any(|(r, _)| std::ptr::eq(*r, f));
            let again =
                b.to.functions.iter().find(|t| t.schema == f.schema && t.name == f.name && t.identity == f.identity);
            if let (true, Some(again)) = (unchanged && names.iter().any(|n| enums_gone.contains(n)), again) {
                // Replaced in place otherwise: dropped and created instead.
                new_functions.retain(|(n, _)| n != again);
                recreated.push((f, again));
                gone.insert(f.name.to_ascii_lowercase());
            }
        }
    }
    // An aggregate is tied to its support functions by oid: one whose support function is
    // dropped or recreated is dropped first, and created again unless the target lacks it.
    let mut supports: BTreeSet<String> = recreated.iter().map(|(f, _)| f.name.to_ascii_lowercase()).collect();
    supports.extend(dropped_functions.iter().cloned());
    let mut aggregates_gone: Vec<Function> = Vec::new();
    for f in b.from.functions.iter().filter(|f| f.aggregate) {
        let names = crate::sql::identifiers(&f.definition);
        let same = |g: &Function| g.schema == f.schema && g.name == f.name && g.identity == f.identity;
        if recreated.iter().any(|(r, _)| same(r)) || !names.iter().any(|n| supports.contains(n)) {
            continue;
        }
        match b.to.functions.iter().find(|t| same(t)) {
            Some(again) => {
                new_functions.retain(|(n, _)| n != again);
                recreated.push((f, again));
            }
            None => {
                gone_functions.retain(|g| g != f);
                aggregates_gone.push(f.clone());
            }
        }
    }
    recreated.sort_by_key(|(f, _)| !f.aggregate);
    gone.extend(recreated.iter().map(|(f, _)| f.name.to_ascii_lowercase()));
    gone.extend(dropped_functions.iter().cloned());
    gone.extend(views.drop.values().map(|(v, _)| v.name.to_ascii_lowercase()));
    // Views over what is gone, to a fixed point (a view over a view set aside).
    let view_reads = |v: &View| crate::sql::identifiers(&v.definition);
    loop {
        let more = views.set_aside(&b.from.views, &b.to.views, |v| view_key(v, fold), view_reads, &gone, |v| &v.name);
        if more.is_empty() {
            break;
        }
        gone.extend(more);
    }
    let trigger_reads = |t: &Trigger| {
        let mut names = crate::sql::identifiers(&t.definition);
        names.insert(t.table.to_ascii_lowercase());
        names
    };
    triggers.set_aside(&b.from.triggers, &b.to.triggers, |t| trigger_key(t, fold), trigger_reads, &gone, |t| &t.name);
    let policy_reads = |p: &Policy| {
        let mut names = BTreeSet::from([p.table.to_ascii_lowercase()]);
        for e in [&p.using, &p.with_check].into_iter().flatten() {
            names.extend(crate::sql::identifiers(e));
        }
        names
    };
    policies.set_aside(&b.from.policies, &b.to.policies, |p| policy_key(p, fold), policy_reads, &gone, |p| &p.name);

    // Drops: policies, triggers, then views with dependents first, then what calls a recreated function
    // from a table (defaults, checks), then the function. Creates: the function, then views
    // with dependencies first, triggers (a trigger may be on a view), defaults and checks.
    for (policy, kept) in policies.drop.into_values() {
        out.push((Around::Before, Step::DropPolicy { policy, kept }));
    }
    for (trigger, kept) in triggers.drop.into_values() {
        out.push((Around::Before, Step::DropTrigger { trigger, kept }));
    }
    let dropped: Vec<(View, bool)> = views.drop.into_values().collect();
    for (view, kept) in dependencies_first(dropped, |(v, _)| v).into_iter().rev() {
        out.push((Around::Before, Step::DropView { view, kept }));
    }
    let mut names: BTreeSet<String> = recreated.iter().map(|(f, _)| f.name.to_ascii_lowercase()).collect();
    names.extend(dropped_functions);
    if !names.is_empty() {
        out.extend(callers_set_aside(&b, changes, rebuilt, &names));
        for function in aggregates_gone {
            out.push((Around::Before, Step::DropFunction { function, kept: false }));
        }
        for (from, to) in recreated {
            out.push((Around::Before, Step::DropFunction { function: from.clone(), kept: true }));
            new_functions.push((to.clone(), false));
        }
    }
    out.extend(functions_in_order(new_functions, gone_functions, b.to));
    for view in dependencies_first(views.create.into_values().collect(), |v| v) {
        out.push((Around::After, Step::CreateView { view }));
    }
    for trigger in triggers.create.into_values() {
        out.push((Around::After, Step::CreateTrigger { trigger }));
    }
    for policy in policies.create.into_values() {
        out.push((Around::After, Step::CreatePolicy { policy }));
    }
    out
}

/// Early, or after the tables when its arguments or result name a table of `to` (a function
/// returning `SETOF users` needs the table's type).
fn function_place(f: &Function, to: &Schema) -> Around {
    let mut names = crate::sql::identifiers(&f.arguments);
    names.extend(crate::sql::identifiers(&f.returns));
    if to.tables.iter().any(|t| names.contains(&t.name.to_ascii_lowercase())) {
        Around::AfterTables
    } else {
        Around::Functions
    }
}

/// Column defaults and CHECKs of tables that stay (not created, dropped or rebuilt) that call
/// one of `names`: dropped before the function is and put back after, from the target, unless
/// the diff already changes them.
fn callers_set_aside(
    b: &Sides<'_>,
    changes: &[Change],
    rebuilt: &BTreeSet<TableRef>,
    names: &BTreeSet<String>,
) -> Vec<(Around, Step)> {
    let calls = |text: &str| crate::sql::identifiers(text).iter().any(|n| names.contains(n));
    let mut out = Vec::new();
    for t in &b.from.tables {
        let tref = TableRef::of(t);
        let Some(target) = b.to.tables.iter().find(|x| x.schema == t.schema && x.name == t.name) else { continue };
        if rebuilt.contains(&tref) {
            continue;
        }
        for c in &t.columns {
            if !c.default.as_deref().is_some_and(calls) {
                continue;
            }
            let changed = changes.iter().any(|ch| match ch {
                Change::AlterColumn { table, to, changes, .. } => {
                    *table == tref && to.name == c.name && changes.default
                }
                Change::DropColumn { table, column } => *table == tref && column.name == c.name,
                _ => false,
            });
            let Some(again) = target.column(&c.name).and_then(|x| x.default.clone()) else { continue };
            if changed {
                continue;
            }
            out.push((Around::Before, Step::DropDefault { table: tref.clone(), column: c.name.clone() }));
            out.push((Around::After, Step::SetDefault { table: tref.clone(), column: c.name.clone(), expr: again }));
        }
        for check in t.checks.iter().filter(|k| calls(&k.expr)) {
            let dropped = changes
                .iter()
                .any(|ch| matches!(ch, Change::DropCheck { table, check: k } if *table == tref && k == check));
            let again = target.checks.iter().find(|k| crate::diff::same_check(k, check)).cloned();
            let (false, Some(again)) = (dropped, again) else { continue };
            out.push((Around::Before, Step::DropCheck { table: tref.clone(), check: check.clone() }));
            out.push((Around::After, Step::AddCheck { table: tref.clone(), check: again, not_valid: false }));
        }
    }
    out
}

/// `items` (views) ordered so that a view comes after every view of the set it mentions; a
/// cycle (impossible in a real catalog) keeps the input order for what is left.
fn dependencies_first<T>(items: Vec<T>, view: impl Fn(&T) -> &View) -> Vec<T> {
    in_dependency_order(items, |i| (view(i).name.as_str(), view(i).definition.as_str()))
}

/// The creation steps of `functions`, each after the functions of the set its body names,
/// and the drops of `gone`, each before the functions it is named by.
fn functions_in_order(functions: Vec<(Function, bool)>, gone: Vec<Function>, to: &Schema) -> Vec<(Around, Step)> {
    let created = in_dependency_order(functions, |(f, _)| (f.name.as_str(), f.definition.as_str()))
        .into_iter()
        .map(|(function, replace)| (function_place(&function, to), Step::CreateFunction { function, replace }));
    let dropped = in_dependency_order(gone, |f| (f.name.as_str(), f.definition.as_str()))
        .into_iter()
        .rev()
        .map(|function| (Around::Last, Step::DropFunction { function, kept: false }));
    created.chain(dropped).collect()
}

/// `items` ordered so that each comes after every item of the set whose name its text
/// mentions (`named` gives an item's name and text); a cycle keeps the input order for what
/// is left.
fn in_dependency_order<T>(items: Vec<T>, named: impl Fn(&T) -> (&str, &str)) -> Vec<T> {
    let names: Vec<String> = items.iter().map(|i| named(i).0.to_ascii_lowercase()).collect();
    let reads: Vec<BTreeSet<usize>> = items
        .iter()
        .enumerate()
        .map(|(me, i)| {
            let ids = crate::sql::identifiers(named(i).1);
            // Not on items of its own name: a body names itself, and overloads share a name.
            names.iter().enumerate().filter(|(_, n)| **n != names[me] && ids.contains(*n)).map(|(j, _)| j).collect()
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
    fn postgres_names_that_differ_only_in_case_are_two_views() {
        let mut from = base(Dialect::Postgres);
        from.views.push(View::new("A", "SELECT v FROM t"));
        from.normalize();
        let mut to = from.clone();
        to.tables[0].columns[1].ty = SqlType::BigInt;
        let s = steps(&from, &to);
        for name in ["A", "a"] {
            assert!(s.contains(&format!("drop {name} (kept)")) && s.contains(&format!("create {name}")), "{s:?}");
        }
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

    fn function(returns: &str, body: &str) -> Function {
        Function {
            schema: Some("public".into()),
            name: "score".into(),
            identity: "integer".into(),
            arguments: "x integer".into(),
            returns: returns.into(),
            procedure: false,
            aggregate: false,
            definition: format!(
                "CREATE OR REPLACE FUNCTION public.score(x integer) RETURNS {returns} LANGUAGE sql AS $$ {body} $$"
            ),
        }
    }

    fn with_callers() -> Schema {
        let mut s = base(Dialect::Postgres);
        s.tables[0].schema = Some("public".into());
        s.tables[0].columns[1].default = Some("score(0)".into());
        s.tables[0].checks.push(crate::model::Check {
            name: Some("v_scored".into()),
            expr: "score(v) >= 0".into(),
            no_inherit: false,
            not_valid: false,
        });
        s.views.push(View::new("scored", "SELECT score(v) AS s FROM t"));
        s.functions.push(function("integer", "SELECT x"));
        s.normalize();
        s
    }

    #[test]
    fn a_body_change_replaces_the_function_in_place_and_sets_nothing_aside() {
        let from = with_callers();
        let mut to = from.clone();
        to.functions[0] = function("integer", "SELECT x + 1");
        let caps = Capabilities::latest(Dialect::Postgres);
        let p = make_plan(&Comparison::of(from, to), &caps, &PlanOptions::default());
        assert!(matches!(p.steps.as_slice(), [Step::CreateFunction { replace: true, .. }]), "{:?}", p.steps);
    }

    #[test]
    fn a_result_change_drops_and_recreates_the_function_around_everything_that_calls_it() {
        let from = with_callers();
        let mut to = from.clone();
        to.functions[0] = function("bigint", "SELECT x::bigint");
        let caps = Capabilities::latest(Dialect::Postgres);
        let p = make_plan(&Comparison::of(from, to), &caps, &PlanOptions::default());
        let at = |f: &dyn Fn(&Step) -> bool| p.steps.iter().position(f).unwrap_or_else(|| panic!("{:#?}", p.steps));
        let drop_fn = at(&|s| matches!(s, Step::DropFunction { kept: true, .. }));
        let create_fn = at(&|s| matches!(s, Step::CreateFunction { replace: false, .. }));
        let drop_view = at(&|s| matches!(s, Step::DropView { view, kept: true } if view.name == "scored"));
        let drop_default = at(&|s| matches!(s, Step::DropDefault { .. }));
        let drop_check = at(&|s| matches!(s, Step::DropCheck { .. }));
        let set_default = at(&|s| matches!(s, Step::SetDefault { .. }));
        let add_check = at(&|s| matches!(s, Step::AddCheck { .. }));
        let create_view = at(&|s| matches!(s, Step::CreateView { view } if view.name == "scored"));
        assert!(drop_view < drop_fn && drop_default < drop_fn && drop_check < drop_fn, "{:#?}", p.steps);
        assert!(drop_fn < create_fn && create_fn < create_view && create_fn < set_default && create_fn < add_check);
        assert!(!p.is_destructive(), "{:?}", p.hazards);
    }

    fn aggregate(name: &str, initcond: &str) -> Function {
        Function {
            name: name.into(),
            returns: "integer".into(),
            aggregate: true,
            definition: format!(
                "CREATE OR REPLACE AGGREGATE public.{name}(integer) (SFUNC = public.score, STYPE = integer, INITCOND = '{initcond}')"
            ),
            ..function("integer", "")
        }
    }

    #[test]
    fn an_aggregate_whose_support_function_is_recreated_is_set_aside_with_its_views_and_one_gone_drops_first() {
        let mut from = with_callers();
        from.functions.push(aggregate("best", "0"));
        from.functions.push(aggregate("worst", "0"));
        from.views.push(View::new("ranked", "SELECT best(v) AS b FROM t"));
        from.normalize();
        let mut to = from.clone();
        to.functions.retain(|f| f.name != "worst");
        for f in &mut to.functions {
            if f.name == "score" {
                *f = function("bigint", "SELECT x::bigint");
            }
        }
        to.normalize();
        let caps = Capabilities::latest(Dialect::Postgres);
        let p = make_plan(&Comparison::of(from, to), &caps, &PlanOptions::default());
        let at = |f: &dyn Fn(&Step) -> bool| p.steps.iter().position(f).unwrap_or_else(|| panic!("{:#?}", p.steps));
        let named = |s: &Step, n: &str, k: bool| matches!(s, Step::DropFunction { function, kept } if function.name == n && *kept == k);
        let drop_best = at(&|s| named(s, "best", true));
        let drop_worst = at(&|s| named(s, "worst", false));
        let drop_score = at(&|s| named(s, "score", true));
        let create = |n: &'static str| move |s: &Step| matches!(s, Step::CreateFunction { function, replace: false } if function.name == n);
        let (create_score, create_best) = (at(&create("score")), at(&create("best")));
        let drop_view = at(&|s| matches!(s, Step::DropView { view, kept: true } if view.name == "ranked"));
        let create_view = at(&|s| matches!(s, Step::CreateView { view } if view.name == "ranked"));
        assert!(drop_view < drop_best && drop_best < drop_score && drop_worst < drop_score, "{:#?}", p.steps);
        assert!(drop_score < create_score && create_score < create_best && create_best < create_view, "{:#?}", p.steps);
        assert!(p.is_destructive(), "dropping `worst` needs the opt-in");
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
            fires: Default::default(),
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
