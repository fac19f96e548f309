-- expect: SS006
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
