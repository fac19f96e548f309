//! `skip_serializing_if` helpers shared by the model's types (defaults are left out of JSON).

/// `true` for `false`.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
