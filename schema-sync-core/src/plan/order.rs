//! Ordering within a phase: tables created before the tables that reference them (and
//! partitions after their parent), dropped after; each new table's indexes right after it.

use super::steps::Step;
use crate::model::{Schema, TableRef};
use std::collections::{BTreeMap, BTreeSet};

/// Orders CREATE TABLE steps so referenced tables come first, and DROP TABLE steps so
/// referencing tables go first. Other steps keep their phase order.
pub(super) fn order_tables(steps: Vec<Step>, from: &Schema) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    let mut i = 0;
    while i < steps.len() {
        let is_create = |s: &Step| matches!(s, Step::CreateTable { .. } | Step::CreateIndex { .. });
        let is_drop = |s: &Step| matches!(s, Step::DropTable { .. });
        if matches!(steps[i], Step::CreateTable { .. }) {
            let mut j = i;
            while j < steps.len() && is_create(&steps[j]) {
                j += 1;
            }
            out.extend(topo(&steps[i..j], false, from));
            i = j;
        } else if is_drop(&steps[i]) {
            let mut j = i;
            while j < steps.len() && is_drop(&steps[j]) {
                j += 1;
            }
            out.extend(topo(&steps[i..j], true, from));
            i = j;
        } else {
            out.push(steps[i].clone());
            i += 1;
        }
    }
    out
}

fn topo(group: &[Step], reverse: bool, _from: &Schema) -> Vec<Step> {
    // Tables of this group and the tables each references.
    let mut tables: BTreeMap<String, (Step, Vec<Step>, Vec<String>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for s in group {
        match s {
            Step::CreateTable { table } | Step::DropTable { table } => {
                let key = TableRef::of(table).display();
                let deps = table
                    .foreign_keys
                    .iter()
                    .map(|fk| {
                        TableRef { schema: fk.ref_schema.clone().or(table.schema.clone()), name: fk.ref_table.clone() }
                            .display()
                    })
                    // A partition comes after its parent (and is dropped before it).
                    .chain(table.partition_of.as_ref().map(|p| {
                        TableRef { schema: p.schema.clone().or(table.schema.clone()), name: p.table.clone() }.display()
                    }))
                    // So does a child under inheritance.
                    .chain(table.inherits.iter().map(|p| p.table_ref(table.schema.as_deref()).display()))
                    .filter(|d| d != &key)
                    .collect();
                order.push(key.clone());
                tables.insert(key, (s.clone(), Vec::new(), deps));
            }
            _ => {}
        }
    }
    // Indexes go right after their table when it is created here; an index on a table that
    // already exists (the run only happens to include it) keeps its place after the tables.
    let mut other_indexes = Vec::new();
    for s in group {
        if let Step::CreateIndex { table, .. } = s {
            // Those of partitioned tables and partitions keep the order of their phases (a
            // partitioned table's after its partitions', which it may adopt; a partition's own
            // after its parent's, which must not adopt them).
            let partitioning = |t: &crate::model::Table| t.partition_by.is_some() || t.partition_of.is_some();
            match tables.get_mut(&table.display()) {
                Some(e) if !matches!(&e.0, Step::CreateTable { table } if partitioning(table)) => e.1.push(s.clone()),
                _ => other_indexes.push(s.clone()),
            }
        }
    }
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut sorted: Vec<String> = Vec::new();
    fn visit(
        k: &str,
        tables: &BTreeMap<String, (Step, Vec<Step>, Vec<String>)>,
        done: &mut BTreeSet<String>,
        visiting: &mut BTreeSet<String>,
        sorted: &mut Vec<String>,
    ) {
        if done.contains(k) || !visiting.insert(k.to_string()) {
            return;
        }
        if let Some((_, _, deps)) = tables.get(k) {
            for d in deps {
                if tables.contains_key(d) {
                    visit(d, tables, done, visiting, sorted);
                }
            }
        }
        done.insert(k.to_string());
        sorted.push(k.to_string());
    }
    let mut visiting = BTreeSet::new();
    for k in &order {
        visit(k, &tables, &mut done, &mut visiting, &mut sorted);
    }
    if reverse {
        sorted.reverse();
    }
    let mut out = Vec::new();
    for k in sorted {
        if let Some((s, idx, _)) = tables.remove(&k) {
            out.push(s);
            out.extend(idx);
        }
    }
    out.extend(other_indexes);
    out
}

#[cfg(test)]
mod tests {
    use crate::model::Schema;
    use crate::testkit::{fk, index, kinds, plan_latest, schema, table};
    use crate::types::Dialect::{self, Postgres as PG, Sqlite as LITE};

    /// a → b → c (a references b, b references c), given in the worst order.
    fn chain(d: Dialect) -> Schema {
        let int = if d == PG { "bigint" } else { "INTEGER" };
        let mut a = table(d, "a", &[("id", int), ("b_id", int)]);
        a.foreign_keys.push(fk("b_id", "b", "id"));
        a.indexes.push(index("a_b", &["b_id"], false));
        let mut b = table(d, "b", &[("id", int), ("c_id", int)]);
        b.foreign_keys.push(fk("c_id", "c", "id"));
        let c = table(d, "c", &[("id", int)]);
        schema(d, vec![a, b, c])
    }

    fn names(p: &crate::plan::Plan) -> Vec<String> {
        p.steps
            .iter()
            .filter_map(|s| match s {
                crate::plan::Step::CreateTable { table } | crate::plan::Step::DropTable { table } => {
                    Some(table.name.clone())
                }
                crate::plan::Step::CreateIndex { index, .. } => Some(format!("index {}", index.name)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn referenced_tables_are_created_first_and_dropped_last() {
        // SQLite declares foreign keys inside CREATE TABLE, so the referenced table must exist
        // first: c before b before a, and a's index right after a.
        let up = plan_latest(&schema(LITE, vec![]), &chain(LITE));
        assert_eq!(names(&up), ["c", "b", "a", "index a_b"]);
        // Postgres adds foreign keys after every table exists: the tables keep name order.
        let up = plan_latest(&schema(PG, vec![]), &chain(PG));
        assert_eq!(names(&up), ["a", "index a_b", "b", "c"]);
        // Dropped: a (which references b) first, c last.
        let down = plan_latest(&chain(PG), &schema(PG, vec![]));
        assert_eq!(names(&down), ["a", "b", "c"]);
        assert!(kinds(&down).iter().all(|k| k.starts_with("drop_")), "{:?}", kinds(&down));
    }

    #[test]
    fn a_foreign_key_cycle_does_not_loop_and_keeps_every_table() {
        let mut x = table(PG, "x", &[("id", "bigint"), ("y_id", "bigint")]);
        x.foreign_keys.push(fk("y_id", "y", "id"));
        let mut y = table(PG, "y", &[("id", "bigint"), ("x_id", "bigint")]);
        y.foreign_keys.push(fk("x_id", "x", "id"));
        let up = plan_latest(&schema(PG, vec![]), &schema(PG, vec![x, y]));
        let mut created = names(&up);
        created.sort();
        assert_eq!(created, ["x", "y"]);
        // Postgres adds cyclic foreign keys after both tables exist.
        assert_eq!(kinds(&up).iter().filter(|k| *k == "add_foreign_key").count(), 2);
    }
}
