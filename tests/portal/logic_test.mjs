// The portal's pure logic under `node --test` (no browser): the NDJSON
// reader of the SQL console, the SQL highlighter, problem+json parsing,
// days left, the connection snippets. The TypeScript sources are bundled
// by the portal's own esbuild (a dependency of Vite) into a temporary
// directory first.
// Usage: node --test tests/portal/logic_test.mjs   (portal/node_modules installed)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const portal = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../portal");
const require = createRequire(path.join(portal, "package.json"));
const esbuild = require("esbuild");
const out = mkdtempSync(path.join(tmpdir(), "hdhub-portal-logic-"));
after(() => rmSync(out, { recursive: true, force: true }));
const entry = path.join(out, "entry.ts");
writeFileSync(entry, [
  `export * from ${JSON.stringify(path.join(portal, "src/ndjson.ts"))};`,
  `export * from ${JSON.stringify(path.join(portal, "src/sql_highlight.ts"))};`,
  `export { problemFrom, daysLeft, ApiError } from ${JSON.stringify(path.join(portal, "src/api.ts"))};`,
  `export { snippets } from ${JSON.stringify(path.join(portal, "src/pages/connect.ts"))};`,
].join("\n"));
await esbuild.build({
  entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", outfile: path.join(out, "logic.mjs"),
  loader: { ".css": "empty" }, logLevel: "error",
});
const m = await import(pathToFileURL(path.join(out, "logic.mjs")).href);

const header = (n, of, cols) => JSON.stringify({ statement: n, of, columns: cols.map((name) => ({ name, type: "INTEGER" })) });

test("rows arrive in pieces cut anywhere and are rebuilt per statement", () => {
  const text = `${header(1, 2, ["sex", "n"])}\n[1,10]\n[2,12]\n${header(2, 2, ["x"])}\n["a"]\n`;
  for (let cut = 1; cut < text.length; ++cut) {
    const p = new m.QueryStreamParser(100);
    p.push(text.slice(0, cut));
    p.push(text.slice(cut));
    assert.equal(p.end(), true);
    assert.equal(p.results.length, 2);
    assert.deepEqual(p.results[0].columns.map((c) => c.name), ["sex", "n"]);
    assert.deepEqual(p.results[0].rows, [[1, 10], [2, 12]]);
    assert.deepEqual(p.results[1].rows, [["a"]]);
    assert.equal(p.results[1].of, 2);
    assert.equal(p.rowCount, 3);
  }
});

test("only the first maxRows rows are kept, all are counted", () => {
  const p = new m.QueryStreamParser(2);
  p.push(`${header(1, 1, ["n"])}\n[1]\n[2]\n[3]\n[4]\n`);
  assert.equal(p.end(), true);
  assert.deepEqual(p.results[0].rows, [[1], [2]]);
  assert.equal(p.results[0].rowCount, 4);
});

test("an error line after the first rows is kept as the stream's error", () => {
  const p = new m.QueryStreamParser(10);
  p.push(`${header(1, 1, ["n"])}\n[1]\n{"error":{"status":400,"title":"Bad Request","detail":"statement 2 of 2: no such table"}}\n`);
  assert.equal(p.end(), true);
  assert.deepEqual(p.error, { status: 400, title: "Bad Request", detail: "statement 2 of 2: no such table" });
  assert.equal(p.rowCount, 1);
});

test("a stream cut inside a line is not whole, and the piece is not a row", () => {
  const p = new m.QueryStreamParser(10);
  p.push(`${header(1, 1, ["n"])}\n[1]\n[2`);
  assert.equal(p.end(), false);
  assert.equal(p.rowCount, 1);
});

