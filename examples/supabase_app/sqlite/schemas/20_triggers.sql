-- The local SQLite database's `updated_at` trigger: SQLite has no functions, so the body is
-- the trigger's own (the Postgres side runs public.set_updated_at(), in supabase/schemas/).
CREATE TRIGGER profiles_updated_at AFTER UPDATE ON profiles FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE profiles SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
