-- expect: SS007
SET lock_timeout = '3s';
ALTER TABLE users ALTER age SET DATA TYPE numeric(10,2) USING age::numeric;
