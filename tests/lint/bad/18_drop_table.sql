-- expect: SS009
SET lock_timeout = '3s';
DROP TABLE IF EXISTS old_audit;
