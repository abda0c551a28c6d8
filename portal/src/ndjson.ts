// The streamed answer of a project query (docs/api/README.md, "Query
// results"): per statement a header line {"statement", "of", "columns"},
// then one JSON array per row; an error after the stream began is a line
// {"error": {...}} and the connection is cut. Pure logic, no DOM: the SQL
// console feeds it the text as it arrives and draws from what it holds.
// Only the first `maxRows` rows of each statement are kept; the others are
// counted.

export interface ColumnInfo {
  name: string;
  type: string;
}

export interface StatementResult {
  statement: number;
  of: number;
  columns: ColumnInfo[];
  rows: unknown[][];
  rowCount: number;
}

export interface StreamError {
  status: number;
  title: string;
  detail: string;
}

export class QueryStreamParser {
  readonly results: StatementResult[] = [];
  error: StreamError | null = null;
  private pending = "";

  constructor(private readonly maxRows: number) {}

  // A piece of the body, cut anywhere (even inside a line).
  push(text: string): void {
    this.pending += text;
    let newline = this.pending.indexOf("\n");
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== "") this.line(line);
      newline = this.pending.indexOf("\n");
    }
  }

  // The body ended: true when it ended after a whole line (the server ends
  // every line with "\n"), false when it was cut inside one (that piece is
  // dropped: it may be any part of a row).
  end(): boolean {
    const whole = this.pending.trim() === "";
    this.pending = "";
    return whole;
  }

  get rowCount(): number {
    return this.results.reduce((n, r) => n + r.rowCount, 0);
  }

  private line(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error("the server's answer is not NDJSON");
    }
    if (Array.isArray(value)) {
      const current = this.results[this.results.length - 1];
      if (!current) throw new Error("a row came before its statement's header");
      if (current.rows.length < this.maxRows) current.rows.push(value);
      ++current.rowCount;
      return;
    }
    if (value === null || typeof value !== "object") throw new Error("unexpected line in the answer");
    const o = value as Record<string, unknown>;
    if (o.error && typeof o.error === "object") {
      const e = o.error as Record<string, unknown>;
      this.error = {
        status: typeof e.status === "number" ? e.status : 500,
        title: typeof e.title === "string" ? e.title : "",
        detail: typeof e.detail === "string" ? e.detail : "",
      };
      return;
    }
    if (typeof o.statement === "number" && Array.isArray(o.columns)) {
      const columns = (o.columns as unknown[]).map((c) => {
        const col = (c ?? {}) as Record<string, unknown>;
        return { name: String(col.name ?? ""), type: String(col.type ?? "") };
      });
      this.results.push({
        statement: o.statement,
        of: typeof o.of === "number" ? o.of : o.statement,
        columns,
        rows: [],
        rowCount: 0,
      });
      return;
    }
    throw new Error("unexpected line in the answer");
  }
}

// Reads a fetch Response's body into `parser`, calling `progress` after
// each piece. Resolves true when the body ended whole; a cut connection
// (the server's way to end a failed stream) rejects, as does an abort.
export async function readQueryStream(
  body: ReadableStream<Uint8Array>,
  parser: QueryStreamParser,
  progress: () => void,
): Promise<boolean> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.push(decoder.decode(value, { stream: true }));
    progress();
  }
  parser.push(decoder.decode());
  return parser.end();
}

// A cell as the console shows it: NULL apart, objects as JSON, the rest as text.
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
