// node-postgres (npm `pg`, pinned in tests/clients/node/package-lock.json)
// against `hdhub serve` or a real PostgreSQL 15: the shared statements
// (statements.tsv; $1 takes 2) through the extended protocol, each result's
// field names, type OIDs and the JavaScript types pg parses them into.
// Connection from the libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER,
// PGPASSWORD, PGSSLMODE, PGSSLROOTCERT).
// Usage: NODE_PATH=tests/clients/node/node_modules node node_client.js statements.tsv
'use strict';
const fs = require('fs');
const { Client } = require('pg');

function show(value) {
  if (value === null) return 'NULL';
  if (value instanceof Date) return 'Date=' + value.toISOString();
  return typeof value + '=' + String(value);
}

async function main() {
  const env = process.env;
  const ssl = env.PGSSLMODE === 'disable' ? false
    : { ca: fs.readFileSync(env.PGSSLROOTCERT), rejectUnauthorized: true };
  const client = new Client({
    host: env.PGHOST, port: Number(env.PGPORT), database: env.PGDATABASE,
    user: env.PGUSER, password: env.PGPASSWORD, ssl,
  });
  await client.connect();
  // Dates and timestamps without a zone are read in the process's zone: UTC here.
  for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
    if (!line) continue;
    const [label, sql] = line.split('\t');
    const params = sql.includes('$1') ? [2] : [];
    // Always the extended protocol: a named prepared statement, run twice.
    for (const round of [1, 2]) {
      const res = await client.query({ name: 'stmt_' + label, text: sql, values: params });
      if (round === 2) continue;
      console.log(label + ' fields ' + res.fields.map((f) => f.name + ':' + f.dataTypeID).join(','));
      for (const row of res.rows) console.log(label + ' row ' + res.fields.map((f) => show(row[f.name])).join('|'));
      console.log(label + ' command ' + res.command + ' ' + res.rowCount);
    }
  }
  const text = await client.query('SELECT $1::text AS t, $2::int AS i', ['héllo', 41]);
  console.log('typed params ' + show(text.rows[0].t) + '|' + show(text.rows[0].i));
  await client.end();
  console.log('node-postgres ok');
}

main().catch((e) => {
  console.error('node-postgres: ' + e.message + (e.code ? ' (' + e.code + ')' : ''));
  process.exit(1);
});
