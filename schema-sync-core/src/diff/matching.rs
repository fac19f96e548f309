//! Equality rules for columns and constraints: what counts as "the same" after normalisation.
//!
//! Constraint names count only when both sides have one (models and SQLite often have none).

use super::ColumnChanges;
use crate::expr;
use crate::model::{
    Check, Column, Domain, Exclusion, Extension, ForeignKey, Index, IndexKey, KeyTarget, Policy, PrimaryKey, Table,
    Unique, View,
};
use std::collections::HashMap;

fn same_name(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn same_ci(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// What differs between two versions of one column.
pub fn column_changes(from: &Column, to: &Column) -> ColumnChanges {
    let generated = match (&from.generated, &to.generated) {
        (None, None) => false,
        (Some(a), Some(b)) => a.stored != b.stored || !expr::same(&a.expr, &b.expr),
        _ => true,
    };
    ColumnChanges {
        ty: from.ty != to.ty,
        nullable: from.nullable != to.nullable,
        default: !expr::same_default(from.default.as_deref(), to.default.as_deref(), &to.ty),
        identity: from.identity != to.identity,
        identity_options: from.identity_options != to.identity_options,
        generated,
        collation: !same_ci(&from.collation, &to.collation),
    }
}

/// Primary keys are the same when they cover the same columns in order.
pub fn same_pk(a: Option<&PrimaryKey>, b: Option<&PrimaryKey>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.columns == b.columns && a.deferrable == b.deferrable && same_name(&a.name, &b.name),
        _ => false,
    }
}

fn same_key(a: &IndexKey, b: &IndexKey) -> bool {
    let target = match (&a.target, &b.target) {
        (KeyTarget::Column(x), KeyTarget::Column(y)) => x == y,
        (KeyTarget::Expression(x), KeyTarget::Expression(y)) => expr::same(x, y),
        // `lower(x)` vs a column named the same never match; an expression that is just a
        // column reference (`("x")`) matches the column.
        (KeyTarget::Column(c), KeyTarget::Expression(e)) | (KeyTarget::Expression(e), KeyTarget::Column(c)) => {
            expr::same(e, &crate::sql::quote_ident(c))
        }
    };
    target
        && a.descending == b.descending
        && a.nulls_first == b.nulls_first
        && same_ci(&a.collation, &b.collation)
        && a.opclass == b.opclass
}

/// Indexes are the same when name and definition match.
pub fn same_index(a: &Index, b: &Index) -> bool {
    let method = |m: &Option<String>| m.clone().filter(|m| !m.eq_ignore_ascii_case("btree"));
    a.name == b.name
        && a.unique == b.unique
        && a.keys.len() == b.keys.len()
        && a.keys.iter().zip(&b.keys).all(|(x, y)| same_key(x, y))
        && expr::same_opt(a.predicate.as_deref(), b.predicate.as_deref())
        && method(&a.method) == method(&b.method)
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.with == b.with
        // A live index a concurrent build left invalid is never the wanted one.
        && (!a.invalid || b.invalid)
}

/// UNIQUE constraints are the same when they cover the same columns.
pub fn same_unique(a: &Unique, b: &Unique) -> bool {
    a.columns == b.columns
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.deferrable == b.deferrable
        && same_name(&a.name, &b.name)
}

/// Foreign keys are the same when columns, target and actions match. An empty referenced
/// column list (SQLite shorthand for "the primary key") matches the target's primary key.
pub fn same_fk(a: &ForeignKey, b: &ForeignKey, _from: &Table, _to: &Table) -> bool {
    let refs = a.ref_columns == b.ref_columns || a.ref_columns.is_empty() || b.ref_columns.is_empty();
    a.columns == b.columns
        && a.ref_table == b.ref_table
        && a.ref_schema == b.ref_schema
        && refs
        && a.on_delete == b.on_delete
        && a.on_update == b.on_update
        && a.deferrable == b.deferrable
        && a.match_full == b.match_full
        && same_name(&a.name, &b.name)
        && validity(a.not_valid, b.not_valid)
}

/// The validation state is part of what a constraint is: a `NOT VALID` one is finished with
/// `VALIDATE CONSTRAINT` when a validated one is wanted, and a validated one is dropped and
/// added back `NOT VALID` (no scan; new rows stay checked throughout, in one transaction) when
/// the target says `NOT VALID` — the state the target declares is the state it gets.
fn validity(from_not_valid: bool, to_not_valid: bool) -> bool {
    from_not_valid == to_not_valid
}

/// Views are the same when everything the catalog keeps about them is: the query text as the
/// catalog prints it (so two reads of equal views agree exactly), compared with its whitespace
/// collapsed and a final `;` dropped, so that a query written in the catalog's own spelling
/// matches it.
pub fn same_view(a: &View, b: &View) -> bool {
    // A materialized view's indexes are changed on their own, without recomputing it; the
    // columns a declaration promises are a check, not part of the view.
    let kept = |v: &View| View {
        indexes: Vec::new(),
        declared_columns: Vec::new(),
        definition: crate::sql::collapse(v.definition.trim().trim_end_matches(';').trim_end()),
        ..v.clone()
    };
    kept(a) == kept(b)
}

/// Extensions are the same in the same schema at the same version (a side that names no
/// version takes any).
pub fn same_extension(a: &Extension, b: &Extension) -> bool {
    a.schema == b.schema && (a.version.is_none() || b.version.is_none() || a.version == b.version)
}

/// Domains are the same when everything but the spelling of their expressions is.
pub fn same_domain(a: &Domain, b: &Domain) -> bool {
    a.base == b.base
        && a.collation == b.collation
        && a.not_null == b.not_null
        && expr::same_opt(a.default.as_deref(), b.default.as_deref())
        && a.checks.len() == b.checks.len()
        && a.checks.iter().zip(&b.checks).all(|(x, y)| x.name == y.name && expr::same(&x.expr, &y.expr))
}

/// Policies are the same when everything but the spelling of their expressions is.
pub fn same_policy(a: &Policy, b: &Policy) -> bool {
    a.restrictive == b.restrictive
        && a.command == b.command
        && a.roles == b.roles
        && expr::same_opt(a.using.as_deref(), b.using.as_deref())
        && expr::same_opt(a.with_check.as_deref(), b.with_check.as_deref())
}

/// Checks are the same when their expressions are the same after canonicalisation.
pub fn same_check(a: &Check, b: &Check) -> bool {
    a.no_inherit == b.no_inherit
        && same_name(&a.name, &b.name)
        && validity(a.not_valid, b.not_valid)
        && expr::same(&a.expr, &b.expr)
}

/// Exclusion constraints are the same under the same name with the same definition (the
/// catalog's text, compared with its whitespace collapsed).
pub fn same_exclusion(a: &Exclusion, b: &Exclusion) -> bool {
    same_name(&a.name, &b.name) && crate::sql::collapse(&a.definition) == crate::sql::collapse(&b.definition)
}

/// Among the unpaired constraints of a table, those only in `from` that differ from one only
/// in `to` by being `NOT VALID` (`unvalidated(from, to)`): they are validated rather than
/// dropped and re-added. Returns (to validate, still to drop, still to add).
pub fn validations<'a, T>(
    drop: Vec<&'a T>,
    add: Vec<&'a T>,
    unvalidated: impl Fn(&T, &T) -> bool,
) -> (Vec<&'a T>, Vec<&'a T>, Vec<&'a T>) {
    let mut add: Vec<Option<&T>> = add.into_iter().map(Some).collect();
    let (mut validate, mut still) = (Vec::new(), Vec::new());
    for d in drop {
        match add.iter().position(|a| a.is_some_and(|a| unvalidated(d, a))) {
            Some(j) => {
                add[j] = None;
                validate.push(d);
            }
            None => still.push(d),
        }
    }
    (validate, still, add.into_iter().flatten().collect())
}

