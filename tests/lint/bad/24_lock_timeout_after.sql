-- expect: SS001,SS002
CREATE INDEX a_idx ON a (x);
SET lock_timeout = '3s';
