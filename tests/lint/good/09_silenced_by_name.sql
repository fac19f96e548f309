SET lock_timeout = '3s';
-- schema-sync-lint: allow drop
ALTER TABLE users DROP COLUMN legacy;
