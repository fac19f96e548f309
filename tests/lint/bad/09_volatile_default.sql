-- expect: SS006
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
