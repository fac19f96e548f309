//! `#[derive(SyncTable)]`: trybuild UI cases and models applied to real databases.

mod models;
mod ui;
