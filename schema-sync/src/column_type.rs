//! Rust type → column type mapping, evaluated by the compiler at each field's type.
//!
//! `#[derive(SyncTable)]` emits `<FieldType as SqlColumnType>::COLUMN_TYPE` for every column that
//! has no `#[sync(sql_type = "...")]`, so a type without a mapping is a compile error pointing at
//! the field's type, with a note that names the fix.
//!
//! | Rust | [`ColumnType`] | Postgres | SQLite |
//! |---|---|---|---|
//! | `bool` | `Bool` | `boolean` | `BOOLEAN` |
//! | `i16` / `i32` / `i64` | `SmallInt` / `Int` / `BigInt` | `smallint` / `integer` / `bigint` | `INTEGER` |
//! | `f32` / `f64` | `Real` / `Double` | `real` / `double precision` | `REAL` |
//! | `String`, `Box<str>`, `&'static str` | `Text` | `text` | `TEXT` |
//! | `Vec<u8>` | `Bytes` | `bytea` | `BLOB` |
//! | `Vec<T>` | `Array(T)` | `T[]` | `TEXT` (the app stores JSON text) |
//! | `Option<T>` | as `T`, nullable | | |
//! | a `#[derive(SyncEnum)]` enum | `Enum` | `CREATE TYPE … AS ENUM` | `TEXT` + `CHECK (… IN (…))` |
//!
//! Behind the facade features of the same name: `chrono` (`DateTime<Utc|FixedOffset>` →
//! `timestamptz`, `NaiveDateTime` → `timestamp`, `NaiveDate` → `date`, `NaiveTime` → `time`),
//! `time` (`OffsetDateTime`, `PrimitiveDateTime`, `Date`, `Time`), `uuid` (`Uuid`), `serde_json`
//! (`Value` → `jsonb`) and `rust_decimal` (`Decimal` → `numeric`).

use schema_sync_core::model::EnumType;
use schema_sync_core::types::{postgres, SqlType, TypeError};

