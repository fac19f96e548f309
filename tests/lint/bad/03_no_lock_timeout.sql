-- expect: SS001
ALTER TABLE users ADD COLUMN nickname text;
