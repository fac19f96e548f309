//! Human (text) and machine (JSON) renderings of a [`Comparison`].
//!
//! Text is grouped by table with `+` added, `-` removed and `~` changed. JSON is the stable
//! shape documented in `docs/json.md`: `{format_version, dialect, cross_dialect, in_sync,
//! changes: [Change…], notes: [Note…]}`.

use super::{Change, Comparison};
use crate::model::TableRef;
use crate::model::{Column, ForeignKey, Grant, Index, KeyTarget};
use crate::resolve::type_text;
use crate::types::Dialect;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Version of the JSON shape printed by `diff --format json`.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// The stable JSON document for a comparison.
pub fn render_json(c: &Comparison) -> serde_json::Value {
    serde_json::json!({
        "format_version": JSON_FORMAT_VERSION,
        "dialect": c.dialect,
        "cross_dialect": c.cross_dialect,
        "in_sync": c.changes.is_empty(),
        "changes": c.changes,
        "notes": c.notes,
    })
}

fn column_text(col: &Column, d: Dialect) -> String {
    let mut s = format!("{} {}", col.name, type_text(&col.ty, d));
    if !col.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(def) = &col.default {
        let _ = write!(s, " DEFAULT {def}");
    }
    if let Some(i) = col.identity {
        let _ = write!(s, " [{}]", i.name());
    }
    if let Some(g) = &col.generated {
        let _ = write!(s, " GENERATED AS ({})", g.expr);
    }
    s
}

