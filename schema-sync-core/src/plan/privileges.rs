//! Privileges of the managed roles: set where the diff says, and set again on every object the
//! plan creates that the target grants differently from the database's defaults (a new table,
//! a view set aside and created again, a function recreated: a new object starts with the
//! defaults). After every object exists, before the comments.

use super::steps::Step;
use crate::diff::Change;
use crate::model::{Grant, ObjectKind, ObjectRef, Schema};
use std::collections::{BTreeMap, BTreeSet};

/// The `SetPrivileges` steps of a plan whose other steps are `steps`.
pub(super) fn plan(to: &Schema, changes: &[Change], steps: &[&Step]) -> Vec<Step> {
    let created: BTreeSet<ObjectRef> = steps.iter().flat_map(|s| super::comments::objects_created(s)).collect();
    let mut out: BTreeMap<(ObjectRef, String), Step> = BTreeMap::new();
    for ch in changes {
        let Change::SetPrivileges { on, role, from, to: want } = ch else { continue };
        // Privileges on an object the target no longer has go with it.
        if !to.has(on) {
            continue;
        }
        let target = match want {
            Some(g) => g.clone(),
            // Back to the database's defaults.
            None => {
                let f = from.as_ref().expect("a change has a side");
                Grant { privileges: f.default.clone(), grantable: Vec::new(), ..f.clone() }
            }
        };
        let new_object = created.contains(on);
        let from = if new_object { None } else { from.clone() };
        let narrows = !new_object
            && match &from {
                Some(f) => {
                    f.privileges.iter().chain(&f.grantable).any(|p| !target.privileges.contains(p))
                        || f.grantable.iter().any(|p| !target.grantable.contains(p))
                }
                // What it holds now is the defaults, which may be more than `target`.
                None => true,
            };
        out.insert(
            (on.clone(), role.clone()),
            Step::SetPrivileges { on: on.clone(), role: role.clone(), from, to: target, narrows },
        );
    }
    // A `REVOKE` on a table also takes the privilege off each of its columns: the target's
    // column privileges of that role are set again after any change to the table's.
    let tables: BTreeSet<(Option<String>, String, String)> = out
        .keys()
        .filter(|(on, _)| on.kind != ObjectKind::Column && on.table.is_none())
        .map(|(on, role)| (on.schema.clone(), on.name.clone(), role.clone()))
        .collect();
    let on_table = |g: &Grant| {
        g.on.kind == ObjectKind::Column
            && g.on.table.as_ref().is_some_and(|t| tables.contains(&(g.on.schema.clone(), t.clone(), g.role.clone())))
    };
    for g in to.grants.iter().filter(|g| created.contains(&g.on) || on_table(g)) {
        let step = out.entry((g.on.clone(), g.role.clone())).or_insert_with(|| Step::SetPrivileges {
            on: g.on.clone(),
            role: g.role.clone(),
            from: None,
            to: g.clone(),
            narrows: false,
        });
        // What the column holds once the table's step ran is not known: start from nothing.
        if let Step::SetPrivileges { from, .. } = step {
            *from = None;
        }
    }
    // Objects first, then their columns.
    let (columns, objects): (Vec<_>, Vec<_>) = out.into_iter().partition(|((on, _), _)| on.kind == ObjectKind::Column);
    objects.into_iter().chain(columns).map(|(_, step)| step).collect()
}
