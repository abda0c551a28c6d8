// The public HTTP API the portal reads (docs/api/README.md): same origin,
// no credentials, JSON only.

import type { RegisterProof } from "./verify";

export interface RegisterOutput {
  name: string;
  kind: string;
  format: string;
  bytes: number;
}

export interface Release {
  project: string;
  authorisation: string;
  release: number;
  released_at: string;
  outputs: RegisterOutput[];
  certificate_sha256: string;
  audit_index: number;
  register_entry: number | null;  // null: released before register entries existed
}

export interface Scope {
  tables: Record<string, string[]>;
  years?: { from: number; to: number };
  population?: {
    sex?: number[];
    birth_year?: { from: number; to: number };
    departments?: string[];
  };
}

export interface PublicProject {
  project: string;
  authorisation: string;
  purpose: string;
  scope: Scope;
  start: string;
  end: string;
  state: "approved" | "closed" | "expired";
  releases: Release[];
  register_entry: number | null;  // null: approved before register entries existed
}

interface Page<T> {
  items: T[];
  next: string | null;
}

export const kPublicRegisterPath = "/api/v1/public/register";
const kPageSize = 500;
const kMaxPages = 100;  // 50,000 projects: beyond, something is wrong

// Every project of the public register, following the pages' cursors.
export async function fetchPublicRegister(signal?: AbortSignal): Promise<PublicProject[]> {
  const out: PublicProject[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < kMaxPages; ++page) {
    const query = new URLSearchParams({ limit: String(kPageSize) });
    if (cursor !== null) query.set("cursor", cursor);
    const response = await fetch(`${kPublicRegisterPath}?${query}`, {
      headers: { Accept: "application/json" },
      credentials: "omit",
      signal,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as Page<PublicProject>;
    if (!Array.isArray(body.items)) throw new Error("unexpected answer");
    out.push(...body.items);
    cursor = body.next;
    if (cursor === null) return out;
  }
  throw new Error("too many pages");
}

// A register entry with its proof (docs/formats/audit-log.md §9), checked
// by verify.ts. Rejects with the HTTP status for an answer that is not 200.
export async function fetchRegisterProof(index: number, signal?: AbortSignal): Promise<RegisterProof> {
  const response = await fetch(`${kPublicRegisterPath}/proofs/${index}`, {
    headers: { Accept: "application/json" },
    credentials: "omit",
    signal,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as RegisterProof;
}

// ---- Signed-in API (session.ts sends the requests) -------------------------

// GET /api/v1/session: who is signed in, in which roles, and the token that
// every state change carries in X-CSRF-Token.
export interface SessionInfo {
  user: string;
  roles: string[];
  csrf_token: string;
  auth_time: string;
  expires_at: string;
  pg_port?: number;  // the PG wire's port on this host, when the server tells it
}

export interface ProjectWorkspace {
  build: number;
  state: string;
  built_by: string;
  built_at: string;
  provenance: { rows?: Record<string, number> } | null;
}

// A project as `project show --json` (server/project_json.cc).
export interface Project {
  id: string;
  authorisation: string;
  purpose: string;
  state: "draft" | "approved" | "closed" | "expired";
  phase: string;
  scope: Scope;
  scope_version: number;
  approvers: string[];
  members: string[];
  start: string;
  end: string;
  created_by: string;
  created_at: string;
  keys_destroyed: boolean;
  workspaces?: ProjectWorkspace[];
}

export interface UserLine {
  user: string;
  roles: string[];
  state: string;
  created: string;
  failed_attempts: number;
  locked_until: string | null;
}

// An RFC 9457 problem, as every error of the API is; `reauth` when the
// session must be renewed at the provider before this action.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly reauth = false,
    readonly requestId = "",
  ) {
    super(detail || title || `HTTP ${status}`);
  }
}

// The ApiError of a non-2xx answer's body (problem+json, else its status).
export function problemFrom(status: number, body: string): ApiError {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  if (parsed === null || typeof parsed !== "object") return new ApiError(status, `HTTP ${status}`, "");
  const p = parsed as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  const instance = text(p.instance);
  return new ApiError(
    typeof p.status === "number" ? p.status : status,
    text(p.title) || `HTTP ${status}`,
    text(p.detail),
    p.reauth === true,
    instance.startsWith("urn:hdhub:request:") ? instance.slice("urn:hdhub:request:".length) : "",
  );
}

// Whole days from `now` to `end` (0 once past), for "days left".
export function daysLeft(end: string, now: Date = new Date()): number | null {
  const t = new Date(end).getTime();
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.ceil((t - now.getTime()) / 86_400_000));
}
