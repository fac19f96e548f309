//! facade
pub use schema_sync_core as core;
