SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();
