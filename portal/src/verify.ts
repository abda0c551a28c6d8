// Checks, in the browser and with WebCrypto only, that a line of the public
// register is the one the hub recorded in its audit log
// (docs/formats/audit-log.md §9): the line's public fields hash to the
// register entry's text_sha256, the entry is the hub's register entry of
// that line, it is in the Merkle tree (RFC 9162 §2.1.3.2) whose root the
// signed checkpoint gives, and the checkpoint is signed by the log's key
// (Ed25519, C2SP signed note). Pure: inputs in, a verdict out, naming the
// first step that failed; no DOM, no fetch. The auditor's pages reuse the
// Merkle, note and key functions and the consistency proof's check
// (RFC 9162 §2.1.4.2) here; their verdicts are in verify_audit.ts.

// content: the line's fields hash to the entry's text_sha256; entry: the
// entry is the hub's register entry of this line; inclusion: the entry's
// leaf and the proof lead to the root of the checkpoint, of the proof's
// size; signature: the checkpoint is signed by the log key.
export type StepId = "content" | "entry" | "inclusion" | "signature";
export const kSteps: readonly StepId[] = ["content", "entry", "inclusion", "signature"];

export interface Check<S extends string> {
  step: S;
  status: "passed" | "failed" | "skipped";
  detail: string;  // what was compared, in English, for the curious and for tests
}
export type StepResult = Check<StepId>;

// GET /api/v1/public/register/proofs/{n}.
export interface RegisterProof {
  index: number;
  entry: string;        // the entry's bytes as stored (UTF-8 JSON)
  size: number;         // the checkpoint's tree size
  proof: string[];      // hex hashes, lowest level first
  checkpoint: string;   // the signed note as stored
  log_key: string;      // <name>+<key id hex>+<base64(0x01 || public key)>
}

// The register line being checked: its kind, ids and the public fields the
// register shows (audit-log.md §9), as the server sent them.
export interface RegisterLine {
  project: string;
  release: number | null;  // null for a project's approval
  fields: Record<string, unknown>;
}

export interface VerifiedFacts {
  keyName: string;
  keyId: string;              // 8 hex
  keyFingerprint: string;     // hex SHA-256 of the 32-byte public key
  checkpointSize: number;
  recordedAt: string;         // the entry's time
  index: number;
}

export interface Verdict {
  ok: boolean;
  failed: StepId | null;
  steps: StepResult[];
  facts: Partial<VerifiedFacts>;
}

export class StepFailure extends Error {}

export function fail(detail: string): never {
  throw new StepFailure(detail);
}

// ---- Bytes -----------------------------------------------------------------

const encoder = new TextEncoder();

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(text)) fail(`not lower-case hex: ${text.slice(0, 16)}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; ++i) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) fail("not standard base64");
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
}

// ---- Canonical JSON (audit-log.md §1) ---------------------------------------

function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); ++i) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

// Keys sorted by byte value at every level, no whitespace, integers only,
// JSON's minimal string escaping (JSON.stringify's, as the hub's).
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) fail(`not an integer: ${value}`);
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object).sort(compareUtf8);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(",")}}`;
  }
  return fail(`not JSON: ${typeof value}`);
}

// ---- Merkle tree (audit-log.md §2, RFC 9162 §2.1.3.2) ----------------------

export async function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0]), entry));
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([1]), left, right));
}

// The root the audit path `proof` leads to from leaf `index` of a tree of
// `size` leaves; fails (StepFailure) when the path cannot be one.
export async function rootFromInclusionProof(
  index: number, size: number, leaf: Uint8Array, proof: Uint8Array[],
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    fail(`index ${index} is not inside a tree of ${size} entries`);
  }
  // Safe integers up to 2^53: BigInt keeps the shifts exact.
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) fail("the proof is longer than the tree is deep");
    if (fn % 2n === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2n === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail("the proof is shorter than the tree is deep");
  return r;
}

