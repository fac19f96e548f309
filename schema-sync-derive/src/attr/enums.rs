//! `#[sync(...)]` on a `SyncEnum` enum and its variants.

use super::keys;
use super::values::{each_key, krate, string, unknown, Attr};
use crate::ctxt::Ctxt;
use syn::{Attribute, LitStr, Path};

/// `#[sync(...)]` on a `SyncEnum` enum.
pub(crate) struct EnumAttrs {
    pub name: Attr<LitStr>,
    pub schema: Attr<LitStr>,
    pub rename_all: Attr<LitStr>,
    pub krate: Attr<Path>,
}

/// `#[sync(...)]` on a `SyncEnum` variant.
pub(crate) struct VariantAttrs {
    pub rename: Attr<LitStr>,
}

impl EnumAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = EnumAttrs {
            name: Attr::new(keys::NAME),
            schema: Attr::new(keys::SCHEMA),
            rename_all: Attr::new(keys::RENAME_ALL),
            krate: Attr::new(keys::CRATE),
        };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::NAME => string(cx, meta, &mut a.name)?,
                keys::SCHEMA => string(cx, meta, &mut a.schema)?,
                keys::RENAME_ALL => string(cx, meta, &mut a.rename_all)?,
                keys::CRATE => krate(cx, meta, &mut a.krate)?,
                other => unknown(cx, meta, other, "a `SyncEnum` enum", keys::ENUM)?,
            }
            Ok(())
        });
        a
    }
}

impl VariantAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = VariantAttrs { rename: Attr::new(keys::RENAME) };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::RENAME => string(cx, meta, &mut a.rename)?,
                other => unknown(cx, meta, other, "an enum variant", keys::VARIANT)?,
            }
            Ok(())
        });
        a
    }
}
