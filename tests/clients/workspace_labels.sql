-- After the rows: each column's label in hdhub's data dictionary becomes its
-- comment, as `hdhub serve` publishes the labels in pg_description (what
-- psql's \d+ and JDBC's getColumns REMARKS show).
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT table_name, column_name, label FROM hdhub_columns WHERE label IS NOT NULL LOOP
    EXECUTE format('COMMENT ON COLUMN %I.%I IS %L', r.table_name, r.column_name, r.label);
  END LOOP;
END $$;
