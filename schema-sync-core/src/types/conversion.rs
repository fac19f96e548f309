//! What a type change does to the values already stored: the rules the planner uses for
//! hazards.

use super::SqlType;

/// `true` when a column change can lose or reject data: used by plan for hazards.
pub fn narrows(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    let rank = |t: &SqlType| match t {
        SmallInt => Some(1),
        Int => Some(2),
        BigInt => Some(3),
        Numeric { precision: None, .. } => Some(4),
        _ => None,
    };
    match (from, to) {
        (a, b) if a == b => false,
        (a, b) if rank(a).is_some() && rank(b).is_some() => rank(b) < rank(a),
        (Real, Double) => false,
        (Varchar { length: Some(a) }, Varchar { length: Some(b) }) => b < a,
        (Varchar { .. }, Varchar { length: None }) | (Varchar { .. }, Text) | (Char { .. }, Text) => false,
        (Text, Varchar { length: None }) => false,
        (Numeric { precision: Some(p1), scale: s1 }, Numeric { precision: Some(p2), scale: s2 }) => {
            p2 < p1 || s2.unwrap_or(0) < s1.unwrap_or(0) || (p2 - s2.unwrap_or(0)) < (p1 - s1.unwrap_or(0))
        }
        (Numeric { .. }, Numeric { precision: None, .. }) => false,
        (Timestamp { tz: false, .. }, Timestamp { tz: true, .. }) => false,
        (Json, Jsonb) | (Jsonb, Json) | (Json, Text) | (Jsonb, Text) | (Uuid, Text) => false,
        (Int | SmallInt | BigInt, Text | Varchar { length: None }) => false,
        _ => true,
    }
}

/// `true` when every value of a Postgres column of type `from` is kept exactly by
/// `ALTER COLUMN … TYPE to` (the new value casts back to the old one unchanged), so the change
/// needs no check of the stored rows. Anything not proven here — narrowing, a different
/// family, a time zone coming in, JSON normalisation — is checked row by row before it runs.
///
/// ```
/// use schema_sync_core::types::{conversion::preserves_values, SqlType::*};
/// assert!(preserves_values(&Int, &BigInt));
/// assert!(preserves_values(&Varchar { length: Some(20) }, &Text));
/// assert!(!preserves_values(&Varchar { length: Some(20) }, &Varchar { length: Some(5) }));
/// assert!(!preserves_values(&Text, &Int));
/// assert!(!preserves_values(&Timestamp { precision: None, tz: false }, &Timestamp { precision: None, tz: true }));
/// ```
pub fn preserves_values(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    // Decimal digits an integer type can hold.
    let int_digits = |t: &SqlType| match t {
        SmallInt => Some(5),
        Int => Some(10),
        BigInt => Some(19),
        _ => None,
    };
    let widens_precision = |a: Option<u32>, b: Option<u32>| match (a, b) {
        (_, None) => true,
        (Some(a), Some(b)) => b >= a,
        (None, Some(_)) => false,
    };
    match (from, to) {
        (a, b) if a == b => true,
        (a, b) if int_digits(a).is_some() && int_digits(b).is_some() => int_digits(b) >= int_digits(a),
        (a, Numeric { precision: None, .. }) if int_digits(a).is_some() => true,
        (a, Numeric { precision: Some(p), scale }) if int_digits(a).is_some() => {
            int_digits(a).is_some_and(|d| p.saturating_sub(scale.unwrap_or(0)) >= d)
        }
        // float8 holds every int4 and int2 exactly (53-bit mantissa); float4 only int2.
        (SmallInt | Int, Double) | (SmallInt, Real) | (Real, Double) => true,
        (Numeric { .. }, Numeric { precision: None, .. }) => true,
        (Numeric { precision: Some(p1), scale: s1 }, Numeric { precision: Some(p2), scale: s2 }) => {
            let (s1, s2) = (s1.unwrap_or(0), s2.unwrap_or(0));
            s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1)
        }
        (Varchar { length: a }, Varchar { length: b }) => widens_precision(*a, *b),
        (Varchar { .. } | Text, Text | Varchar { length: None }) => true,
        // Text forms that cast back exactly.
        (
            SmallInt | Int | BigInt | Bool | Uuid | Date | Numeric { .. } | Enum { .. },
            Text | Varchar { length: None },
        ) => true,
        (Jsonb, Json) => true,
        (Timestamp { precision: a, tz: ta }, Timestamp { precision: b, tz: tb }) => {
            ta == tb && widens_precision(*a, *b)
        }
        (Time { precision: a, tz: ta }, Time { precision: b, tz: tb }) => ta == tb && widens_precision(*a, *b),
        (Array { element: a }, Array { element: b }) => preserves_values(a, b),
        _ => false,
    }
}

/// `true` when a Postgres cast from `from` to `to` could store a different value without an
/// error, so the rows must be checked before it runs: not [`preserves_values`], and not into
/// an enum (an enum's input is a label or an error, never a silent change).
pub fn needs_value_check(from: &SqlType, to: &SqlType) -> bool {
    let into_enum = match to {
        SqlType::Enum { .. } => true,
        SqlType::Array { element } => matches!(**element, SqlType::Enum { .. }),
        _ => false,
    };
    !into_enum && !preserves_values(from, to)
}

/// `true` when Postgres changes the column type without rewriting the table: the stored bytes
/// already are valid values of the new type (`varchar(n)` → a longer `varchar` or `text`,
/// `numeric(p,s)` → `numeric` with more integer digits and the same scale, a wider precision
/// of `timestamp`/`time`). Every other change rewrites the table under `ACCESS EXCLUSIVE`.
///
/// ```
/// use schema_sync_core::types::{conversion::binary_coercible, SqlType::*};
/// assert!(binary_coercible(&Varchar { length: Some(20) }, &Text));
/// assert!(!binary_coercible(&Int, &BigInt));
/// ```
pub fn binary_coercible(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    let wider = |a: Option<u32>, b: Option<u32>| match (a, b) {
        (_, None) => true,
        (Some(a), Some(b)) => b >= a,
        (None, Some(_)) => false,
    };
    match (from, to) {
        (a, b) if a == b => true,
        (Varchar { length: a }, Varchar { length: b }) => wider(*a, *b),
        (Varchar { .. }, Text) | (Text, Varchar { length: None }) => true,
        (Numeric { .. }, Numeric { precision: None, scale: None }) => true,
        (Numeric { precision: Some(p1), scale: s1 }, Numeric { precision: Some(p2), scale: s2 }) => {
            s1.unwrap_or(0) == s2.unwrap_or(0) && p2 >= p1
        }
        (Timestamp { precision: a, tz: ta }, Timestamp { precision: b, tz: tb }) => ta == tb && wider(*a, *b),
        (Time { precision: a, tz: ta }, Time { precision: b, tz: tb }) => ta == tb && wider(*a, *b),
        _ => false,
    }
}
