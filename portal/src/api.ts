// The public HTTP API the portal reads (docs/api/README.md): same origin,
// no credentials, JSON only.

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
