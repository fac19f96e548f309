//! Extensions (`CREATE EXTENSION`, Postgres) and domains (`CREATE DOMAIN`, Postgres): the
//! types and functions an application brings in or defines on top of the built-in ones.

use serde::{Deserialize, Serialize};

use super::skip::is_false;

/// An installed extension. Extensions are database-wide; one is in a schema's scope when it
/// was installed into that schema (its objects live there). What an extension creates is its
/// own and is never read as the application's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// The extension (`pgcrypto`, `uuid-ossp`).
    pub name: String,
    /// The schema its objects were installed into (`WITH SCHEMA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Installed version. Compared only when both sides name one: a model that leaves it out
    /// takes whatever the server installs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A named CHECK of a domain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainCheck {
    /// Constraint name.
    pub name: String,
    /// The boolean expression over `VALUE`, without the surrounding `CHECK (…)`.
    pub expr: String,
}

/// A domain: a base type with a default, `NOT NULL` and CHECKs, used as a column type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Namespace (`public`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Domain name.
    pub name: String,
    /// The base type as Postgres prints it (`text`, `numeric(10,2)`, `public.mood`).
    pub base: String,
    /// `COLLATE`, when it is not the base type's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `DEFAULT` expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `NOT NULL`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    /// CHECKs, ordered by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<DomainCheck>,
}

impl Domain {
    /// `schema.name` for messages.
    pub fn display(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// `true` when changing `self` into `to` needs the domain dropped and created again (its
    /// base type or collation differ); everything else is `ALTER DOMAIN`.
    pub fn recreated_as(&self, to: &Domain) -> bool {
        self.base != to.base || self.collation != to.collation
    }
}
