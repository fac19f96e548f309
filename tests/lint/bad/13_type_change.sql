-- expect: SS007
SET lock_timeout = '3s';
ALTER TABLE users ALTER COLUMN age TYPE bigint;
