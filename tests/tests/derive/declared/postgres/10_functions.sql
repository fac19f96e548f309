CREATE FUNCTION public.note_length(n public.notes) RETURNS integer LANGUAGE sql AS 'SELECT length(n.body)';
