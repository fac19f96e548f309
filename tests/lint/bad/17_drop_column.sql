-- expect: SS009
SET lock_timeout = '3s';
ALTER TABLE users DROP COLUMN legacy;
