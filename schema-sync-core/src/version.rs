//! The `schema_version` bookkeeping table kept in every managed database.

/// Name of the bookkeeping table.
pub const TABLE: &str = "schema_version";
