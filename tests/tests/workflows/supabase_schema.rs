//! A realistic Supabase schema end to end: `profiles` with row-level security and four
//! policies, `handle_new_user()` on `auth.users` (an object the application owns inside a
//! managed schema), an `updated_at` trigger, a `security_invoker` view, grants to the API roles
//! over Supabase's default privileges, and comments. `inspect --format sql` rebuilds it in an
//! empty project, `migration new` + `migrate` do too, and a dropped policy is named by `diff`
//! and `audit` with exit 1.

use crate::{cli, pg_exec, pg_rows, ScratchDir};
use schema_sync::testing::{TempPostgres, TempSqlite};

/// What every Supabase project starts with (the parts this schema uses): the API roles, the
/// `auth` schema with `users` and `auth.uid()`, and the default privileges in `public`.
const PROJECT: &str = r#"
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE service_role NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text, raw_user_meta_data jsonb, created_at timestamptz DEFAULT now());
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
"#;

/// The application's schema, as a Supabase user writes it.
const APP: &str = r#"
CREATE TABLE public.profiles (
  id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  username text UNIQUE CONSTRAINT username_length CHECK (char_length(username) >= 3),
  full_name text,
  avatar_url text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.profiles IS 'Public profile of each user';
COMMENT ON COLUMN public.profiles.username IS 'Unique handle, at least 3 characters';
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Profiles are viewable by everyone" ON public.profiles FOR SELECT USING (true);
CREATE POLICY "Users insert their own profile" ON public.profiles FOR INSERT TO authenticated
  WITH CHECK (auth.uid() = id);
CREATE POLICY "Users update their own profile" ON public.profiles FOR UPDATE TO authenticated
  USING (auth.uid() = id) WITH CHECK (auth.uid() = id);
CREATE POLICY "Users delete their own profile" ON public.profiles FOR DELETE TO authenticated
  USING (auth.uid() = id);

CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
AS $$
BEGIN
  INSERT INTO public.profiles (id, full_name, avatar_url)
  VALUES (new.id, new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'avatar_url');
  RETURN new;
END;
$$;
COMMENT ON FUNCTION public.handle_new_user() IS 'Creates the profile of a new user';
CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users
  FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();

CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  new.updated_at = now();
  RETURN new;
END;
$$;
CREATE TRIGGER profiles_updated_at BEFORE UPDATE ON public.profiles
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE VIEW public.profile_cards WITH (security_invoker = true) AS
  SELECT id, username, avatar_url FROM public.profiles;
COMMENT ON VIEW public.profile_cards IS 'What other users see of a profile';

REVOKE ALL ON public.profiles FROM anon;
GRANT SELECT ON public.profiles TO anon;
REVOKE ALL ON public.profile_cards FROM anon, authenticated;
GRANT SELECT ON public.profile_cards TO anon, authenticated;
REVOKE EXECUTE ON FUNCTION public.handle_new_user() FROM anon, authenticated;
"#;

/// Three users signing up: the trigger on `auth.users` makes their profiles.
const SIGN_UPS: &str = r#"
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
  ('00000000-0000-0000-0000-000000000001', 'a@example.com', '{"full_name": "Ada"}'),
  ('00000000-0000-0000-0000-000000000002', 'b@example.com', '{"full_name": "Bo", "avatar_url": "b.png"}'),
  ('00000000-0000-0000-0000-000000000003', 'c@example.com', '{}');
UPDATE public.profiles SET username = 'ada' WHERE full_name = 'Ada';
"#;

/// An empty project: a new database with what Supabase provides, and nothing of the app.
async fn empty_project() -> TempPostgres {
    let db = TempPostgres::new().await;
    pg_exec(db.url(), PROJECT).await;
    db
}

/// What the app's schema looks like in `url`, for checks that do not go through schema-sync.
async fn facts(url: &str) -> Vec<String> {
    pg_rows(
        url,
        "SELECT string_agg(x, ' | ' ORDER BY x) FROM (
           SELECT 'policy ' || policyname || ' ' || cmd || ' ' || array_to_string(roles, ',') AS x
             FROM pg_policies WHERE schemaname = 'public'
           UNION ALL SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
           UNION ALL SELECT 'rls ' || relname FROM pg_class WHERE relrowsecurity
           UNION ALL SELECT 'options ' || relname || ' ' || array_to_string(reloptions, ',') FROM pg_class
             WHERE reloptions IS NOT NULL AND relnamespace = 'public'::regnamespace
           UNION ALL SELECT 'comment ' || description FROM pg_description WHERE objoid >= 16384
           UNION ALL SELECT 'grant ' || c.relname || ' ' || r.rolname || ' ' || x.privilege_type
             FROM pg_class c, aclexplode(c.relacl) x JOIN pg_roles r ON r.oid = x.grantee
             WHERE c.relnamespace = 'public'::regnamespace AND r.rolname IN ('anon', 'authenticated', 'service_role')
               AND c.relname <> 'schema_version'
           UNION ALL SELECT 'execute ' || p.proname || ' ' || r.rolname FROM pg_proc p, aclexplode(p.proacl) x
             JOIN pg_roles r ON r.oid = x.grantee
             WHERE p.pronamespace = 'public'::regnamespace AND r.rolname IN ('anon', 'authenticated', 'service_role')
         ) f",
    )
    .await
}

