//! Comments on objects (`COMMENT ON … IS '…'`, Postgres).

use serde::{Deserialize, Serialize};

use super::ObjectRef;

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// What it is on.
    pub on: ObjectRef,
    /// The text.
    pub text: String,
}
