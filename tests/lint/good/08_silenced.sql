SET lock_timeout = '3s';
-- tiny lookup table, blocking writes for a moment is fine
-- schema-sync-lint: allow SS002
CREATE INDEX countries_name_idx ON countries (name);
