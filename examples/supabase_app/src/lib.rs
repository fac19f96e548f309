//! A small Supabase app with its whole schema declared in Rust: profiles with row-level
//! security, four policies and grants; notes owned by a profile; a view of the profiles anyone
//! may see. What the derive does not express — `handle_new_user()` on `auth.users` and the
//! `updated_at` trigger — is declarative SQL in `supabase/schemas/`, merged with the models;
//! the local SQLite database's own `updated_at` trigger is SQLite SQL in `sqlite/schemas/`.
//! `supabase/platform.sql` stands for what Supabase itself provides (the `auth` schema, the API
//! roles), so that scratch and test databases look like a Supabase project.
//!
//! `tests/schema.rs` fails `cargo test` when the migrations, the local SQLite database or a
//! view's query stop matching these structs.

use schema_sync::core::declarative::merge_sqlite;
use schema_sync::core::introspect::IntrospectOptions;
use schema_sync::model::Schema;
use schema_sync::{migrate_blocking, schema, ApplyOptions, Dialect, Models, SyncTable, SyncView};

/// Supabase's own `auth.users`: referenced by the profiles, never created by the app (it is
/// not listed in [`models`]).
#[derive(Debug, SyncTable)]
#[sync(schema = "auth", table = "users")]
pub struct AuthUser {
    /// The user's id.
    #[sync(primary_key, sql_type = "uuid")]
    pub id: String,
}

/// One profile per signed-up user, made by `handle_new_user()` when the user signs up.
#[derive(Debug, SyncTable)]
#[sync(table = "profiles", rls, comment = "Public profile of each user")]
#[sync(policy(name = "Profiles are viewable by everyone", command = select, using = "true"))]
#[sync(policy(name = "Users insert their own profile", command = insert, roles = ["authenticated"],
              with_check = "(select auth.uid()) = id"))]
#[sync(policy(name = "Users update their own profile", command = update, roles = ["authenticated"],
              using = "(select auth.uid()) = id", with_check = "(select auth.uid()) = id"))]
#[sync(policy(name = "Users delete their own profile", command = delete, roles = ["authenticated"],
              using = "(select auth.uid()) = id"))]
#[sync(grant(role = "anon", privileges = [select]), grant(role = "authenticated", privileges = [all]))]
pub struct Profile {
    /// The user's id.
    #[sync(primary_key, sql_type = "uuid", references = AuthUser, on_delete = "cascade")]
    pub id: String,
    /// Unique handle.
    #[sync(unique, check = "length(username) >= 3", comment = "Unique handle, at least 3 characters")]
    pub username: Option<String>,
    /// Full name from the sign-up form.
    pub full_name: Option<String>,
    /// Avatar picture.
    pub avatar_url: Option<String>,
    /// Whether the profile is listed publicly.
    #[sync(default = "true")]
    pub is_public: bool,
    /// Set by the `profiles_updated_at` trigger.
    #[sync(sql_type = "timestamptz", default(postgres = "now()", sqlite = "CURRENT_TIMESTAMP"))]
    pub updated_at: String,
}

/// A note written by a profile.
#[derive(Debug, SyncTable)]
#[sync(table = "notes", rls, index(columns = ["owner_id"]))]
#[sync(policy(name = "Owners manage their notes", roles = ["authenticated"],
              using = "(select auth.uid()) = owner_id", with_check = "(select auth.uid()) = owner_id"))]
#[sync(grant(role = "authenticated", privileges = [select, insert, update, delete]))]
pub struct Note {
    /// Primary key.
    #[sync(primary_key, identity)]
    pub id: i64,
    /// The profile that wrote it.
    #[sync(sql_type = "uuid", references = Profile, on_delete = "cascade")]
    pub owner_id: String,
    /// Text.
    #[sync(default = "''")]
    pub body: String,
}

/// What other users see of a profile: readers' own privileges and policies apply.
#[derive(Debug, SyncView)]
#[sync(
    view = "profile_cards",
    security_invoker,
    comment = "What other users see of a profile",
    query = "SELECT id, username, avatar_url FROM profiles WHERE is_public"
)]
pub struct ProfileCard {
    /// The user's id.
    pub id: String,
    /// Unique handle.
    pub username: Option<String>,
    /// Avatar picture.
    pub avatar_url: Option<String>,
}

/// How many notes each profile wrote; the count is spelled per dialect.
#[derive(Debug, SyncView)]
#[sync(
    view = "note_counts",
    query(
        postgres = "SELECT owner_id, count(*)::integer AS notes FROM notes GROUP BY owner_id",
        sqlite = "SELECT owner_id, count(*) AS notes FROM notes GROUP BY owner_id"
    )
)]
pub struct NoteCount {
    /// The profile.
    pub owner_id: String,
    /// Its notes.
    pub notes: i32,
}

/// The app's whole schema: the structs, `supabase/schemas/*.sql` on the Postgres side (with
/// `supabase/platform.sql` standing for Supabase), `sqlite/schemas/*.sql` on the SQLite side.
/// The files are embedded at compile time.
pub fn models() -> Models {
    schema![
        Profile, Note, ProfileCard, NoteCount;
        sql_dir = "supabase/schemas",
        platform = "supabase/platform.sql",
        sqlite_sql_dir = "sqlite/schemas",
    ]
}

/// The local SQLite database's schema: the structs with `sqlite/schemas/*.sql` on top.
pub fn local_models() -> Result<Schema, schema_sync::Error> {
    let models = models();
    merge_sqlite(&models.schema, &models.sql_for(Dialect::Sqlite), &IntrospectOptions::default())
}

/// Opens the local SQLite cache, creating or migrating it to [`local_models`].
pub fn open_local(path: &std::path::Path) -> Result<rusqlite::Connection, Box<dyn std::error::Error>> {
    let mut conn = rusqlite::Connection::open(path)?;
    migrate_blocking(&mut conn, &local_models()?, &ApplyOptions::default())?;
    Ok(conn)
}
