// The pure logic of the operator's catalog, build and host pages (no DOM,
// so tests/portal/operator_unit.mjs runs it under Node): the catalog's
// versions grouped by dataset with the current one, who ingested which
// version (the log's ingest.run entries), whether a qualification is in
// force on a day, a host's address without secrets, and whether a
// project's workspace may be built now.

// What an ingest found (ingest/report.h): counts and column names, never a value.
export interface IngestReport {
  on_invalid?: string;
  rows_read?: number;
  rows_stored?: number;
  rows_rejected?: number;
  refused_values?: { field: string; refused: number; first_line: number; reason: string }[];
  pseudonymized?: string[];
  dropped?: string[];
  generalised?: string[];
  record_identifiers?: string[];
  unchecked_nomenclatures?: string[];
  reference?: boolean;
}

// A dataset version as GET /api/v1/catalog and /api/v1/catalog/{dataset}.
export interface DatasetVersion {
  dataset: string;
  version: number;
  state: string;
  rows: number | null;
  created: string;
  committed_at: string | null;
  source_sha256: string;
  reference: boolean;
  objects: number;
  bytes?: number;
  report?: IngestReport | null;
  withdrawn?: { at: string; by: string; reason: string };
}

export interface DatasetSummary {
  name: string;
  versions: DatasetVersion[];  // newest first
  current: DatasetVersion | undefined;  // the newest committed one not withdrawn
}

export function isCurrentCandidate(v: DatasetVersion): boolean {
  return v.state === "committed" && !v.withdrawn;
}

// The catalog's versions grouped by dataset, datasets by name.
export function summariseCatalog(versions: DatasetVersion[]): DatasetSummary[] {
  const byName = new Map<string, DatasetVersion[]>();
  for (const v of versions) {
    const list = byName.get(v.dataset) ?? [];
    list.push(v);
    byName.set(v.dataset, list);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, list]) => {
      const sorted = [...list].sort((a, b) => b.version - a.version);
      return { name, versions: sorted, current: sorted.find(isCurrentCandidate) };
    });
}

// How a version stands in its dataset: "current", "earlier", "withdrawn",
// "shredded" or "pending".
export function versionStanding(v: DatasetVersion, current: DatasetVersion | undefined): string {
  if (v.withdrawn) return "withdrawn";
  if (v.state === "shredded") return "shredded";
  if (v.state !== "committed") return "pending";
  return current && current.version === v.version ? "current" : "earlier";
}

// An audit entry as GET /api/v1/audit/entries (docs/formats/audit-log.md).
export interface AuditEntry {
  actor: string;
  action: string;
  outcome: string;
  time: string;
  objects?: Record<string, string>;
}

// "<dataset>#<version>" -> who ingested it and when: the first successful
// ingest.run entry naming that version (a repeated upload names it again).
export function ingestedBy(entries: AuditEntry[]): Map<string, { actor: string; time: string }> {
  const out = new Map<string, { actor: string; time: string }>();
  for (const e of entries) {
    if (e.action !== "ingest.run" || e.outcome !== "success") continue;
    const dataset = e.objects?.dataset;
    const version = e.objects?.version;
    if (!dataset || !version) continue;
    const key = `${dataset}#${version}`;
    if (!out.has(key)) out.set(key, { actor: e.actor, time: e.time });
  }
  return out;
}

// A qualification on `day` (YYYY-MM-DD, the decision's): "in-force",
// "expired" or "not-yet" (its validity starts later). Dates compare as text.
export function qualificationState(q: { valid_from: string; valid_until: string }, day: string): string {
  if (day < q.valid_from) return "not-yet";
  if (day > q.valid_until) return "expired";
  return "in-force";
}

const kSecretParam = /secret|key|token|password|passwd|credential|signature|sig$|auth/i;

// A host's address to show: no user or password, and the value of any
// query parameter that may carry a secret replaced by "…".
export function displayUri(uri: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(uri);
  if (!scheme) return uri;
  let rest = scheme[2];
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  rest = rest.replace(/^\/\/[^/@]*@/, "//");
  const params = query === "" ? [] : query.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    const name = eq >= 0 ? pair.slice(0, eq) : pair;
    return kSecretParam.test(name) && eq >= 0 ? `${name}=…` : pair;
  });
  return `${scheme[1]}:${rest}${params.length ? `?${params.join("&")}` : ""}`;
}

// Whether an operator may build a project's workspace now (the server
// decides; this only offers the button): approved and within its window.
export function mayBuild(project: { state: string; phase: string }): boolean {
  return project.state === "approved" && project.phase === "active";
}
