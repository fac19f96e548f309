CREATE TRIGGER notes_stamp AFTER UPDATE OF body ON notes FOR EACH ROW
BEGIN
  UPDATE notes SET edits = edits + 1 WHERE id = NEW.id;
END;