fn index_text(i: &Index) -> String {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = match &k.target {
                KeyTarget::Column(c) => c.clone(),
                KeyTarget::Expression(e) => format!("({e})"),
            };
            if k.descending {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    let mut s = format!("{}{} ({})", if i.unique { "unique index " } else { "index " }, i.name, keys.join(", "));
    if let Some(p) = &i.predicate {
        let _ = write!(s, " WHERE {p}");
    }
    if i.invalid {
        s.push_str(" (invalid: a concurrent build did not finish)");
    }
    s
}

fn fk_text(fk: &ForeignKey) -> String {
    let mut s = format!("foreign key ({}) → {}({})", fk.columns.join(", "), fk.ref_table, fk.ref_columns.join(", "));
    if fk.on_delete != Default::default() {
        let _ = write!(s, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.on_update != Default::default() {
        let _ = write!(s, " ON UPDATE {}", fk.on_update.sql());
    }
    s
}

/// The line of a change to an object that is not a table: `+`/`-`/`~`, its kind and its name.
fn object_line(ch: &Change) -> String {
    let on_table = |name: &str, table: TableRef| format!("{name} on {}", table.display());
    let kind = |k: &str| k.to_lowercase();
    let (sign, what, name, differs) = match ch {
        Change::CreateView { view } => ('+', kind(view.kind()), view.relation().display(), None),
        Change::DropView { view } => ('-', kind(view.kind()), view.relation().display(), None),
        Change::AlterView { from, to } => {
            let what = if from.definition != to.definition {
                "query"
            } else if from.options != to.options {
                "options"
            } else {
                "definition"
            };
            ('~', kind(to.kind()), to.relation().display(), Some(what))
        }
        Change::CreateTrigger { trigger: t } => ('+', "trigger".into(), on_table(&t.name, t.relation()), None),
        Change::DropTrigger { trigger: t } => ('-', "trigger".into(), on_table(&t.name, t.relation()), None),
        Change::AlterTrigger { to: t, .. } => {
            ('~', "trigger".into(), on_table(&t.name, t.relation()), Some("definition"))
        }
        Change::CreatePolicy { policy: p } => ('+', "policy".into(), on_table(&p.name, p.relation()), None),
        Change::DropPolicy { policy: p } => ('-', "policy".into(), on_table(&p.name, p.relation()), None),
        Change::AlterPolicy { to: p, .. } => {
            ('~', "policy".into(), on_table(&p.name, p.relation()), Some("definition"))
        }
        Change::CreateFunction { function: f } => ('+', kind(f.kind()), f.display(), None),
        Change::DropFunction { function: f } => ('-', kind(f.kind()), f.display(), None),
        Change::AlterFunction { from, to } => {
            let what = if to.replaces(from) { "definition" } else { "result or arguments" };
            ('~', kind(to.kind()), to.display(), Some(what))
        }
        Change::SetComment { on, to, .. } => {
            let what = format!("comment on {}", kind(on.kind.keyword()));
            return match to {
                Some(t) => format!("~ {what} {}: {t:?}", on.display()),
                None => format!("- {what} {}", on.display()),
            };
        }
        Change::CreateExtension { extension: x } => ('+', "extension".into(), x.name.clone(), None),
        Change::DropExtension { extension: x } => ('-', "extension".into(), x.name.clone(), None),
        Change::AlterExtension { from, to } => {
            let what = if from.schema != to.schema { "schema" } else { "version" };
            ('~', "extension".into(), to.name.clone(), Some(what))
        }
        Change::CreateSchema { name } => ('+', "schema".into(), name.clone(), None),
        Change::DropSchema { name } => ('-', "schema".into(), name.clone(), None),
        Change::CreateComposite { composite: c } => ('+', "type".into(), c.display(), None),
        Change::DropComposite { composite: c } => ('-', "type".into(), c.display(), None),
        Change::AlterComposite { to: c, .. } => ('~', "type".into(), c.display(), Some("attributes")),
        Change::CreateCollation { collation: c } => ('+', "collation".into(), c.display(), None),
        Change::DropCollation { collation: c } => ('-', "collation".into(), c.display(), None),
        Change::AlterCollation { to: c, .. } => ('~', "collation".into(), c.display(), Some("definition")),
        Change::CreateDomain { domain: d } => ('+', "domain".into(), d.display(), None),
        Change::DropDomain { domain: d } => ('-', "domain".into(), d.display(), None),
        Change::AlterDomain { from, to } => {
            let what = if from.recreated_as(to) {
                "base type or collation"
            } else if from.checks != to.checks {
                "checks"
            } else {
                "default or NOT NULL"
            };
            ('~', "domain".into(), to.display(), Some(what))
        }
        Change::SetPrivileges { on, role, from, to } => {
            let list = |g: &Grant| {
                let mut s = if g.privileges.is_empty() { "none".to_string() } else { g.privileges.join(", ") };
                if !g.grantable.is_empty() {
                    let _ = write!(s, " (grant option: {})", g.grantable.join(", "));
                }
                s
            };
            let before = from.as_ref().map_or_else(|| "default".to_string(), list);
            let after = match to {
                Some(g) => list(g),
                None => format!("default ({})", from.as_ref().map_or("none".into(), |f| f.default.join(", "))),
            };
            return format!(
                "~ privileges of {role} on {} {}: {before} → {after}",
                kind(on.kind.keyword()),
                on.display()
            );
        }
        // Table changes are listed under their table, not here.
        other => return format!("{other:?}"),
    };
    match differs {
        Some(d) => format!("{sign} {what} {name}: {d} differs"),
        None => format!("{sign} {what} {name}"),
    }
}

/// How a table is partitioned, for a change line.
fn partitioning_text(t: &crate::model::Table) -> String {
    match (&t.partition_by, &t.partition_of) {
        (Some(k), _) => format!("partitioned by {k}"),
        (None, Some(p)) => format!("partition of {} {}", p.parent().display(), p.bound),
        (None, None) => "not partitioned".to_string(),
    }
}

/// A readable report, grouped by table. Empty string when there are no changes.
pub fn render_text(c: &Comparison) -> String {
    let d = c.dialect;
    let mut out = String::new();
    let mut by_table: BTreeMap<TableRef, Vec<String>> = BTreeMap::new();
    let mut headers: BTreeMap<TableRef, char> = BTreeMap::new();
    // Views and triggers, listed after the tables they read.
    let mut tail = String::new();
    for ch in &c.changes {
        let line = match ch {
            Change::CreateEnum { r#enum } => {
                let _ = writeln!(out, "+ enum {} ({})", r#enum.name, r#enum.values.join(", "));
                continue;
            }
            Change::DropEnum { r#enum } => {
                let _ = writeln!(out, "- enum {}", r#enum.name);
                continue;
            }
            Change::AlterEnum { from, to } => {
                let _ = writeln!(out, "~ enum {}: ({}) → ({})", to.name, from.values.join(", "), to.values.join(", "));
                continue;
            }
            Change::CreateSequence { sequence } => {
                let _ = writeln!(out, "+ sequence {}", sequence.name);
                continue;
            }
            Change::DropSequence { sequence } => {
                let _ = writeln!(out, "- sequence {}", sequence.name);
                continue;
            }
            Change::AlterSequence { to, .. } => {
                let _ = writeln!(out, "~ sequence {}", to.name);
                continue;
            }
            Change::CreateTable { table } => {
                let t = TableRef::of(table);
                headers.insert(t.clone(), '+');
                let lines = by_table.entry(t).or_default();
                for col in &table.columns {
                    lines.push(format!("+ column {}", column_text(col, d)));
                }
                if let Some(pk) = &table.primary_key {
                    lines.push(format!("+ primary key ({})", pk.columns.join(", ")));
                }
                continue;
            }
            Change::DropTable { table } => {
                headers.insert(TableRef::of(table), '-');
                by_table.entry(TableRef::of(table)).or_default();
                continue;
            }
            Change::RenameTable { table, to } => format!("~ renamed from {} to {to}", table.name),
            Change::AddColumn { column, .. } => format!("+ column {}", column_text(column, d)),
            Change::DropColumn { column, .. } => format!("- column {}", column_text(column, d)),
            Change::RenameColumn { from, to, .. } => format!("~ column {from} renamed to {to}"),
            Change::AlterColumn { from, to, changes, .. } => {
                let mut parts = Vec::new();
                if changes.ty {
                    parts.push(format!("type {} → {}", type_text(&from.ty, d), type_text(&to.ty, d)));
                }
                if changes.nullable {
                    parts.push(if to.nullable {
                        "NOT NULL → nullable".to_string()
                    } else {
                        "nullable → NOT NULL".to_string()
                    });
                }
                if changes.default {
                    parts.push(format!(
                        "default {} → {}",
                        from.default.as_deref().unwrap_or("none"),
                        to.default.as_deref().unwrap_or("none")
                    ));
                }
                if changes.identity {
                    parts.push(format!("identity {:?} → {:?}", from.identity, to.identity));
                }
                if changes.identity_options {
                    let o = |c: &crate::model::Column| {
                        c.identity_options.map_or("default".to_string(), |o| format!("({})", o.sql()))
                    };
                    parts.push(format!("identity options {} → {}", o(from), o(to)));
                }
                if changes.generated {
                    parts.push("generated expression".to_string());
                }
                if changes.collation {
                    parts.push(format!("collation {:?} → {:?}", from.collation, to.collation));
                }
                let why = c
                    .notes
                    .iter()
                    .find(|n| !n.compatible && n.subject.ends_with(&format!(".{}", to.name)) && changes.ty)
                    .map(|n| format!(" ({})", n.message))
                    .unwrap_or_default();
                format!("~ column {}: {}{why}", to.name, parts.join("; "))
            }
            Change::AlterPrimaryKey { from, to, .. } => format!(
                "~ primary key ({}) → ({})",
                from.as_ref().map(|p| p.columns.join(", ")).unwrap_or_default(),
                to.as_ref().map(|p| p.columns.join(", ")).unwrap_or_default()
            ),
            Change::AddIndex { index, .. } => format!("+ {}", index_text(index)),
            Change::DropIndex { index, .. } => format!("- {}", index_text(index)),
            Change::AddUnique { unique, .. } => format!("+ unique ({})", unique.columns.join(", ")),
            Change::DropUnique { unique, .. } => format!("- unique ({})", unique.columns.join(", ")),
            Change::AddForeignKey { foreign_key, .. } => format!("+ {}", fk_text(foreign_key)),
            Change::DropForeignKey { foreign_key, .. } => format!("- {}", fk_text(foreign_key)),
            Change::AddCheck { check, .. } => format!("+ check ({})", check.expr),
            Change::DropCheck { check, .. } => format!("- check ({})", check.expr),
            Change::AddExclusion { exclusion, .. } => format!("+ exclude {}", exclusion.definition),
            Change::DropExclusion { exclusion, .. } => format!("- exclude {}", exclusion.definition),
            Change::ValidateConstraint { name, .. } => format!("~ constraint {name}: NOT VALID → validated"),
            Change::AlterTableOptions { from, to, .. } => format!("~ options {from:?} → {to:?}"),
            Change::RecreateTable { from, to } => {
                format!("~ partitioning {} → {}: recreated", partitioning_text(from), partitioning_text(to))
            }
            Change::NamePartitionIndex { parent_index, from, to, .. } => {
                format!("~ index of {parent_index}: {} → {to}", from.as_deref().unwrap_or("(named by Postgres)"))
            }
            Change::AlterInherits { from, to, .. } => {
                let list =
                    |ps: &[crate::model::Parent]| ps.iter().map(|p| p.table.clone()).collect::<Vec<_>>().join(", ");
                format!("~ inherits ({}) → ({})", list(from), list(to))
            }
            Change::AlterPartition { from, to, .. } => {
                let of = |p: &Option<crate::model::PartitionOf>| match p {
                    Some(p) => format!("partition of {} {}", p.parent().display(), p.bound),
                    None => "not a partition".to_string(),
                };
                format!("~ {} → {}", of(from), of(to))
            }
            Change::AlterRowSecurity { to, .. } => {
                let on = |b: bool| if b { "on" } else { "off" };
                format!("~ row-level security: {}, forced {}", on(to.enabled), on(to.forced))
            }
            // Listed after the tables they read or are on.
            Change::CreateView { .. }
            | Change::DropView { .. }
            | Change::AlterView { .. }
            | Change::CreateTrigger { .. }
            | Change::DropTrigger { .. }
            | Change::AlterTrigger { .. }
            | Change::CreatePolicy { .. }
            | Change::DropPolicy { .. }
            | Change::AlterPolicy { .. }
            | Change::SetComment { .. }
            | Change::SetPrivileges { .. } => {
                let _ = writeln!(tail, "{}", object_line(ch));
                continue;
            }
            // Listed before the tables: what they define is used there.
            Change::CreateFunction { .. }
            | Change::DropFunction { .. }
            | Change::AlterFunction { .. }
            | Change::CreateExtension { .. }
            | Change::DropExtension { .. }
            | Change::AlterExtension { .. }
            | Change::CreateDomain { .. }
            | Change::DropDomain { .. }
            | Change::AlterDomain { .. }
            | Change::CreateSchema { .. }
            | Change::DropSchema { .. }
            | Change::CreateComposite { .. }
            | Change::DropComposite { .. }
            | Change::AlterComposite { .. }
            | Change::CreateCollation { .. }
            | Change::DropCollation { .. }
            | Change::AlterCollation { .. } => {
                let _ = writeln!(out, "{}", object_line(ch));
                continue;
            }
        };
        let t = ch.table().expect("table change");
        headers.entry(t.clone()).or_insert('~');
        by_table.entry(t).or_default().push(line);
    }
    for (t, lines) in by_table {
        let sign = headers.get(&t).copied().unwrap_or('~');
        let _ = writeln!(out, "{sign} table {}", t.display());
        for l in lines {
            let _ = writeln!(out, "    {l}");
        }
    }
    out.push_str(&tail);
    out
}
