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
  // A file output's (model, figure, custom): its rows (a text's lines), its
  // bytes, the refused columns, a model's N and P, the table a figure draws.
  rows?: number;
  bytes?: number;
  columns?: string[];
  observations?: number;
  parameters?: number;
  figure_of?: string;
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
  format?: string;
  figure_of?: string;
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

// A file as it leaves (or would leave) the hub.
export interface ExportFile {
  name: string;
  format: string;
  bytes: number;
  sha256: string;
  content_base64: string;
}

export interface ReleasedFiles {
  request: string;
  project: string;
  release: number;
  revision: number;
  certificate_sha256: string;
  files: ExportFile[];
  bundle_base64: string;
}

// One cell of a Protect run with its true value (checkers only): `table`
// is "<output>/<table id>".
export interface CheckCell {
  table: string;
  codes: string[];
  key: string;
  status: string;
  reason: string;
  rule: string;
  value: number;
  interval: [number, number] | null;
}

export interface CheckRun {
  outcome: string;
  repair_rounds: number;
  cells: CheckCell[];
}

// GET …/export-requests/{rid}?evidence=true (policy airlock.evidence,
// checkers only): the request, each output's verdict, the files as they
// would leave and the checks' runs keyed "<frame>/<measure>". A request
// made before this answer existed lacks `files` and `checks`.
export interface RequestEvidence extends ExportRequest {
  evidence?: (Verdict | null)[];
  files?: ExportFile[];
  checks?: { salt: string; runs: Record<string, CheckRun> };
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

// After a review or decision answered with the bare request: the evidence
// read before, while it is still the same revision.
export function keepEvidence(before: RequestEvidence, next: ExportRequest): RequestEvidence {
  if (next.id !== before.id || next.revision !== before.revision) return next;
  return { ...next, evidence: before.evidence, files: before.files, checks: before.checks };
}

// The cells of `output` withheld from its file (status other than
// "published"), in the runs' order, each with its table's id.
export function withheldCells(evidence: Pick<RequestEvidence, "checks">, output: string):
  (CheckCell & { tableId: string })[] {
  const prefix = `${output}/`;
  const out: (CheckCell & { tableId: string })[] = [];
  for (const run of Object.values(evidence.checks?.runs ?? {})) {
    for (const c of run.cells ?? []) {
      if (c.table.startsWith(prefix) && c.status !== "published") {
        out.push({ ...c, tableId: c.table.slice(prefix.length) });
      }
    }
  }
  return out;
}

export class CsvError extends Error {
  constructor(readonly line: number, what: string) {
    super(`CSV line ${line}: ${what}`);
  }
}

// RFC 4180 records: fields separated by commas, records by LF or CRLF, a
// quoted field may hold commas, line breaks and "" for a quote. A final
// line break ends the last record (it starts no empty one). Throws a
// CsvError naming the line of a stray or unterminated quote.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;  // inside a quoted field
  let wasQuoted = false;  // the current field was quoted (only a separator may follow)
  let line = 1;
  let quoteLine = 1;
  const endField = (): void => { row.push(field); field = ""; wasQuoted = false; };
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") { field += "\""; ++i; }
      else if (c === "\"") { quoted = false; wasQuoted = true; }
      else { if (c === "\n") ++line; field += c; }
      continue;
    }
    if (c === ",") { endField(); continue; }
    if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      if (c === "\r") ++i;
      endField();
      rows.push(row);
      row = [];
      ++line;
      continue;
    }
    if (wasQuoted) throw new CsvError(line, "text after a closing quote");
    if (c === "\"") {
      if (field !== "") throw new CsvError(line, "a quote inside an unquoted field");
      quoted = true;
      quoteLine = line;
      continue;
    }
    field += c;
  }
  if (quoted) throw new CsvError(quoteLine, "a quoted field is not closed");
  if (field !== "" || wasQuoted || row.length > 0) { endField(); rows.push(row); }
  return rows;
}

// How the checker's page shows a file as it would leave: a table (CSV), a
// text (txt), an image (png), or only a link to download it (pdf, parquet
// and anything else: the browser does not preview them).
export type FilePreview = "table" | "text" | "image" | "download";

export function previewOf(format: string): FilePreview {
  switch (format) {
    case "csv": return "table";
    case "txt": return "text";
    case "png": return "image";
    default: return "download";
  }
}

// The name a downloaded file gets, as the researcher's release names it.
export function fileName(request: string, output: string, format: string): string {
  return `${request}.${output}.${format}`;
}

export function mediaType(format: string): string {
  const known: Record<string, string> = {
    csv: "text/csv", txt: "text/plain;charset=utf-8", png: "image/png", pdf: "application/pdf",
    parquet: "application/vnd.apache.parquet",
  };
  return known[format] ?? "application/octet-stream";
}

// The first `max` lines of a UTF-8 text and how many it has (a final line
// break ends the last line, it starts no empty one; CRLF counts as one
// break). Throws a TypeError when the bytes are not UTF-8.
export function textLines(bytes: Uint8Array, max: number): { lines: string[]; total: number } {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  const all = text.split(/\r?\n/);
  if (all.length > 0 && all[all.length - 1] === "") all.pop();
  return { lines: all.slice(0, max), total: all.length };
}

// A model's N (its frame's units), P (its coefficients) and residual
// degrees of freedom N - P, or null when the verdict lacks either number.
export function modelFacts(v: Verdict): { observations: number; parameters: number; residual: number } | null {
  if (typeof v.observations !== "number" || typeof v.parameters !== "number") return null;
  return { observations: v.observations, parameters: v.parameters, residual: v.observations - v.parameters };
}