test("a row before any header, or a line that is not JSON, is refused", () => {
  assert.throws(() => new m.QueryStreamParser(10).push("[1]\n"), /before its statement's header/);
  assert.throws(() => new m.QueryStreamParser(10).push("<html>\n"), /not NDJSON/);
  assert.throws(() => new m.QueryStreamParser(10).push('{"what":1}\n'), /unexpected line/);
});

test("readQueryStream decodes UTF-8 split between chunks", async () => {
  const bytes = new TextEncoder().encode(`${header(1, 1, ["label"])}\n["Île-de-France é"]\n`);
  const split = bytes.indexOf(0xc3) + 1;  // inside the two bytes of "Î"
  const body = new ReadableStream({
    start(c) { c.enqueue(bytes.slice(0, split)); c.enqueue(bytes.slice(split)); c.close(); },
  });
  const p = new m.QueryStreamParser(10);
  let calls = 0;
  assert.equal(await m.readQueryStream(body, p, () => ++calls), true);
  assert.equal(calls, 2);
  assert.deepEqual(p.results[0].rows, [["Île-de-France é"]]);
});

test("cellText: NULL apart, numbers and booleans as text, objects as JSON", () => {
  assert.equal(m.cellText(null), null);
  assert.equal(m.cellText(0), "0");
  assert.equal(m.cellText(false), "false");
  assert.equal(m.cellText([1, 2]), "[1,2]");
});

test("the highlighter keeps every character and finds the token kinds", () => {
  const inputs = [
    "SELECT count(*) AS n FROM ER_PRS_F -- a comment\nWHERE x = 'it''s' AND y > 1.5e3 /* c */ and \"Col\"",
    "select 'unclosed", "/* unclosed", "", "\u00e9\t\n;;", "1. .5 10",
  ];
  for (const sql of inputs) assert.equal(m.tokenize(sql).map((t) => t.text).join(""), sql);
  const tokens = m.tokenize(inputs[0]).filter((t) => t.kind !== "text");
  const kinds = Object.fromEntries(tokens.map((t) => [t.text, t.kind]));
  assert.equal(kinds.SELECT, "keyword");
  assert.equal(kinds.and, "keyword");
  assert.equal(kinds["'it''s'"], "string");
  assert.equal(kinds["1.5e3"], "number");
  assert.equal(kinds["-- a comment"], "comment");
  assert.equal(kinds["/* c */"], "comment");
  assert.equal(kinds['"Col"'], "ident");
  assert.equal(kinds.ER_PRS_F, undefined);  // a name is plain text
});

test("problem+json becomes an ApiError with its detail, reauth and request id", () => {
  const e = m.problemFrom(401, JSON.stringify({
    title: "Unauthorized", status: 401, detail: "sign in again", reauth: true, instance: "urn:hdhub:request:00ab12cd34ef5678",
  }));
  assert.ok(e instanceof m.ApiError);
  assert.equal(e.status, 401);
  assert.equal(e.detail, "sign in again");
  assert.equal(e.reauth, true);
  assert.equal(e.requestId, "00ab12cd34ef5678");
  const plain = m.problemFrom(502, "<html>Bad gateway</html>");
  assert.equal(plain.status, 502);
  assert.equal(plain.reauth, false);
  assert.equal(plain.detail, "");
  assert.equal(m.problemFrom(403, '{"reauth":"yes"}').reauth, false);
});

test("days left: rounded up, 0 once past, null for a bad date", () => {
  const now = new Date("2026-12-05T12:00:00Z");
  assert.equal(m.daysLeft("2026-12-07T00:00:00Z", now), 2);
  assert.equal(m.daysLeft("2026-12-05T12:00:00Z", now), 0);
  assert.equal(m.daysLeft("2026-01-01T00:00:00Z", now), 0);
  assert.equal(m.daysLeft("not a date", now), null);
});

test("the connection snippets name the project, the account and the host, never a token", () => {
  const all = m.snippets({ host: "hub.example.org", port: 5432, dbname: "p1", user: "rita", table: "IR_BEN_R" });
  assert.deepEqual(all.map((s) => s.id), ["psql", "python", "r"]);
  for (const s of all) {
    assert.match(s.code, /hub\.example\.org/);
    assert.match(s.code, /p1/);
    assert.match(s.code, /rita/);
    assert.match(s.code, /verify-full/);
    assert.match(s.code, /HDHUB_TOKEN/);
    assert.match(s.code, /IR_BEN_R|psql/);
  }
  assert.match(all[1].code, /os\.environ\["HDHUB_TOKEN"\]/);
  assert.match(all[2].code, /Sys\.getenv\("HDHUB_TOKEN"\)/);
});
