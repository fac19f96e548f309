//! Compile-time table metadata produced by `#[derive(SyncTable)]`. To be written.
