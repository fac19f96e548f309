use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(table = "user_account_preferences_for_notifications_by_channel_and_locale_v2")]
struct Prefs {
    #[sync(primary_key)]
    id: i64,
}

fn main() {}
