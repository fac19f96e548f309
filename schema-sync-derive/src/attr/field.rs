//! `#[sync(...)]` on a `SyncTable` field.

use super::keys;
use super::values::{
    action, dialected, each_key, flag, references, skip_value, string, unknown, Action, Attr, Dialected, References,
};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{token, Attribute, LitStr};

/// `#[sync(...)]` on a field.
pub(crate) struct FieldAttrs {
    pub primary_key: Attr<()>,
    pub identity: Attr<()>,
    pub autoincrement: Attr<()>,
    pub unique: Attr<()>,
    pub index: Attr<()>,
    pub default: Attr<Dialected>,
    pub sql_type: Attr<Dialected>,
    pub references: Attr<References>,
    pub on_delete: Attr<Action>,
    pub on_update: Attr<Action>,
    pub check: Attr<LitStr>,
    pub rename: Attr<LitStr>,
    pub renamed_from: Attr<LitStr>,
    pub using: Attr<LitStr>,
    pub skip: Attr<()>,
    pub nullable: Attr<()>,
    pub not_null: Attr<()>,
    pub comment: Attr<LitStr>,
}

impl FieldAttrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut a = FieldAttrs {
            primary_key: Attr::new(keys::PRIMARY_KEY),
            identity: Attr::new(keys::IDENTITY),
            autoincrement: Attr::new(keys::AUTOINCREMENT),
            unique: Attr::new(keys::UNIQUE),
            index: Attr::new(keys::INDEX),
            default: Attr::new(keys::DEFAULT),
            sql_type: Attr::new(keys::SQL_TYPE),
            references: Attr::new(keys::REFERENCES),
            on_delete: Attr::new(keys::ON_DELETE),
            on_update: Attr::new(keys::ON_UPDATE),
            check: Attr::new(keys::CHECK),
            rename: Attr::new(keys::RENAME),
            renamed_from: Attr::new(keys::RENAMED_FROM),
            using: Attr::new(keys::USING),
            skip: Attr::new(keys::SKIP),
            nullable: Attr::new(keys::NULLABLE),
            not_null: Attr::new(keys::NOT_NULL),
            comment: Attr::new(keys::COMMENT),
        };
        each_key(cx, attrs, |meta, key| {
            match key {
                keys::PRIMARY_KEY => {
                    if meta.input.peek(token::Paren) {
                        skip_value(meta)?;
                        cx.error(
                            meta.path.span(),
                            "`primary_key(...)` with columns goes on the struct; on a field write `#[sync(primary_key)]`",
                        );
                    } else {
                        flag(cx, meta, &mut a.primary_key)?;
                    }
                }
                keys::IDENTITY => flag(cx, meta, &mut a.identity)?,
                keys::AUTOINCREMENT => flag(cx, meta, &mut a.autoincrement)?,
                keys::UNIQUE => flag(cx, meta, &mut a.unique)?,
                keys::INDEX => flag(cx, meta, &mut a.index)?,
                keys::SKIP => flag(cx, meta, &mut a.skip)?,
                keys::NULLABLE => flag(cx, meta, &mut a.nullable)?,
                keys::NOT_NULL => flag(cx, meta, &mut a.not_null)?,
                keys::DEFAULT => dialected(cx, meta, &mut a.default)?,
                keys::SQL_TYPE => dialected(cx, meta, &mut a.sql_type)?,
                keys::REFERENCES => references(cx, meta, &mut a.references)?,
                keys::ON_DELETE => action(cx, meta, &mut a.on_delete)?,
                keys::ON_UPDATE => action(cx, meta, &mut a.on_update)?,
                keys::CHECK => string(cx, meta, &mut a.check)?,
                keys::RENAME => string(cx, meta, &mut a.rename)?,
                keys::RENAMED_FROM => string(cx, meta, &mut a.renamed_from)?,
                keys::USING => string(cx, meta, &mut a.using)?,
                keys::COMMENT => string(cx, meta, &mut a.comment)?,
                other => unknown(cx, meta, other, "a field", keys::FIELD)?,
            }
            Ok(())
        });
        a
    }

    /// Every key that was given, with its span, in a fixed order (for conflict checks).
    pub fn given(&self) -> Vec<(&'static str, Span)> {
        let spans = [
            (self.primary_key.key(), self.primary_key.span()),
            (self.identity.key(), self.identity.span()),
            (self.autoincrement.key(), self.autoincrement.span()),
            (self.unique.key(), self.unique.span()),
            (self.index.key(), self.index.span()),
            (self.default.key(), self.default.span()),
            (self.sql_type.key(), self.sql_type.span()),
            (self.references.key(), self.references.span()),
            (self.on_delete.key(), self.on_delete.span()),
            (self.on_update.key(), self.on_update.span()),
            (self.check.key(), self.check.span()),
            (self.rename.key(), self.rename.span()),
            (self.renamed_from.key(), self.renamed_from.span()),
            (self.using.key(), self.using.span()),
            (self.nullable.key(), self.nullable.span()),
            (self.not_null.key(), self.not_null.span()),
        ];
        spans.into_iter().filter_map(|(k, s)| s.map(|s| (k, s))).collect()
    }
}
