//! `#[sync(...)]` on a `SyncView` struct and its fields.

use super::container::{index, IndexAttr};
use super::keys;
use super::values::{dialected, each_key, flag, krate, string, unknown, Attr, Dialected};
use crate::ctxt::Ctxt;
use syn::{Attribute, LitStr, Path};

/// `#[sync(...)]` on a `SyncView` struct.
pub(crate) struct ViewAttrs {
    pub view: Attr<LitStr>,
    pub schema: Attr<LitStr>,
    /// `query = "..."` (both dialects) or `query(postgres = "...", sqlite = "...")`.
    pub query: Attr<Dialected>,
    pub materialized: Attr<()>,
    pub security_invoker: Attr<()>,
    pub security_barrier: Attr<()>,
    pub indexes: Vec<IndexAttr>,
    pub comment: Attr<LitStr>,
    pub rename_all: Attr<LitStr>,
    pub krate: Attr<Path>,
}

/// `#[sync(...)]` on a `SyncView` field.
pub(crate) struct ViewFieldAttrs {
    pub rename: Attr<LitStr>,
    pub comment: Attr<LitStr>,
}

impl ViewAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = ViewAttrs {
            view: Attr::new(keys::VIEW),
            schema: Attr::new(keys::SCHEMA),
            query: Attr::new(keys::QUERY),
            materialized: Attr::new(keys::MATERIALIZED),
            security_invoker: Attr::new(keys::SECURITY_INVOKER),
            security_barrier: Attr::new(keys::SECURITY_BARRIER),
            indexes: Vec::new(),
            comment: Attr::new(keys::COMMENT),
            rename_all: Attr::new(keys::RENAME_ALL),
            krate: Attr::new(keys::CRATE),
        };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::VIEW => string(cx, meta, &mut a.view)?,
                keys::SCHEMA => string(cx, meta, &mut a.schema)?,
                keys::QUERY => dialected(cx, meta, &mut a.query)?,
                keys::MATERIALIZED => flag(cx, meta, &mut a.materialized)?,
                keys::SECURITY_INVOKER => flag(cx, meta, &mut a.security_invoker)?,
                keys::SECURITY_BARRIER => flag(cx, meta, &mut a.security_barrier)?,
                keys::INDEX => a.indexes.push(index(cx, meta)?),
                keys::COMMENT => string(cx, meta, &mut a.comment)?,
                keys::RENAME_ALL => string(cx, meta, &mut a.rename_all)?,
                keys::CRATE => krate(cx, meta, &mut a.krate)?,
                other => unknown(cx, meta, other, "a `SyncView` struct", keys::VIEW_CONTAINER)?,
            }
            Ok(())
        });
        a
    }
}

impl ViewFieldAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = ViewFieldAttrs { rename: Attr::new(keys::RENAME), comment: Attr::new(keys::COMMENT) };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::RENAME => string(cx, meta, &mut a.rename)?,
                keys::COMMENT => string(cx, meta, &mut a.comment)?,
                other => unknown(cx, meta, other, "a view's field", keys::VIEW_FIELD)?,
            }
            Ok(())
        });
        a
    }
}