// Checks that the tree of `size1` leaves with root `root1` is a prefix of
// the tree of `size2` leaves with root `root2`, by the consistency proof
// `proof` (RFC 9162 §2.1.4.2); fails (StepFailure) naming what does not hold.
// Equal sizes, or an empty first tree, take an empty proof, as the hub's.
export async function verifyConsistencyProof(
  size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: Uint8Array[],
): Promise<void> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) {
    fail(`the older tree (${size1} entries) is not a prefix size of the newer (${size2})`);
  }
  if (size1 === size2 || size1 === 0) {
    if (proof.length !== 0) fail("the consistency proof must be empty for these sizes");
    if (size1 === size2 && !equalBytes(root1, root2)) fail("the two roots differ for the same size");
    return;
  }
  if (proof.length === 0) fail("the consistency proof is empty");
  // When size1 is a power of two, the old root is a node of the new tree.
  const first = BigInt(size1);
  const path = (first & (first - 1n)) === 0n ? [root1, ...proof] : proof;
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  while (fn % 2n === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) fail("the consistency proof has too many hashes");
    if (fn % 2n === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2n === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail("the consistency proof has too few hashes");
  if (!equalBytes(fr, root1)) fail(`the proof leads to ${hex(fr)}, not to the older checkpoint's root`);
  if (!equalBytes(sr, root2)) fail(`the proof leads to ${hex(sr)}, not to the newer checkpoint's root`);
}

// ---- Signed note, checkpoint, verifier key (audit-log.md §4) ---------------

export interface Note {
  text: string;  // the signed lines, each with its newline
  signatures: { name: string; keyId: string; signature: Uint8Array }[];
}

export function parseNote(note: string): Note {
  const blank = note.indexOf("\n\n");
  if (blank < 0) fail("the checkpoint has no blank line before its signatures");
  const text = note.slice(0, blank + 1);
  const lines = note.slice(blank + 2).split("\n");
  if (lines.pop() !== "") fail("the checkpoint does not end with a newline");
  const signatures = lines.map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) fail("a signature line of the checkpoint is malformed");
    const bytes = fromBase64(m[2]);
    if (bytes.length < 5) fail("a signature of the checkpoint is too short");
    return { name: m[1], keyId: hex(bytes.slice(0, 4)), signature: bytes.slice(4) };
  });
  return { text, signatures };
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split("\n");
  if (lines.length < 4) fail("the checkpoint has fewer than three lines");
  const [origin, size, root] = lines;
  if (!origin) fail("the checkpoint has no origin");
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) fail("the checkpoint's size is malformed");
  const rootBytes = fromBase64(root);
  if (rootBytes.length !== 32) fail("the checkpoint's root is not 32 bytes");
  return { origin, size: Number(size), root: rootBytes };
}

export interface VerifierKey {
  name: string;
  keyId: string;         // 8 hex, as the key says and as computed
  publicKey: Uint8Array;  // 32 bytes
}

// Parses `<name>+<key id>+<base64(0x01 || key)>` and checks the key id:
// the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key).
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) fail("the log key is malformed");
  const raw = fromBase64(m[3]);
  if (raw.length !== 33 || raw[0] !== 1) fail("the log key is not an Ed25519 key");
  const id = hex((await sha256(concat(encoder.encode(m[1]), new Uint8Array([0x0a]), raw))).slice(0, 4));
  if (id !== m[2]) fail(`the log key's id ${m[2]} is not its key's (${id})`);
  return { name: m[1], keyId: id, publicKey: raw.slice(1) };
}

// True when one signature line of `note` by `key` (name and key id) verifies.
export async function noteSignedBy(note: Note, key: VerifierKey): Promise<boolean> {
  const candidate = await crypto.subtle.importKey(
    "raw", key.publicKey as BufferSource, { name: "Ed25519" }, false, ["verify"]);
  for (const s of note.signatures) {
    if (s.name !== key.name || s.keyId !== key.keyId || s.signature.length !== 64) continue;
    const good = await crypto.subtle.verify(
      { name: "Ed25519" }, candidate, s.signature as BufferSource, encoder.encode(note.text) as BufferSource);
    if (good) return true;
  }
  return false;
}

// ---- The register line's verdict --------------------------------------------

interface Entry {
  seq?: unknown;
  time?: unknown;
  actor?: unknown;
  role?: unknown;
  action?: unknown;
  project?: unknown;
  objects?: Record<string, unknown>;
  outcome?: unknown;
  text_sha256?: unknown;
}

export const kHubActor = "hub";
export const kRegisterAction = "register.publish";

