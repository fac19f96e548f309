-- expect: SS004
SET lock_timeout = '3s';
ALTER TABLE events ADD PRIMARY KEY (id);
