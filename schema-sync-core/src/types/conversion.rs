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
