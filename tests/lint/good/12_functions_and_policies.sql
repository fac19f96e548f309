CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); ALTER TABLE x ADD y int; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE POLICY p ON users USING (true);
