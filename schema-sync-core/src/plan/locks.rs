//! The lock vocabulary of a plan: lock modes, the lock one step takes on one table, table sizes,
//! and how they read. Which step takes which lock is `step_locks.rs`.

use crate::model::TableRef;
use serde::Serialize;

/// A table-level lock mode, weakest first (the ones schema-sync's steps take).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockMode {
    /// `ROW EXCLUSIVE`: what `UPDATE` takes (a backfill); rows it changes wait, nothing else.
    RowExclusive,
    /// `SHARE UPDATE EXCLUSIVE`: reads and writes go on (`CREATE INDEX CONCURRENTLY`,
    /// `VALIDATE CONSTRAINT`).
    ShareUpdateExclusive,
    /// `SHARE`: reads go on, writes wait (`CREATE INDEX`).
    Share,
    /// `SHARE ROW EXCLUSIVE`: reads go on, writes wait (`ADD FOREIGN KEY`, on both tables).
    ShareRowExclusive,
    /// `ACCESS EXCLUSIVE`: everything waits, even `SELECT` (most `ALTER TABLE` forms).
    AccessExclusive,
}

impl LockMode {
    /// The mode as Postgres spells it.
    pub fn sql(self) -> &'static str {
        match self {
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// Writes (`INSERT`, `UPDATE`, `DELETE`) wait while it is held.
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }

    /// Reads (`SELECT`) wait while it is held.
    pub fn blocks_reads(self) -> bool {
        self == LockMode::AccessExclusive
    }
}

/// Rough size of a table, from the catalog (`reltuples`, `pg_total_relation_size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableSize {
    /// Estimated rows (`reltuples`; 0 when the table was never analyzed and is empty).
    pub rows: i64,
    /// Bytes on disk, indexes and TOAST included.
    pub bytes: i64,
}

/// The lock one step takes on one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepLock {
    /// Index into [`super::Plan::steps`].
    pub step: usize,
    /// The table.
    pub table: TableRef,
    /// The mode.
    pub mode: LockMode,
    /// The step rewrites the whole table while holding the lock.
    pub rewrites: bool,
    /// The step reads every row while holding the lock (a validation, an index build).
    pub scans: bool,
    /// The table is created by this plan: empty, and nobody else can be using it.
    pub new_table: bool,
    /// Filled by [`super::Plan::estimate`] from the live catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<TableSize>,
}

impl StepLock {
    /// Held only for a moment (a catalog change): no rows are read or written under it.
    pub fn is_brief(&self) -> bool {
        !self.rewrites && !self.scans
    }

    /// One line for people: `ACCESS EXCLUSIVE on public.users (rewrites; ~1.2M rows, 84 MB)`.
    pub fn describe(&self) -> String {
        let mut what = Vec::new();
        if self.rewrites {
            what.push("rewrites".to_string());
        } else if self.scans {
            what.push("scans".to_string());
        }
        what.push(match (self.mode.blocks_reads(), self.mode.blocks_writes()) {
            (true, _) => "reads and writes wait".to_string(),
            (false, true) => "writes wait".to_string(),
            (false, false) => "reads and writes go on".to_string(),
        });
        if self.new_table {
            what.push("new table".to_string());
        } else if let Some(s) = self.size.filter(|_| !self.is_brief()) {
            what.push(format!("~{} rows, {}", human_count(s.rows), human_bytes(s.bytes)));
        }
        format!("{} on {} ({})", self.mode.sql(), self.table.display(), what.join("; "))
    }
}

/// `1234567` → `1.2M`.
pub fn human_count(n: i64) -> String {
    let n = n.max(0);
    let f = n as f64;
    if n < 10_000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{:.1}k", f / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.1}M", f / 1e6)
    } else {
        format!("{:.1}G", f / 1e9)
    }
}

/// `88080384` → `84 MB`.
pub fn human_bytes(n: i64) -> String {
    let n = n.max(0);
    let f = n as f64;
    if n < 1 << 10 {
        format!("{n} B")
    } else if n < 1 << 20 {
        format!("{:.0} kB", f / 1024.0)
    } else if n < 1 << 30 {
        format!("{:.0} MB", f / 1_048_576.0)
    } else {
        format!("{:.1} GB", f / 1_073_741_824.0)
    }
}

#[cfg(test)]
mod tests {
    use super::LockMode::*;
    use super::*;

    #[test]
    fn modes_say_what_waits_and_sizes_read_well() {
        assert!(AccessExclusive.blocks_reads() && AccessExclusive.blocks_writes());
        assert!(!Share.blocks_reads() && Share.blocks_writes() && ShareRowExclusive.blocks_writes());
        assert!(!ShareUpdateExclusive.blocks_writes());
        assert_eq!(human_count(1_234_567), "1.2M");
        assert_eq!(human_count(512), "512");
        assert_eq!(human_bytes(88_080_384), "84 MB");
        let l = StepLock {
            step: 0,
            table: TableRef { schema: Some("public".into()), name: "users".into() },
            mode: AccessExclusive,
            rewrites: true,
            scans: false,
            new_table: false,
            size: Some(TableSize { rows: 1_200_000, bytes: 88_080_384 }),
        };
        assert_eq!(
            l.describe(),
            "ACCESS EXCLUSIVE on public.users (rewrites; reads and writes wait; ~1.2M rows, 84 MB)"
        );
    }
}
