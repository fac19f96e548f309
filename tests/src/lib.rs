//! Integration tests for schema-sync.
