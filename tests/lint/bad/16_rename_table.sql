-- expect: SS008
SET lock_timeout = '3s';
ALTER TABLE users RENAME TO accounts;