/// A column type that can be written in a `const`: the const-friendly twin of [`SqlType`]
/// (which owns `Box`es and `String`s and so cannot be built at compile time).
///
/// ```
/// use schema_sync::{ColumnType, SqlColumnType};
/// const T: ColumnType = <Vec<i32> as SqlColumnType>::COLUMN_TYPE;
/// assert_eq!(T, ColumnType::Array(&ColumnType::Int));
/// assert_eq!(T.to_sql_type().unwrap().to_string(), "integer[]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `boolean`.
    Bool,
    /// `smallint`.
    SmallInt,
    /// `integer`.
    Int,
    /// `bigint`.
    BigInt,
    /// `real`.
    Real,
    /// `double precision`.
    Double,
    /// `numeric(p, s)`.
    Numeric {
        /// Precision, when given.
        precision: Option<u32>,
        /// Scale, when given.
        scale: Option<u32>,
    },
    /// `text`.
    Text,
    /// `bytea` / `BLOB`.
    Bytes,
    /// `date`.
    Date,
    /// `time [with time zone]`.
    Time {
        /// `with time zone`.
        tz: bool,
    },
    /// `timestamp [with time zone]`.
    Timestamp {
        /// `with time zone` (`timestamptz`).
        tz: bool,
    },
    /// `uuid`.
    Uuid,
    /// `json`.
    Json,
    /// `jsonb`.
    Jsonb,
    /// `element[]`.
    Array(&'static ColumnType),
    /// A user enum type (`#[derive(SyncEnum)]`).
    Enum(&'static EnumDef),
    /// Postgres type text from `#[sync(sql_type = "...")]`, parsed by
    /// [`schema_sync_core::types::postgres::parse`] when the model is built.
    Sql(&'static str),
}

impl ColumnType {
    /// The neutral [`SqlType`]. Fails only for a [`ColumnType::Sql`] text that does not parse.
    ///
    /// ```
    /// use schema_sync::ColumnType;
    /// use schema_sync::SqlType;
    /// assert_eq!(ColumnType::Sql("varchar(20)").to_sql_type().unwrap(), SqlType::Varchar { length: Some(20) });
    /// assert!(ColumnType::Sql("serial").to_sql_type().is_err());
    /// ```
    pub fn to_sql_type(&self) -> Result<SqlType, TypeError> {
        Ok(match *self {
            ColumnType::Bool => SqlType::Bool,
            ColumnType::SmallInt => SqlType::SmallInt,
            ColumnType::Int => SqlType::Int,
            ColumnType::BigInt => SqlType::BigInt,
            ColumnType::Real => SqlType::Real,
            ColumnType::Double => SqlType::Double,
            ColumnType::Numeric { precision, scale } => SqlType::Numeric { precision, scale },
            ColumnType::Text => SqlType::Text,
            ColumnType::Bytes => SqlType::Bytes,
            ColumnType::Date => SqlType::Date,
            ColumnType::Time { tz } => SqlType::Time { precision: None, tz },
            ColumnType::Timestamp { tz } => SqlType::Timestamp { precision: None, tz },
            ColumnType::Uuid => SqlType::Uuid,
            ColumnType::Json => SqlType::Json,
            ColumnType::Jsonb => SqlType::Jsonb,
            ColumnType::Array(element) => SqlType::Array { element: Box::new(element.to_sql_type()?) },
            ColumnType::Enum(def) => {
                SqlType::Enum { schema: def.schema.map(str::to_string), name: def.name.to_string() }
            }
            ColumnType::Sql(text) => postgres::parse(text)?,
        })
    }

    /// The enum type this column uses, directly or as an array element.
    pub const fn enum_def(&self) -> Option<&'static EnumDef> {
        match *self {
            ColumnType::Enum(def) => Some(def),
            ColumnType::Array(element) => element.enum_def(),
            _ => None,
        }
    }
}

/// Maps a Rust field type to its column type; implemented for the built-in types, behind
/// features for `chrono`, `time`, `uuid`, `serde_json` and `rust_decimal`, and by
/// `#[derive(SyncEnum)]`.
///
/// Implement it for your own newtypes, or use `#[sync(sql_type = "...")]` on the field:
///
/// ```
/// struct Email(String);
/// impl schema_sync::SqlColumnType for Email {
///     const COLUMN_TYPE: schema_sync::ColumnType = schema_sync::ColumnType::Sql("citext");
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no SQL column type",
    label = "no SQL type for this field",
    note = "use `#[sync(sql_type = \"...\")]` on the field to give its SQL type, `#[derive(SyncEnum)]` for a fieldless enum, or enable the schema-sync feature for the type's crate (`chrono`, `time`, `uuid`, `serde_json`, `rust_decimal`)"
)]
pub trait SqlColumnType {
    /// The column type.
    const COLUMN_TYPE: ColumnType;
    /// `true` when the Rust type has a "no value" state stored as NULL (`Option<T>`).
    const NULLABLE: bool = false;
}

macro_rules! map {
    ($($(#[$m:meta])* $t:ty => $ct:expr;)*) => {
        $($(#[$m])* impl SqlColumnType for $t {
            const COLUMN_TYPE: ColumnType = $ct;
        })*
    };
}

map! {
    bool => ColumnType::Bool;
    i16 => ColumnType::SmallInt;
    i32 => ColumnType::Int;
    i64 => ColumnType::BigInt;
    f32 => ColumnType::Real;
    f64 => ColumnType::Double;
    String => ColumnType::Text;
    Box<str> => ColumnType::Text;
    &'static str => ColumnType::Text;
    Vec<u8> => ColumnType::Bytes;
    #[cfg(feature = "chrono")] chrono::DateTime<chrono::Utc> => ColumnType::Timestamp { tz: true };
    #[cfg(feature = "chrono")] chrono::DateTime<chrono::FixedOffset> => ColumnType::Timestamp { tz: true };
    #[cfg(feature = "chrono")] chrono::NaiveDateTime => ColumnType::Timestamp { tz: false };
    #[cfg(feature = "chrono")] chrono::NaiveDate => ColumnType::Date;
    #[cfg(feature = "chrono")] chrono::NaiveTime => ColumnType::Time { tz: false };
    #[cfg(feature = "time")] time::OffsetDateTime => ColumnType::Timestamp { tz: true };
    #[cfg(feature = "time")] time::PrimitiveDateTime => ColumnType::Timestamp { tz: false };
    #[cfg(feature = "time")] time::Date => ColumnType::Date;
    #[cfg(feature = "time")] time::Time => ColumnType::Time { tz: false };
    #[cfg(feature = "uuid")] uuid::Uuid => ColumnType::Uuid;
    #[cfg(feature = "serde_json")] serde_json::Value => ColumnType::Jsonb;
    #[cfg(feature = "rust_decimal")] rust_decimal::Decimal => ColumnType::Numeric { precision: None, scale: None };
}

impl<T: SqlColumnType> SqlColumnType for Option<T> {
    const COLUMN_TYPE: ColumnType = T::COLUMN_TYPE;
    const NULLABLE: bool = true;
}

/// `Vec<T>` is a Postgres array `T[]`; SQLite has no arrays and stores `TEXT` (JSON text).
/// `Vec<u8>` is `bytea` / `BLOB` instead.
impl<T: SqlColumnType> SqlColumnType for Vec<T> {
    const COLUMN_TYPE: ColumnType = ColumnType::Array(&T::COLUMN_TYPE);
}

/// Integer types that can back an `identity` or `autoincrement` column.
#[diagnostic::on_unimplemented(
    message = "`identity` and `autoincrement` need an integer column, not `{Self}`",
    label = "not `i16`, `i32` or `i64`",
    note = "drop `identity`/`autoincrement`, or make the field `i16`, `i32` or `i64`"
)]
pub trait IdentityCompatible {}
impl IdentityCompatible for i16 {}
impl IdentityCompatible for i32 {}
impl IdentityCompatible for i64 {}

