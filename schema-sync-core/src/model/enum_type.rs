//! User-defined enum types (`CREATE TYPE … AS ENUM`).

use serde::{Deserialize, Serialize};

/// A user-defined enum type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumType {
    /// Namespace (`public`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Type name.
    pub name: String,
    /// Labels in sort order.
    pub values: Vec<String>,
}
