// The airlock pages' rules (portal/src/pages/export_model.ts) under Node:
// which reviews count, who may review, when a comment is required, the
// review's body, the queue; the files' CSV (RFC 4180), which cells are
// withheld from an output's file, and how a file output is shown (preview,
// name, media type, a text's lines, a model's degrees of freedom). Usage: node checker_unit.mjs <export_model.mjs built by esbuild>
import { strict as assert } from "node:assert";

const m = await import(process.argv[2]);
let checks = 0;
const eq = (actual, expected, what) => {
  assert.deepEqual(actual, expected, what);
  ++checks;
};

const table = (name, verdict = {}) => ({
  name, revision: 2, kind: "table", format: "csv", declaration: {}, bytes: 10, sha256: "ab",
  verdict: { outcome: "pass", cells: 3, suppressed_cells: 0, review_cells: 0, cross_frame: false, ...verdict },
});
const request = (over = {}) => ({
  id: "p1-e2", project: "p1", author: "rita", title: "T", state: "submitted", revision: 2,
  created_at: "2026-12-06T01:00:00Z", frames: [], outputs: [table("a")], reviews: [], decisions: [], ...over,
});
const reviewOf = (checker, revision) => ({ checker, revision, at: "2026-12-06T02:00:00Z", decisions: [] });

// Reviews of an older revision do not count (a change resets them).
const r = request({ state: "partially_reviewed", reviews: [reviewOf("carl", 1), reviewOf("cleo", 2)] });
eq(m.currentReviews(r).map((v) => v.checker), ["cleo"], "only the current revision's reviews count");
eq(m.reviewedBy(r, "carl"), false, "carl's review of revision 1 does not count");
eq(m.reviewedBy(r, "cleo"), true, "cleo reviewed revision 2");

// Who may review.
eq(m.cannotReview(r, "rita"), "author", "the author never");
eq(m.cannotReview(r, "cleo"), "reviewed", "not the same checker twice");
eq(m.cannotReview(r, "carl"), null, "another checker may");
eq(m.cannotReview(request({ state: "approved" }), "carl"), "state", "only while awaiting review");
eq(m.cannotReview(request({ state: "draft" }), "carl"), "state", "not a draft");

// Comments required where the API requires them.
eq(m.commentRequired(table("a"), "approve"), false, "approving a passed table needs no comment");
eq(m.commentRequired(table("a"), "changes"), true, "asking for changes needs one");
eq(m.commentRequired(table("a"), "reject"), true, "rejecting needs one");
eq(m.commentRequired(table("a", { review_cells: 1 }), "approve"), true, "a cell left for review needs a reason");
eq(m.commentRequired(table("a", { cross_frame: true }), "approve"), true, "a finding across frames needs a reason");
eq(m.commentRequired({ ...table("a"), kind: "custom" }, "approve"), true, "a custom output needs a reason");
eq(m.commentRequired({ ...table("a"), kind: "figure", verdict: { outcome: "review", rules: [] } }, "approve"), true,
  "a figure needs a reason");
eq(m.commentRequired({ ...table("a"), kind: "model", verdict: { outcome: "pass", rules: [] } }, "approve"), false,
  "a passed model needs none");
eq(m.commentRequired({ ...table("a"), verdict: "not json" }, "approve"), false, "an unparsed verdict: the table's rule");

// The review's body, or what is missing.
const two = request({ outputs: [table("a"), table("b", { review_cells: 2 })] });
eq(m.reviewBody(two, { a: { decision: "approve", comment: "  " } }), { missing: ["b"] }, "b has no decision");
eq(m.reviewBody(two, { a: { decision: "approve", comment: "" }, b: { decision: "approve", comment: " " } }),
  { missing: ["b"] }, "b needs a reason, blanks are none");
eq(m.reviewBody(two, { a: { decision: "approve", comment: "" }, b: { decision: "approve", comment: " ok " } }),
  { body: { revision: 2, decisions: [{ output: "a", decision: "approve" }, { output: "b", decision: "approve", comment: "ok" }] } },
  "the body names the revision read, comments trimmed, none sent empty");

// The queue: awaiting review, never one's own, oldest first, marked.
const queue = m.reviewQueue([
  request({ id: "p1-e3", created_at: "2026-12-06T03:00:00Z" }),
  request({ id: "p1-e4", author: "carl" }),
  request({ id: "p1-e5", state: "approved" }),
  request({ id: "p1-e2", state: "partially_reviewed", reviews: [reviewOf("carl", 2)] }),
], "carl");
eq(queue.map((l) => [l.request.id, l.reviews, l.mine]), [["p1-e2", 1, true], ["p1-e3", 0, false]],
  "the queue: awaiting review, not carl's own, oldest first, his review marked");

// The CSV of a file as it would leave (RFC 4180).
eq(m.parseCsv("table,sex,value\nt,1,\nt,2,11\n"), [["table", "sex", "value"], ["t", "1", ""], ["t", "2", "11"]],
  "the hub's CSV: a final LF starts no record, a withheld value is an empty field");