/// "A foreign-key column of Rust type `Self` can hold the key of Rust type `K`": the same
/// type, either side possibly wrapped in `Option`.
#[diagnostic::on_unimplemented(
    message = "foreign key column type `{Self}` does not match the referenced key type `{K}`",
    label = "expected `{K}` (or `Option<{K}>`) to match the referenced key",
    note = "`references = T` points at `T`'s primary key (`NoPrimaryKey` when it has none), `references = T(column)` at that column; both sides need the same Rust type"
)]
pub trait SameKeyType<K> {}
impl<T> SameKeyType<T> for T {}
impl<T> SameKeyType<T> for Option<T> {}
impl<T> SameKeyType<Option<T>> for T {}

/// The primary-key type of a [`crate::SyncTable`] that has no primary key.
#[derive(Debug)]
pub enum NoPrimaryKey {}

/// A user enum type: `CREATE TYPE mood AS ENUM ('happy', 'sad')` on Postgres,
/// `TEXT CHECK (mood IN ('happy', 'sad'))` on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumDef {
    /// Namespace, from `#[sync(schema = "...")]`.
    pub schema: Option<&'static str>,
    /// Type name (`#[sync(name = "...")]`, default: the enum's name in snake_case).
    pub name: &'static str,
    /// Labels in declaration order.
    pub values: &'static [&'static str],
}

impl EnumDef {
    /// The model value.
    pub fn to_model(&self) -> EnumType {
        EnumType {
            schema: self.schema.map(str::to_string),
            name: self.name.to_string(),
            values: self.values.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// A fieldless Rust enum stored as a SQL enum; implemented by `#[derive(SyncEnum)]`.
///
/// ```
/// use schema_sync::{SyncEnum, SqlColumnType, ColumnType};
/// #[derive(SyncEnum)]
/// #[sync(name = "mood")]
/// enum Mood { Happy, #[sync(rename = "meh")] SoSo }
/// assert_eq!(Mood::ENUM.values, &["happy", "meh"]);
/// assert_eq!(Mood::SoSo.label(), "meh");
/// assert_eq!(<Mood as SqlColumnType>::COLUMN_TYPE, ColumnType::Enum(&Mood::ENUM));
/// ```
#[diagnostic::on_unimplemented(message = "`{Self}` is not a SQL enum", note = "add `#[derive(SyncEnum)]` to `{Self}`")]
pub trait SyncEnum: SqlColumnType {
    /// The enum type: name and labels.
    const ENUM: EnumDef;
    /// The label stored for this value.
    fn label(&self) -> &'static str;
}

/// "Table `Self` has a column named `N`" (`N` = an FNV-1a hash of the name), with its Rust type:
/// lets `references = T(column)` check the column exists and has the same type, at compile time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no column with the name given in `references = {Self}(...)`",
    label = "no such column in `{Self}`",
    note = "name the referenced column by its SQL name (after `rename` / `rename_all`)"
)]
pub trait HasColumn<const N: u64> {
    /// The field's Rust type.
    type Type: ?Sized;
}
