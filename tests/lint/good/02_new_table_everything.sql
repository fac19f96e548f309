CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, token uuid DEFAULT gen_random_uuid());
CREATE INDEX notes_body_idx ON notes (body);
ALTER TABLE notes ADD CONSTRAINT body_len CHECK (length(body) < 10000);
ALTER TABLE notes ALTER COLUMN body TYPE varchar(10000);