/// Pairs equal items of `from` and `to`; returns (only in `from`, only in `to`).
pub fn pair<'a, T>(from: &'a [T], to: &'a [T], same: impl Fn(&T, &T) -> bool) -> (Vec<&'a T>, Vec<&'a T>) {
    let mut used = vec![false; to.len()];
    let mut only_from = Vec::new();
    for f in from {
        match (0..to.len()).find(|&j| !used[j] && same(f, &to[j])) {
            Some(j) => used[j] = true,
            None => only_from.push(f),
        }
    }
    let only_to = to.iter().zip(used).filter(|(_, u)| !u).map(|(t, _)| t).collect();
    (only_from, only_to)
}

/// A copy of `t` with columns renamed in every constraint (after a RENAME COLUMN).
pub fn rename_columns(t: &Table, renames: &HashMap<&str, &str>) -> Table {
    let mut t = t.clone();
    if renames.is_empty() {
        return t;
    }
    let map = |c: &mut String| {
        if let Some(n) = renames.get(c.as_str()) {
            *c = n.to_string();
        }
    };
    for col in &mut t.columns {
        map(&mut col.name);
    }
    if let Some(pk) = &mut t.primary_key {
        pk.columns.iter_mut().for_each(map);
    }
    for u in &mut t.uniques {
        u.columns.iter_mut().for_each(map);
    }
    for fk in &mut t.foreign_keys {
        fk.columns.iter_mut().for_each(map);
    }
    for i in &mut t.indexes {
        for k in &mut i.keys {
            if let KeyTarget::Column(c) = &mut k.target {
                map(c);
            }
        }
    }
    t
}
