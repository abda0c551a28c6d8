// How to reach the project's workspace from one's own tools (issue 11):
// psql, Python (psycopg) and R (DBI + RPostgres), over the hub's
// PostgreSQL-protocol listener (docs/serve.md): user = the account,
// database = the project, password = an API token, TLS verified against
// the hub's CA. The host is the one the browser reached; the port is the
// session's pg_port (GET /api/v1/session), else the default 5432, and the
// page says which.
import type { Project, SessionInfo } from "../api";
import { append, h } from "../dom";
import type { PageContext } from "../main";
import { copyButton } from "./common";
import { projectFrame } from "./project";

const kDefaultPort = 5432;

export interface Connection {
  host: string;
  port: number;
  dbname: string;
  user: string;
  table: string;
}

// The three snippets, the token read from the environment (never written
// into a file or a history).
export function snippets(c: Connection): { id: string; title: string; code: string }[] {
  const sql = `SELECT count(*) FROM ${c.table}`;
  return [
    { id: "psql", title: "psql", code:
      `export PGPASSWORD="$HDHUB_TOKEN"\n` +
      `psql "host=${c.host} port=${c.port} dbname=${c.dbname} user=${c.user} sslmode=verify-full sslrootcert=hub-ca.crt"` },
    { id: "python", title: "Python (psycopg 3)", code:
      `import os\nimport psycopg\n\n` +
      `with psycopg.connect(host="${c.host}", port=${c.port}, dbname="${c.dbname}", user="${c.user}",\n` +
      `                     password=os.environ["HDHUB_TOKEN"],\n` +
      `                     sslmode="verify-full", sslrootcert="hub-ca.crt") as conn:\n` +
      `    print(conn.execute("${sql}").fetchone())` },
    { id: "r", title: "R (DBI + RPostgres)", code:
      `library(DBI)\n\n` +
      `con <- dbConnect(RPostgres::Postgres(), host = "${c.host}", port = ${c.port},\n` +
      `                 dbname = "${c.dbname}", user = "${c.user}",\n` +
      `                 password = Sys.getenv("HDHUB_TOKEN"),\n` +
      `                 sslmode = "verify-full", sslrootcert = "hub-ca.crt")\n` +
      `dbGetQuery(con, "${sql}")\n` +
      `dbDisconnect(con)` },
  ];
}

function render(ctx: PageContext, region: HTMLElement, p: Project, session: SessionInfo): void {
  const c: Connection = {
    host: window.location.hostname,
    port: session.pg_port ?? kDefaultPort,
    dbname: p.id,
    user: session.user,
    table: Object.keys(p.scope.tables ?? {})[0] ?? "hdhub_columns",
  };
  const params = h("dl", { "class": "project-facts" });
  for (const [key, value] of [["connect.host", c.host], ["connect.port", String(c.port)],
    ["connect.database", c.dbname], ["connect.user", c.user], ["connect.password", ctx.t("connect.token")],
    ["connect.tls", "sslmode=verify-full"]] as const) {
    append(params, h("div", { "class": "fact-item" }, h("dt", {}, ctx.t(key)), h("dd", {}, h("code", {}, value))));
  }
  append(region,
    h("h2", {}, ctx.t("connect.title")),
    h("p", {}, ctx.t("connect.lead")),
    params,
    h("div", { "class": "notice notice-info" },
      h("p", {}, ctx.t(session.pg_port ? "connect.note.address" : "connect.note.port", { port: c.port })),
      h("p", {}, ctx.t("connect.note.token")),
      h("p", {}, ctx.t("connect.note.networks"))));
  for (const s of snippets(c)) {
    const code = h("code", {}, s.code);
    append(region, h("section", { "class": "snippet", "aria-labelledby": `snippet-${s.id}` },
      h("div", { "class": "snippet-head" },
        h("h3", { "id": `snippet-${s.id}` }, s.title),
        copyButton(ctx, ctx.t("connect.copy", { what: s.title }), () => s.code)),
      h("pre", { "class": "code", "tabindex": "0" }, code)));
  }
}

export function renderConnect(main: HTMLElement, ctx: PageContext): void {
  projectFrame(main, ctx, "connect", (region, p, session) => render(ctx, region, p, session));
}
