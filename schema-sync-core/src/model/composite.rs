//! Composite types (`CREATE TYPE … AS (…)`, Postgres): a row shape used as a column type, a
//! function's argument or result.

use serde::{Deserialize, Serialize};

/// One attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeAttribute {
    /// Attribute name.
    pub name: String,
    /// Its type as Postgres prints it (`integer`, `numeric(10,2)`, `public.mood`).
    #[serde(rename = "type")]
    pub ty: String,
    /// `COLLATE`, when it is not the type's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// A composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeType {
    /// Namespace (`public`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Type name.
    pub name: String,
    /// Attributes in order.
    pub attributes: Vec<CompositeAttribute>,
}

impl CompositeType {
    /// `schema.name` for messages.
    pub fn display(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// `true` when `ALTER TYPE` turns `self` into `to`: the attributes both have keep their
    /// order and the new ones come last (`ADD ATTRIBUTE` appends). Otherwise the type is
    /// dropped and created again.
    pub fn alterable_to(&self, to: &CompositeType) -> bool {
        let kept: Vec<&str> = self
            .attributes
            .iter()
            .filter(|a| to.attributes.iter().any(|b| b.name == a.name))
            .map(|a| a.name.as_str())
            .collect();
        to.attributes.iter().take(kept.len()).map(|a| a.name.as_str()).eq(kept.iter().copied())
    }
}
