//! Stage 1: parse `#[sync(...)]` attributes into typed values with the span of each key.
//!
//! Syntax errors, unknown keys and duplicate keys are recorded in the [`crate::ctxt::Ctxt`] and
//! parsing goes on, so one run reports every mistake. One file per place an attribute can
//! stand (`container`, `field`, `enums`, `view`), the shared value parsers in `values`, the key names
//! in `keys`.

mod container;
mod enums;
mod field;
pub(crate) mod keys;
mod values;
mod view;

pub(crate) use container::ContainerAttrs;
pub(crate) use enums::{EnumAttrs, VariantAttrs};
pub(crate) use field::FieldAttrs;
pub(crate) use keys::one_of;
pub(crate) use values::{Action, Attr, Dialected, Name, Spanned};
pub(crate) use view::{ViewAttrs, ViewFieldAttrs};
