-- expect: SS006
SET lock_timeout = '3s';
ALTER TABLE items ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;
