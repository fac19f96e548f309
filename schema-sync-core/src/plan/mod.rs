//! `plan(comparison, caps, opts)`: order the changes by dependency and lower what the target
//! cannot do in place. Pure.
//!
//! Concerns, one module each: [`lower`](self) turns changes into steps for the target's
//! capabilities (`lower.rs`, with table rebuilds in `rebuild.rs`), `order.rs` orders tables
//! by their foreign keys, `online.rs` moves what would lock a live Postgres table for a whole
//! scan into an online part after the transaction (with [`PlanOptions::online`]), `step_locks.rs` says what each Postgres step locks (in the vocabulary of
//! `locks.rs`) and whether it scans or rewrites under the lock, `hazards.rs` says what each step
//! risks.
//!
//! Order: enum/sequence creation → foreign-key and other constraint drops → renames → new tables
//! (referenced ones first) → column additions and alterations → SQLite rebuilds → new
//! constraints and indexes → new foreign keys → column drops → table drops (referencing ones
//! first) → enum/sequence drops.

mod comments;
mod dependents;
mod hazards;
mod locks;
mod lower;
mod online;
mod order;
mod privileges;
mod rebuild;
mod step_locks;
mod steps;

pub use crate::capabilities::Capabilities;
pub use locks::{human_bytes, human_count, LockMode, StepLock, TableSize};
pub use step_locks::is_volatile;
pub use steps::{CopyColumn, EnumUse, Hazard, HazardCode, Plan, PlanOptions, ShadowChange, Step};

use crate::diff::Comparison;

/// Builds the plan that turns a database at `comparison.from` into `comparison.to` (both
/// resolved to one dialect), from the comparison's changes ([`crate::diff::compare`]).
pub fn plan(comparison: &Comparison, caps: &Capabilities, opts: &PlanOptions) -> Plan {
    let steps = lower::lower(&comparison.from, &comparison.to, &comparison.changes, caps, opts);
    let steps = order::order_tables(steps, &comparison.from);
    let (steps, online_from) = online::split(steps, &comparison.from, &comparison.to, caps, opts);
    let locks = step_locks::locks(&steps, caps.dialect);
    let hazards = hazards::hazards(&steps, &locks, caps, online_from);
    Plan { dialect: caps.dialect, steps, hazards, locks, online_from }
}
