// The auditor's checks, in the browser with WebCrypto only (verify.ts's
// functions): an audit entry is in the Merkle tree whose root the signed
// checkpoint gives (docs/formats/audit-log.md §2, §4); an older checkpoint
// and the current one are both signed by the log key and the older tree is
// a prefix of the newer (RFC 9162 §2.1.4.2); a witness's cosigned checkpoint
// carries the witness's signature line and the log's, and the log has only
// grown since. Pure: answers of the API in, a verdict out naming the first
// step that failed; no DOM, no fetch.
import {
  canonicalJson, fail, fromHex, hex, leafHash, noteSignedBy, parseCheckpoint, parseNote, parseVerifierKey,
  rootFromInclusionProof, runSteps, sha256, verifyConsistencyProof, type Check, type Checkpoint,
} from "./verify";

export type EntryStep = "entry" | "inclusion" | "signature";
export const kEntrySteps: readonly EntryStep[] = ["entry", "inclusion", "signature"];
// older / newer: that checkpoint is signed by the log key; consistency: the
// proof joins their roots.
export type ConsistencyStep = "older" | "newer" | "consistency";
export const kConsistencySteps: readonly ConsistencyStep[] = ["older", "newer", "consistency"];
// witness: the witness's own signature line verifies; then as above, the
// cosigned checkpoint being the older.
export type WitnessStep = "witness" | ConsistencyStep;
export const kWitnessSteps: readonly WitnessStep[] = ["witness", ...kConsistencySteps];

export interface AuditVerdict<S extends string> {
  ok: boolean;
  failed: S | null;
  steps: Check<S>[];
}

// GET /api/v1/audit/entries/{n}/proof (as `audit prove --json`).
export interface InclusionAnswer {
  index: number;
  size: number;
  leaf_hash: string;
  root: string;
  proof: string;  // hex hashes, comma separated, lowest level first
}

// GET /api/v1/audit/consistency (as `audit consistency --json`).
export interface ConsistencyAnswer {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string;
}

function hashes(list: string): Uint8Array[] {
  const out = list === "" ? [] : list.split(",").map(fromHex);
  if (out.some((p) => p.length !== 32)) fail("a proof hash is not 32 bytes");
  return out;
}

// The checkpoint of `note` once its signature by `logKey` verifies.
export async function signedCheckpoint(note: string, logKey: string): Promise<Checkpoint> {
  const key = await parseVerifierKey(logKey);
  const parsed = parseNote(note);
  const checkpoint = parseCheckpoint(parsed.text);
  if (checkpoint.origin !== key.name) fail(`the checkpoint's origin ${checkpoint.origin} is not the log key's name`);
  if (!(await noteSignedBy(parsed, key))) fail(`no signature by the log key ${key.name} (${key.keyId}) verifies`);
  return checkpoint;
}

// Hex SHA-256 of a verifier key's public key, to compare with one read aloud.
export async function keyFingerprint(verifierKey: string): Promise<string> {
  return hex(await sha256((await parseVerifierKey(verifierKey)).publicKey));
}

// Entry `index` (the object the API listed), its proof, the checkpoint and
// the log key: the entry's canonical bytes are leaf `index`, the proof leads
// from it to the checkpoint's root, the checkpoint is signed by the log key.
export async function verifyAuditEntry(
  entry: Record<string, unknown>, index: number, proof: InclusionAnswer, checkpointNote: string, logKey: string,
): Promise<AuditVerdict<EntryStep>> {
  let leaf: Uint8Array = new Uint8Array();
  return runSteps(kEntrySteps, {
    entry: async () => {
      if (entry.seq !== index) fail(`the entry's seq is ${JSON.stringify(entry.seq)}, not ${index}`);
      leaf = await leafHash(new TextEncoder().encode(canonicalJson(entry)));
      if (proof.index !== index) fail(`the proof is of entry ${proof.index}, not ${index}`);
      if (hex(leaf) !== proof.leaf_hash) fail(`the entry hashes to ${hex(leaf)}, the server says ${proof.leaf_hash}`);
      return `entry ${index} hashes to the leaf ${hex(leaf)}`;
    },
    inclusion: async () => {
      const checkpoint = parseCheckpoint(parseNote(checkpointNote).text);
      if (checkpoint.size !== proof.size) fail(`the checkpoint covers ${checkpoint.size} entries, the proof ${proof.size}`);
      const path = hashes(proof.proof);
      const root = await rootFromInclusionProof(index, proof.size, leaf, path);
      if (hex(root) !== hex(checkpoint.root)) fail(`the proof leads to ${hex(root)}, not to the checkpoint's root`);
      return `${path.length} hashes lead from the entry to the root of ${checkpoint.size} entries, ${hex(root)}`;
    },
    signature: async () => {
      const checkpoint = await signedCheckpoint(checkpointNote, logKey);
      return `the checkpoint of ${checkpoint.size} entries is signed by ${(await parseVerifierKey(logKey)).name}`;
    },
  });
}

function consistencyRun(older: string, newer: string, logKey: string, answer: ConsistencyAnswer):
  Record<ConsistencyStep, () => Promise<string>> {
  let first: Checkpoint | null = null;
  let second: Checkpoint | null = null;
  return {
    older: async () => {
      first = await signedCheckpoint(older, logKey);
      return `the older checkpoint (${first.size} entries) is signed by the log key`;
    },
    newer: async () => {
      second = await signedCheckpoint(newer, logKey);
      return `the newer checkpoint (${second.size} entries) is signed by the log key`;
    },
    consistency: async () => {
      if (first === null || second === null) return fail("no checkpoints to compare");
      if (answer.size1 !== first.size || answer.size2 !== second.size) {
        fail(`the proof is from ${answer.size1} to ${answer.size2} entries, not from ${first.size} to ${second.size}`);
      }
      const path = hashes(answer.proof);
      await verifyConsistencyProof(first.size, second.size, first.root, second.root, path);
      return `${path.length} hashes show the ${first.size} entries are the first of the ${second.size}, unchanged`;
    },
  };
}

// An older signed checkpoint and the current one, with the server's
// consistency proof between their sizes. Only the checkpoints' roots count:
// the answer's root1 and root2 are not trusted.
export async function verifyCheckpointConsistency(
  older: string, newer: string, logKey: string, answer: ConsistencyAnswer,
): Promise<AuditVerdict<ConsistencyStep>> {
  return runSteps(kConsistencySteps, consistencyRun(older, newer, logKey, answer));
}

// A witness's cosigned checkpoint: signed by the witness's key and by the
// log's, and consistent with the current checkpoint.
export async function verifyWitness(
  cosigned: string, witnessKey: string, current: string, logKey: string, answer: ConsistencyAnswer,
): Promise<AuditVerdict<WitnessStep>> {
  const rest = consistencyRun(cosigned, current, logKey, answer);
  return runSteps(kWitnessSteps, {
    ...rest,
    witness: async () => {
      const key = await parseVerifierKey(witnessKey);
      if (!(await noteSignedBy(parseNote(cosigned), key))) fail(`no signature by the witness key ${key.name} verifies`);
      return `the checkpoint is cosigned by the witness ${key.name} (key id ${key.keyId})`;
    },
  });
}

// The size a checkpoint note covers, or null when it is not one.
export function checkpointSize(note: string): number | null {
  try {
    return parseCheckpoint(parseNote(note).text).size;
  } catch {
    return null;
  }
}