#[tokio::test]
async fn a_supabase_schema_is_reproduced_by_inspect_and_by_migrations_and_a_dropped_policy_is_named() {
    let live = empty_project().await;
    pg_exec(live.url(), APP).await;
    pg_exec(live.url(), SIGN_UPS).await;
    assert_eq!(pg_rows(live.url(), "SELECT count(*) FROM public.profiles").await, ["3"]);
    let want = facts(live.url()).await;
    for fact in [
        "policy Users delete their own profile DELETE authenticated",
        "trigger on_auth_user_created on auth.users",
        "options profile_cards security_invoker=true",
        "grant profiles anon SELECT",
    ] {
        assert!(want[0].contains(fact), "{fact} in {want:?}");
    }
    let dir = ScratchDir::new("supabase-schema");

    // 1. `inspect --format sql` rebuilds it exactly in an empty project.
    let sql = cli(&["inspect", live.url(), "--format", "sql"]).expect(0).stdout;
    for part in [
        "CREATE TRIGGER on_auth_user_created",
        "CREATE POLICY \"Users delete their own profile\"",
        "GRANT SELECT ON TABLE \"public\".\"profiles\" TO \"anon\"",
    ] {
        assert!(sql.contains(part), "{part} in:\n{sql}");
    }
    let rebuilt = empty_project().await;
    pg_exec(rebuilt.url(), &format!("BEGIN;\n{sql}\nCOMMIT;")).await;
    assert_eq!(facts(rebuilt.url()).await, want, "the catalog says the same");
    cli(&["diff", "--from", rebuilt.url(), "--to", live.url()]).expect(0);
    cli(&["diff", "--from", live.url(), "--to", rebuilt.url()]).expect(0);

    // 2. `migration new` from an empty project, then `migrate`.
    let project = empty_project().await;
    let migrations = dir.s("supabase/migrations");
    cli(&["migration", "new", "init", "--from", project.url(), "--to", live.url(), "--dir", &migrations]).expect(0);
    cli(&["migrate", "--db", project.url(), "--dir", &migrations]).expect(0);
    assert_eq!(facts(project.url()).await, want);
    cli(&["diff", "--from", project.url(), "--to", live.url()]).expect(0);
    // schema-sync's own bookkeeping is not granted to the API roles by Supabase's defaults.
    let exposed = "SELECT count(*) FROM aclexplode((SELECT relacl FROM pg_class WHERE relname = 'schema_version')) x \
                   JOIN pg_roles r ON r.oid = x.grantee WHERE r.rolname IN ('anon', 'authenticated')";
    assert_eq!(pg_rows(project.url(), exposed).await, ["0"]);
    // The trigger on auth.users works in the migrated project.
    pg_exec(project.url(), SIGN_UPS).await;
    assert_eq!(pg_rows(project.url(), "SELECT count(*) FROM public.profiles WHERE username = 'ada'").await, ["1"]);

    // 3. One policy dropped: `diff` and `audit` exit 1 and name it.
    let snapshot = dir.s("schema.json");
    let json = cli(&["inspect", live.url(), "--format", "json"]).expect(0).stdout;
    std::fs::write(&snapshot, json).unwrap();
    let lite = TempSqlite::new();
    lite.connect()
        .execute_batch(
            "CREATE TABLE profiles (id TEXT PRIMARY KEY, username TEXT UNIQUE CHECK (length(username) >= 3), \
               full_name TEXT, avatar_url TEXT, updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
             CREATE VIEW profile_cards AS SELECT id, username, avatar_url FROM profiles;
             CREATE TRIGGER profiles_updated_at AFTER UPDATE ON profiles
             BEGIN UPDATE profiles SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;",
        )
        .unwrap();
    let audit = |expect: i32| {
        cli(&["audit", "--sqlite", &lite.url(), "--postgres", project.url(), "--models", &snapshot]).expect(expect)
    };
    let clean = audit(0);
    assert!(clean.stdout.contains("clean"), "{clean:?}");

    pg_exec(project.url(), "DROP POLICY \"Users delete their own profile\" ON public.profiles").await;
    let named = "policy Users delete their own profile on public.profiles";
    let d = cli(&["diff", "--from", project.url(), "--to", live.url()]).expect(1);
    assert!(d.stdout.contains(&format!("+ {named}")), "{d:?}");
    let a = audit(1);
    assert!(a.stdout.contains(named), "{a:?}");
}
