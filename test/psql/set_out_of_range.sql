-- Included (\i, path relative to the source tree) by the pg_regress files that test
-- out-of-range GUC values. A range error names the unit from PostgreSQL 17 on
-- ("(-1 kB .. 2147483647 kB)"): pg_temp.set_out_of_range(name, value) returns the
-- SQLSTATE and message, the range printed as 15 and 16 print it, so one expected
-- file fits every major.
CREATE FUNCTION pg_temp.set_out_of_range(name text, value text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config(name, value, false);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' ||
        regexp_replace(SQLERRM, '\((-?[0-9]+) [A-Za-z]+ \.\. (-?[0-9]+) [A-Za-z]+\)$', '(\1 .. \2)');
END $$;
