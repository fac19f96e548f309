SELECT set_config('lock_timeout', '3s', false);
ALTER TABLE users ALTER COLUMN bio SET DEFAULT '';
