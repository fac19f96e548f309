-- expect: SS005
SET lock_timeout = '3s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
