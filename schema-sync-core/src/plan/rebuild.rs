//! Tables a target cannot alter in place (SQLite: a type, a constraint, a key column) are
//! rebuilt: the [`Step::RebuildTable`] that the renderer turns into SQLite's 12 steps, with the
//! column copy list (renames, conversions, backfills) worked out here.

use super::lower::{Builder, Phase};
use super::steps::{CopyColumn, Step};
use crate::diff::Change;
use crate::expr;
use crate::model::{Column, TableRef};
use crate::types::sqlite;
use std::collections::{BTreeSet, HashMap};

impl Builder<'_> {
    /// SQLite-style targets: tables whose changes need a rebuild.
    pub(super) fn tables_to_rebuild(&self, changes: &[Change]) -> BTreeSet<TableRef> {
        let caps = self.caps;
        let mut out = BTreeSet::new();
        for ch in changes {
            let needs = match ch {
                Change::AlterColumn { .. } => !caps.alter_column,
                Change::AlterPrimaryKey { .. }
                | Change::AddUnique { .. }
                | Change::DropUnique { .. }
                | Change::AddForeignKey { .. }
                | Change::DropForeignKey { .. }
                | Change::AddCheck { .. }
                | Change::DropCheck { .. } => !caps.alter_constraints,
                Change::AlterTableOptions { .. } => true,
                Change::AddColumn { table, column } => !self.can_add_in_place(table, column),
                Change::DropColumn { table, column } => !self.can_drop_in_place(table, &column.name),
                Change::RenameColumn { .. } => !caps.rename_column,
                _ => false,
            };
            if needs {
                if let Some(t) = ch.table() {
                    out.insert(t);
                }
            }
        }
        out
    }

    pub(super) fn can_add_in_place(&self, table: &TableRef, column: &Column) -> bool {
        let caps = self.caps;
        let Some(t) = self.target_table(table) else { return false };
        let in_key = !caps.alter_constraints
            && (t.primary_key.as_ref().is_some_and(|pk| pk.columns.contains(&column.name))
                || t.uniques.iter().any(|u| u.columns.contains(&column.name))
                || t.foreign_keys.iter().any(|f| f.columns.contains(&column.name)));
        let default_ok = match &column.default {
            None => true,
            Some(d) => caps.add_column_expression_default || is_constant(d),
        };
        let not_null_ok = column.nullable
            || caps.add_column_not_null_without_default
            || column.default.as_deref().is_some_and(|d| expr::canonical(d) != "null");
        let generated_ok = caps.alter_column || column.generated.as_ref().is_none_or(|g| !g.stored);
        !in_key && default_ok && not_null_ok && generated_ok && (caps.identity_columns || column.identity.is_none())
    }

    pub(super) fn can_drop_in_place(&self, table: &TableRef, column: &str) -> bool {
        if !self.caps.drop_column {
            return false;
        }
        if self.caps.alter_constraints {
            return true;
        }
        let Some(t) = self.source_table(table) else { return false };
        let used = t.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|c| c == column))
            || t.uniques.iter().any(|u| u.columns.iter().any(|c| c == column))
            || t.foreign_keys.iter().any(|f| f.columns.iter().any(|c| c == column))
            || t.indexes.iter().any(|i| {
                i.keys.iter().any(|k| match &k.target {
                    crate::model::KeyTarget::Column(c) => c == column,
                    crate::model::KeyTarget::Expression(e) => expr::mentions(e, column),
                }) || i.predicate.as_deref().is_some_and(|p| expr::mentions(p, column))
            })
            || t.checks.iter().any(|c| expr::mentions(&c.expr, column))
            || t.columns.iter().any(|c| c.generated.as_ref().is_some_and(|g| expr::mentions(&g.expr, column)));
        !used
    }

    pub(super) fn key(t: &TableRef, col: &str) -> String {
        format!("{}.{col}", t.name)
    }

    pub(super) fn rebuild(&mut self, t: &TableRef, changes: &[Change]) {
        let Some(to) = self.target_table(t).cloned() else {
            debug_assert!(false, "rebuild of a table missing from the target: {t:?}");
            return;
        };
        // The old table is the `from` table, under its pre-rename name if renamed in this plan.
        let old_name = changes.iter().find_map(|c| match c {
            Change::RenameTable { table, to } if to == &t.name => Some(table.name.clone()),
            _ => None,
        });
        let mut from = self
            .source_table(&TableRef { schema: t.schema.clone(), name: old_name.unwrap_or_else(|| t.name.clone()) })
            .cloned()
            .unwrap_or_else(|| to.clone());
        from.name = t.name.clone();
        let renamed: HashMap<&str, &str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::RenameColumn { table, from, to } if table == t => Some((to.as_str(), from.as_str())),
                _ => None,
            })
            .collect();
        let mut copy = Vec::new();
        for col in &to.columns {
            if col.generated.is_some() {
                continue;
            }
            let src = renamed.get(col.name.as_str()).copied().unwrap_or(col.name.as_str());
            // A generated column that becomes plain keeps its values: reading it yields them.
            let Some(old) = from.column(src) else { continue };
            let key = Self::key(t, &col.name);
            let using =
                if old.ty != col.ty { self.opts.using.get(&key).cloned().or_else(|| col.using.clone()) } else { None };
            let backfill = if old.nullable && !col.nullable { self.opts.backfill.get(&key).cloned() } else { None };
            // Values change storage class only where the type affinity changes, or where a
            // column becomes the rowid alias (a NULL there would be replaced by a new rowid).
            let becomes_rowid = self.caps.is_rowid_alias(&to, col) && !self.caps.is_rowid_alias(&from, old);
            let check = using.is_none()
                && !self.opts.allow_lossy
                && (sqlite::affinity_of(&old.ty) != sqlite::affinity_of(&col.ty) || becomes_rowid);
            copy.push(CopyColumn { to: col.name.clone(), from: src.to_string(), using, backfill, check });
        }
        self.push(Phase::Rebuilds, Step::RebuildTable { from, to, copy });
    }
}

/// `true` when an expression is a literal SQLite accepts as an ADD COLUMN default.
fn is_constant(d: &str) -> bool {
    let c = expr::canonical(d);
    let t = c.trim();
    t.starts_with('\'') && t.ends_with('\'')
        || t.parse::<f64>().is_ok()
        || t.strip_prefix("- ").is_some_and(|n| n.parse::<f64>().is_ok())
        || matches!(t, "null" | "true" | "false")
}
