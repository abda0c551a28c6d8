// The airlock pages' rules (portal/src/pages/export_model.ts) under Node:
// which reviews count, who may review, when a comment is required, the
// review's body, the queue. Usage: node checker_unit.mjs <export_model.mjs built by esbuild>
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

console.log(`export_model.ts: ${checks} checks passed`);
