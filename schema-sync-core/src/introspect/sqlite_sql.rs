//! SQLite introspection (rusqlite). To be written.
