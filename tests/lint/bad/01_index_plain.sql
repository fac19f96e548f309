-- expect: SS002
SET lock_timeout = '3s';
CREATE INDEX users_email_idx ON users (email);