function checkEntry(entry: Entry, line: RegisterLine, index: number): string {
  const want: [string, unknown, unknown][] = [
    ["seq", entry.seq, index],
    ["actor", entry.actor, kHubActor],
    ["role", entry.role, "system"],
    ["action", entry.action, kRegisterAction],
    ["outcome", entry.outcome, "success"],
    ["project", entry.project, line.project],
    ["objects.project", entry.objects?.project, line.project],
    ["objects.release", entry.objects?.release, line.release === null ? undefined : String(line.release)],
  ];
  for (const [name, got, expected] of want) {
    if (got !== expected) fail(`the entry's ${name} is ${JSON.stringify(got)}, not ${JSON.stringify(expected)}`);
  }
  return `entry ${index}: ${kRegisterAction} by ${kHubActor} of project ${line.project}` +
    (line.release === null ? "" : `, release ${line.release}`);
}

// Every check of `line` against `proof`, in order, stopping at the first
// that fails (the later ones are "skipped").
export async function verifyRegisterLine(line: RegisterLine, proof: RegisterProof): Promise<Verdict> {
  const facts: Partial<VerifiedFacts> = { index: proof.index };
  const bytes = encoder.encode(proof.entry);
  let entry: Entry = {};
  let checkpoint: Checkpoint | null = null;
  const parseEntry = (): Entry => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(proof.entry);
    } catch {
      fail("the entry is not JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("the entry is not a JSON object");
    return parsed as Entry;
  };
  const run: Record<StepId, () => Promise<string>> = {
    content: async () => {
      entry = parseEntry();
      if (typeof entry.time === "string") facts.recordedAt = entry.time;
      const digest = hex(await sha256(encoder.encode(canonicalJson(line.fields))));
      if (digest !== entry.text_sha256) fail(`the line hashes to ${digest}, the entry holds ${String(entry.text_sha256)}`);
      return `SHA-256 of the line's fields: ${digest}`;
    },
    entry: async () => checkEntry(entry, line, proof.index),
    inclusion: async () => {
      checkpoint = parseCheckpoint(parseNote(proof.checkpoint).text);
      facts.checkpointSize = checkpoint.size;
      if (checkpoint.size !== proof.size) fail(`the checkpoint covers ${checkpoint.size} entries, the proof ${proof.size}`);
      const path = proof.proof.map(fromHex);
      if (path.some((p) => p.length !== 32)) fail("a proof hash is not 32 bytes");
      const root = await rootFromInclusionProof(proof.index, proof.size, await leafHash(bytes), path);
      if (!equalBytes(checkpoint.root, root)) fail(`the proof leads to ${hex(root)}, not to the checkpoint's root`);
      return `${path.length} hashes lead from the entry to the root of ${checkpoint.size} entries, ${hex(root)}`;
    },
    signature: async () => {
      const key = await parseVerifierKey(proof.log_key);
      facts.keyName = key.name;
      facts.keyId = key.keyId;
      facts.keyFingerprint = hex(await sha256(key.publicKey));
      if (checkpoint === null || checkpoint.origin !== key.name) fail("the checkpoint's origin is not the log key's name");
      if (!(await noteSignedBy(parseNote(proof.checkpoint), key))) fail("no signature by the log key verifies");
      return `Ed25519 signature by ${key.name} (key id ${key.keyId})`;
    },
  };
  return { ...(await runSteps(kSteps, run)), facts };
}

// Runs the checks of `order` in turn, stopping at the first that fails (the
// later ones are "skipped"); a check fails by throwing, with fail() saying why.
export async function runSteps<S extends string>(
  order: readonly S[], run: Record<S, () => Promise<string>>,
): Promise<{ ok: boolean; failed: S | null; steps: Check<S>[] }> {
  const steps: Check<S>[] = [];
  let failed: S | null = null;
  for (const step of order) {
    if (failed !== null) {
      steps.push({ step, status: "skipped", detail: "" });
      continue;
    }
    try {
      steps.push({ step, status: "passed", detail: await run[step]() });
    } catch (error) {
      failed = step;
      const detail = error instanceof StepFailure ? error.message : `${step}: ${String(error)}`;
      steps.push({ step, status: "failed", detail });
    }
  }
  return { ok: failed === null, failed, steps };
}
