-- The workspace table of tests/serve_clients_test.sh in PostgreSQL 15, with the
-- PostgreSQL types hdhub's workspace has (ingest: integer -> BIGINT -> int8,
-- year -> INTEGER -> int4, date -> DATE -> date, string -> VARCHAR -> text),
-- in the workspace's column order: first the project's person key, a
-- pseudonym (UUID -> uuid).
CREATE TABLE "IR_BEN_R" (
  "BEN_NIR_PSA" uuid,
  "BEN_NAI_ANN" integer,
  "BEN_SEX_COD" bigint,
  "BEN_DCD_DTE" date,
  "BEN_RES_DPT" text
);
-- The workspace's data dictionary (projects/data_dictionary.h), all VARCHAR.
CREATE TABLE hdhub_columns (
  table_name text,
  column_name text,
  type text,
  label text,
  description text,
  nomenclature text
);
