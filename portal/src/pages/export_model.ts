// The airlock's export requests as the API answers them
// (docs/api/openapi.json ExportRequest, docs/airlock-workflow.md §4 and §8),
// and the pure rules the checker's and researcher's pages apply to them:
// which reviews count (those of the current revision), whether a comment is
// required, what a queue holds. No DOM here, so that checker_unit.mjs can
// test it under Node.

export type RequestState =
  | "draft" | "submitted" | "partially_reviewed" | "reviewed" | "approved"
  | "released" | "returned" | "rejected" | "withdrawn";

export type OutputDecision = "approve" | "changes" | "reject";

// verdict_json of an output (service/export_compute.cc).
export interface Verdict {
  outcome?: "pass" | "review" | "refuse";
  rules?: string[];
  frame?: string;
  measure?: string;
  cells?: number;
  suppressed_cells?: number;
  review_cells?: number;
  cross_frame?: boolean;
  repair_rounds?: number;
}

export interface TableDimension {
  dimension: string;
  codes?: string[];
  filter?: string;
}

export interface OutputDeclaration {
  output?: string;
  kind?: string;
  frame?: string;
  measure?: string;
  tables?: { id: string; dimensions?: TableDimension[] }[];
  explanation?: string;
}

export interface ExportOutput {
  name: string;
  revision: number;
  kind: string;
  format: string;
  declaration: OutputDeclaration | string | null;
  bytes: number;
  sha256: string;
  verdict: Verdict | string | null;
}

export interface ExportReviewRecord {
  checker: string;
  revision: number;
  at: string;
  decisions: { output: string; decision: OutputDecision; comment: string }[];
}

export interface ExportDecisionRecord {
  decision: "return" | "reject";
  actor: string;
  revision: number;
  reason: string;
  text: string;
  at: string;
}

export interface ExportRequest {
  id: string;
  project: string;
  author: string;
  title: string;
  state: RequestState;
  revision: number;
  created_at: string;
  frames: { name: string; created_by: string; released: boolean }[];
  outputs: ExportOutput[];
  reviews: ExportReviewRecord[];
  decisions: ExportDecisionRecord[];
}

export interface ExportSummary {
  id: string;
  project: string;
  author: string;
  state: RequestState;
  revision: number;
  created_at: string;
  title: string;
}

export interface ReleasedFiles {
  request: string;
  project: string;
  release: number;
  revision: number;
  certificate_sha256: string;
  files: { name: string; format: string; bytes: number; sha256: string; content_base64: string }[];
  bundle_base64: string;
}

export const kReviewsNeeded = 2;  // two distinct checkers per revision (§4)

// States in which a checker may still review (§4's table).
export const kAwaitingReview: RequestState[] = ["submitted", "partially_reviewed"];

export function verdictOf(o: ExportOutput): Verdict {
  return o.verdict !== null && typeof o.verdict === "object" ? o.verdict : {};
}

export function declarationOf(o: ExportOutput): OutputDeclaration {
  return o.declaration !== null && typeof o.declaration === "object" ? o.declaration : {};
}

// The reviews that count: those of the request's current revision (any
// change resets them, §4).
export function currentReviews(r: Pick<ExportRequest, "reviews" | "revision">): ExportReviewRecord[] {
  return r.reviews.filter((v) => v.revision === r.revision);
}

export function reviewedBy(r: Pick<ExportRequest, "reviews" | "revision">, user: string): boolean {
  return currentReviews(r).some((v) => v.checker === user);
}

// Why `user` may not review `r` now, or null when she may: the author
// never, the same checker not twice, only while awaiting review.
export function cannotReview(r: Pick<ExportRequest, "author" | "state" | "reviews" | "revision">,
  user: string): "author" | "reviewed" | "state" | null {
  if (r.author === user) return "author";
  if (!kAwaitingReview.includes(r.state)) return "state";
  if (reviewedBy(r, user)) return "reviewed";
  return null;
}

// Whether the API asks for a comment (§4): for changes and reject, and for
// approving a custom or figure output, one with a cell left for review or
// a finding across frames.
export function commentRequired(o: ExportOutput, decision: OutputDecision): boolean {
  if (decision !== "approve") return true;
  return needsReasons(o);
}

export function needsReasons(o: ExportOutput): boolean {
  const v = verdictOf(o);
  return o.kind === "custom" || o.kind === "figure" || (v.review_cells ?? 0) > 0 || v.cross_frame === true;
}

// The body of POST …/reviews, or the names of the outputs whose decision
// or required comment is missing.
export function reviewBody(r: Pick<ExportRequest, "outputs" | "revision">,
  chosen: Record<string, { decision?: OutputDecision; comment: string }>):
  { body: { revision: number; decisions: { output: string; decision: OutputDecision; comment?: string }[] } } |
  { missing: string[] } {
  const missing: string[] = [];
  const decisions: { output: string; decision: OutputDecision; comment?: string }[] = [];
  for (const o of r.outputs) {
    const c = chosen[o.name];
    const comment = c?.comment.trim() ?? "";
    if (!c?.decision || (commentRequired(o, c.decision) && comment === "")) {
      missing.push(o.name);
      continue;
    }
    decisions.push(comment === "" ? { output: o.name, decision: c.decision }
      : { output: o.name, decision: c.decision, comment });
  }
  return missing.length ? { missing } : { body: { revision: r.revision, decisions } };
}

// The queue: requests awaiting review that `user` did not write, oldest
// first, each with the reviews of its revision and whether she gave one.
export interface QueueLine {
  request: ExportRequest;
  reviews: number;
  mine: boolean;
}

export function reviewQueue(requests: ExportRequest[], user: string): QueueLine[] {
  return requests
    .filter((r) => kAwaitingReview.includes(r.state) && r.author !== user)
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
    .map((r) => ({ request: r, reviews: currentReviews(r).length, mine: reviewedBy(r, user) }));
}