eq(m.parseCsv("a,b\r\n1,2"), [["a", "b"], ["1", "2"]], "CRLF, and no final line break");
eq(m.parseCsv('name,note\n"Dupont, Jean","dit ""bonjour""\nà tous"\n'),
  [["name", "note"], ["Dupont, Jean", 'dit "bonjour"\nà tous']], "quoted commas, \"\" for a quote, a line break inside quotes");
eq(m.parseCsv('a,"",\n'), [["a", "", ""]], "an empty quoted field and an empty last field");
eq(m.parseCsv(""), [], "an empty file has no record");
eq(m.parseCsv("\n"), [[""]], "an empty line is one empty field");
const csvError = (text) => {
  try {
    m.parseCsv(text);
    return null;
  } catch (e) {
    return [e instanceof m.CsvError, e.line];
  }
};
eq(csvError('a\n"b,c\n'), [true, 2], "an unclosed quote: its line");
eq(csvError('a\nb"c\n'), [true, 2], "a quote inside an unquoted field");
eq(csvError('"a"b\n'), [true, 1], "text after a closing quote");

// Which cells an output's file withholds: its own (table "<output>/…"),
// never another output's whose name it begins, only those not published.
const cell = (table, status, value, over = {}) => ({
  table, codes: ["1"], key: "{sex=1}", status, reason: status === "published" ? "safe" : "primary",
  rule: status === "published" ? "" : "min_count", value, interval: null, ...over,
});
const evidence = { checks: { salt: "00", runs: {
  "people/count": { outcome: "pass", repair_rounds: 0, cells: [
    cell("by-sex/t", "published", 163), cell("by-sex/t", "suppressed", 2, { codes: ["2"] }),
    cell("by-sex-total/all", "suppressed", 7, { codes: [] })] },
  "deaths/count": { outcome: "pass", repair_rounds: 0, cells: [
    cell("by-sex/d", "suppressed", 161, { reason: "secondary", rule: "" }), cell("other/t", "suppressed", 1)] },
} } };
eq(m.withheldCells(evidence, "by-sex").map((c) => [c.tableId, c.codes, c.value, c.reason]),
  [["t", ["2"], 2, "primary"], ["d", ["1"], 161, "secondary"]],
  "by-sex's withheld cells across runs, not by-sex-total's nor the published one");
eq(m.withheldCells(evidence, "by-sex-total").map((c) => [c.tableId, c.value]), [["all", 7]], "by-sex-total's own");
eq(m.withheldCells(evidence, "missing"), [], "an output without cells withholds none");
eq(m.withheldCells({}, "by-sex"), [], "an answer without checks (an older request) withholds none");

// A review's answer keeps the evidence read before, for the same revision only.
const read = { ...request(), files: [{ name: "a" }], checks: evidence.checks, evidence: [{}] };
eq(m.keepEvidence(read, request({ state: "partially_reviewed" })).files, [{ name: "a" }], "same revision: kept");
eq(m.keepEvidence(read, request({ revision: 3 })).files, undefined, "a new revision: dropped");

// A file output as the checker's page shows it.
eq(["csv", "txt", "png", "pdf", "parquet", "exe"].map(m.previewOf), ["table", "text", "image", "download", "download", "download"],
  "csv a table, txt a text, png an image, the rest a download");
eq(m.fileName("p1-e4", "notes", "pdf"), "p1-e4.notes.pdf", "a download is named <request>.<output>.<format>");
eq([m.mediaType("png"), m.mediaType("pdf"), m.mediaType("txt"), m.mediaType("zip")],
  ["image/png", "application/pdf", "text/plain;charset=utf-8", "application/octet-stream"], "media types, unknown as bytes");
const utf8 = (text) => new TextEncoder().encode(text);
eq(m.textLines(utf8("Méthode\r\nsans chiffre\n"), 10), { lines: ["Méthode", "sans chiffre"], total: 2 },
  "UTF-8 lines, CRLF or LF, a final break starts no line");
eq(m.textLines(utf8("a\nb\nc"), 2), { lines: ["a", "b"], total: 3 }, "the first lines of a longer text, and its count");
eq(m.textLines(utf8("a\n\n"), 5), { lines: ["a", ""], total: 2 }, "an empty line before the final break is kept");
eq(m.textLines(new Uint8Array(), 5), { lines: [], total: 0 }, "an empty file has no line");
let notUtf8 = null;
try {
  m.textLines(new Uint8Array([0x61, 0xe9, 0x0a]), 5);
} catch (e) {
  notUtf8 = e instanceof TypeError;
}
eq(notUtf8, true, "Latin-1 bytes are refused, not guessed");
eq(m.modelFacts({ observations: 21, parameters: 11 }), { observations: 21, parameters: 11, residual: 10 },
  "a model's residual degrees of freedom: N - P");
eq(m.modelFacts({ parameters: 11 }), null, "no N, no degrees of freedom");

console.log(`export_model.ts: ${checks} checks passed`);
