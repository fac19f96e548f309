//! Keeping a checked-in models snapshot (`schema.json`) fresh, the way `insta` keeps snapshots:
//! `cargo test` fails when the models changed and the file did not, and
//! `SCHEMA_SYNC_UPDATE_SNAPSHOTS=1 cargo test` rewrites it. The plain `schema-sync` binary and CI
//! jobs then read the models from that file (`--to schema.json`).

use schema_sync_core::{diff, snapshot, Schema};
use std::path::Path;

/// Environment variable that makes [`assert_snapshot_fresh`] write the file instead of failing.
pub const UPDATE_ENV: &str = "SCHEMA_SYNC_UPDATE_SNAPSHOTS";

/// Panics unless the snapshot at `path` equals `models` byte for byte (after normalising). With
/// `SCHEMA_SYNC_UPDATE_SNAPSHOTS=1` (or when the file does not exist yet and `CI` is not set) it
/// writes the file instead. The panic message shows what changed and how to update.
///
/// ```no_run
/// # let models = schema_sync::Schema::default();
/// // tests/schema_snapshot.rs
/// schema_sync::testing::assert_snapshot_fresh("schema.json", &models);
/// ```
#[track_caller]
pub fn assert_snapshot_fresh(path: impl AsRef<Path>, models: &Schema) {
    if let Err(msg) = check_snapshot(path.as_ref(), models) {
        panic!("{msg}");
    }
}

/// [`assert_snapshot_fresh`] returning the failure message instead of panicking.
pub fn check_snapshot(path: &Path, models: &Schema) -> Result<(), String> {
    let want = snapshot::to_json(models);
    let update = std::env::var(UPDATE_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
    let ci = super::running_in_ci();
    match std::fs::read_to_string(path) {
        Ok(have) if have == want => Ok(()),
        Ok(have) if !update => {
            let detail = match snapshot::from_json(&have, &path.display().to_string()) {
                Ok(old) => {
                    let cmp = diff::compare(&old, models, None, &Default::default());
                    match cmp {
                        Ok(c) if !c.is_empty() => diff::render_text(&c),
                        _ => "(formatting only)".to_string(),
                    }
                }
                Err(e) => format!("(the file does not read: {e})"),
            };
            Err(format!(
                "models snapshot {} is stale; the models changed:\n{detail}\nrun `{UPDATE_ENV}=1 cargo test` to rewrite it",
                path.display()
            ))
        }
        Err(_) if ci && !update => {
            Err(format!("models snapshot {} is missing; run `{UPDATE_ENV}=1 cargo test` and commit it", path.display()))
        }
        _ => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
            }
            std::fs::write(path, want).map_err(|e| format!("writing {}: {e}", path.display()))
        }
    }
}
