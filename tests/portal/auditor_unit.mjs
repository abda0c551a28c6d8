// The auditor's in-browser checks (portal/src/verify_audit.ts and verify.ts's
// consistency proof) under Node's WebCrypto: the RFC 6962 test tree's
// consistency proofs and their tampered variants, then the real hub's
// answers, written by the hdhub CLI (`audit checkpoint`, `log-key`, `show`,
// `prove`, `consistency`, `witness`, `keygen`, all --json) into a directory:
// each holds, and each tampered variant is refused at the right step.
// Usage: node auditor_unit.mjs <verify_audit.mjs> <verify.mjs> <source dir> <answers dir>
// (the two modules built by esbuild)
import { readFileSync } from "node:fs";
import { strict as assert } from "node:assert";

const [auditModule, verifyModule, source, answers] = process.argv.slice(2);
const v = { ...(await import(verifyModule)), ...(await import(auditModule)) };
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
let checks = 0;
const ok = (condition, what) => {
  assert.ok(condition, what);
  ++checks;
};
const flip = (hexText) => (hexText[0] === "0" ? "1" : "0") + hexText.slice(1);

// RFC 6962: every consistency proof joins its two roots; no tampered one does.
const tree = read(`${source}/testdata/audit/rfc6962_vectors.json`);
const holds = async (size1, size2, root1, root2, proof) => {
  try {
    await v.verifyConsistencyProof(size1, size2, v.fromHex(root1), v.fromHex(root2), proof.map(v.fromHex));
    return true;
  } catch {
    return false;
  }
};
for (const c of tree.consistency) {
  ok(await holds(c.size1, c.size2, tree.roots[c.size1], tree.roots[c.size2], c.proof), `consistency ${c.size1}->${c.size2}`);
}
ok(tree.tampered_consistency.length > 0, "tampered consistency vectors");
for (const c of tree.tampered_consistency) {
  ok(!(await holds(c.size1, c.size2, c.root1, c.root2, c.proof)), `tampered consistency refused: ${c.desc}`);
}
ok(await holds(0, 5, "00".repeat(32), tree.roots[5], []), "an empty tree is a prefix of any");
ok(!(await holds(5, 3, tree.roots[5], tree.roots[3], [])), "a smaller newer tree is refused");

// The real hub's answers.
const checkpoint = read(`${answers}/checkpoint.json`).checkpoint;
const logKey = read(`${answers}/log-key.json`).log_key;
const entries = read(`${answers}/entries.json`);
const proof = read(`${answers}/proof.json`);
const consistency = read(`${answers}/consistency.json`);
const cosigned = read(`${answers}/witnessed.json`).checkpoint;
const witnessKey = read(`${answers}/witness-key.json`).verifier_key;
const index = proof.index;
const entry = entries.find((e) => e.seq === index);
ok(entry !== undefined, `entry ${index} listed`);

const entryVerdict = (e, n, p, cp, key) => v.verifyAuditEntry(e, n, p, cp, key);
const good = await entryVerdict(entry, index, proof, checkpoint, logKey);
ok(good.ok && good.steps.every((s) => s.status === "passed"), `the hub's entry ${index} verifies: ${JSON.stringify(good)}`);
const failedAt = async (...args) => (await entryVerdict(...args)).failed;
const hashes = proof.proof.split(",");
ok(hashes.length > 0 && hashes[0] !== "", "the proof has hashes");
ok(await failedAt(entry, index, { ...proof, proof: [flip(hashes[0]), ...hashes.slice(1)].join(",") }, checkpoint, logKey)
  === "inclusion", "a flipped proof hash: inclusion");
ok(await failedAt(entry, index, { ...proof, proof: hashes.slice(1).join(",") }, checkpoint, logKey) === "inclusion",
  "a shortened proof: inclusion");
ok(await failedAt({ ...entry, actor: `${entry.actor}x` }, index, proof, checkpoint, logKey) === "entry",
  "an edited entry: entry");
ok(await failedAt(entry, index, { ...proof, leaf_hash: flip(proof.leaf_hash) }, checkpoint, logKey) === "entry",
  "another leaf hash: entry");
const other = entries.find((e) => e.seq === index + 1);
ok(await failedAt(other, index, proof, checkpoint, logKey) === "entry", "another entry under this index: entry");
const flipSignature = (note, which) => {
  const lines = note.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`\u2014 ${which} `));
  assert.ok(at >= 0, `a signature line by ${which}`);
  const [dash, name, b64] = lines[at].split(" ");
  const bytes = Buffer.from(b64, "base64");
  bytes[20] ^= 1;
  lines[at] = `${dash} ${name} ${bytes.toString("base64")}`;
  return lines.join("\n");
};
const logName = logKey.split("+")[0];
const witnessName = witnessKey.split("+")[0];
ok(await failedAt(entry, index, proof, flipSignature(checkpoint, logName), logKey) === "signature",
  "a flipped signature bit: signature");
ok(await failedAt(entry, index, proof, checkpoint, witnessKey) === "signature", "the witness's key as the log's: signature");

// Consistency from the witnessed checkpoint to the current one.
const cons = await v.verifyCheckpointConsistency(cosigned, checkpoint, logKey, consistency);
ok(cons.ok, `the hub's consistency proof holds: ${JSON.stringify(cons)}`);
const consFailed = async (older, newer, answer) =>
  (await v.verifyCheckpointConsistency(older, newer, logKey, answer)).failed;
const consHashes = consistency.proof.split(",");
ok(await consFailed(cosigned, checkpoint, { ...consistency, proof: [flip(consHashes[0]), ...consHashes.slice(1)].join(",") })
  === "consistency", "a flipped consistency hash: consistency");
ok(await consFailed(cosigned, checkpoint, { ...consistency, size1: consistency.size1 - 1 }) === "consistency",
  "a proof of other sizes: consistency");
ok(await consFailed(flipSignature(cosigned, logName), checkpoint, consistency) === "older",
  "the older checkpoint's log signature flipped: older");
ok(await consFailed(cosigned, flipSignature(checkpoint, logName), consistency) === "newer",
  "the current checkpoint's signature flipped: newer");
// A forged older checkpoint (another root) cannot carry the log's signature.
const lines = cosigned.split("\n");
lines[2] = Buffer.alloc(32, 1).toString("base64");
ok(await consFailed(lines.join("\n"), checkpoint, consistency) === "older", "another root in the older checkpoint: older");

// The witness: its signature line, then the log's, then consistency.
const wit = await v.verifyWitness(cosigned, witnessKey, checkpoint, logKey, consistency);
ok(wit.ok && wit.steps.map((s) => s.step).join() === "witness,older,newer,consistency", JSON.stringify(wit));
const witFailed = async (note, key) => (await v.verifyWitness(note, key, checkpoint, logKey, consistency)).failed;
ok(await witFailed(flipSignature(cosigned, witnessName), witnessKey) === "witness", "the witness's signature flipped: witness");
ok(await witFailed(checkpoint, witnessKey) === "witness", "a checkpoint the witness did not cosign: witness");
ok(await witFailed(flipSignature(cosigned, logName), witnessKey) === "older", "the log's signature on it flipped: older");
ok(v.checkpointSize(cosigned) === consistency.size1 && v.checkpointSize("not a note") === null, "checkpoint sizes");
console.log(`verify_audit.ts: ${checks} checks passed`);
