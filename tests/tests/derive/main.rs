//! `#[derive(SyncTable)]`: trybuild UI cases and models applied to real databases.

mod apply;
mod models;
mod ui;
mod views;
