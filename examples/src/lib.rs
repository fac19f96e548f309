//! Runnable examples for schema-sync.
