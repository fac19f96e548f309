-- expect: SS003,SS005
SET lock_timeout = '3s';
ALTER TABLE orders
  ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id),
  ALTER COLUMN user_id SET NOT NULL;
