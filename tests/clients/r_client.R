# R with DBI and RPostgreSQL (Debian's r-cran-dbi, r-cran-rpostgresql) against
# `hdhub serve` or a real PostgreSQL 15: dbListTables, dbListFields, and the
# shared statements (statements.tsv; $1 takes 2) through dbGetQuery, each
# result's column names, R classes and values.
# Connection: host, port, dbname, user and password from the libpq
# environment; libpq itself reads PGSSLMODE and PGSSLROOTCERT.
# Usage: Rscript r_client.R statements.tsv
suppressPackageStartupMessages({
  library(DBI)
  library(RPostgreSQL)
})
env <- function(name) {
  v <- Sys.getenv(name)
  if (!nzchar(v)) stop(name, " is not set")
  v
}
con <- dbConnect(PostgreSQL(), host = env("PGHOST"), port = env("PGPORT"), dbname = env("PGDATABASE"),
                 user = env("PGUSER"), password = env("PGPASSWORD"))
cat("tables", sort(dbListTables(con), method = "radix"), "\n")  # C order, whatever the locale
cat("fields", dbListFields(con, "IR_BEN_R"), "\n")
show <- function(v) {
  if (is.na(v)) "NULL" else paste0(class(v)[1], "=", format(v))
}
lines <- readLines(commandArgs(trailingOnly = TRUE)[1])
for (line in lines) {
  parts <- strsplit(line, "\t", fixed = TRUE)[[1]]
  label <- parts[1]
  sql <- parts[2]
  df <- if (grepl("$1", sql, fixed = TRUE)) dbGetQuery(con, sql, list(2L)) else dbGetQuery(con, sql)
  cat(label, "columns", paste0(names(df), ":", sapply(df, function(col) class(col)[1]), collapse = ","), "\n")
  for (i in seq_len(nrow(df))) {
    cat(label, "row", paste(sapply(df, function(col) show(col[i])), collapse = "|"), "\n")
  }
}
invisible(dbDisconnect(con))
cat("R ok\n")
