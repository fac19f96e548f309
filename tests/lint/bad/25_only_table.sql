-- expect: SS007
SET lock_timeout = '3s';
ALTER TABLE ONLY measurements ALTER COLUMN v TYPE double precision;
