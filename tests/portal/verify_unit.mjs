// The portal's in-browser verifier (portal/src/verify.ts) under Node's
// WebCrypto, against the repository's known answers: the RFC 6962 test tree
// (inclusion proofs and their tampered variants), Go's signed-note example
// (signature and key id), and a register line's verdict with each step
// tampered in turn. Usage: node verify_unit.mjs <verify.mjs built by esbuild> <source dir>
import { readFileSync } from "node:fs";
import { strict as assert } from "node:assert";
import { createPrivateKey, sign, createHash } from "node:crypto";

const [verifyModule, source] = process.argv.slice(2);
const v = await import(verifyModule);
const load = (name) => JSON.parse(readFileSync(`${source}/testdata/audit/${name}`, "utf8"));
let checks = 0;
const ok = (condition, what) => {
  assert.ok(condition, what);
  ++checks;
};

// RFC 6962: every inclusion proof leads to its root; each tampered one does not.
const tree = load("rfc6962_vectors.json");
for (const c of tree.inclusion) {
  const leaf = v.fromHex(tree.leaf_hashes[c.index]);
  const root = await v.rootFromInclusionProof(c.index, c.size, leaf, c.proof.map(v.fromHex));
  ok(v.hex(root) === tree.roots[c.size], `inclusion of ${c.index} in ${c.size}`);
}
for (const c of tree.tampered_inclusion) {
  let held = false;
  try {
    const root = await v.rootFromInclusionProof(c.index, c.size, v.fromHex(c.leaf_hash), c.proof.map(v.fromHex));
    held = v.hex(root) === c.root;
  } catch {
    held = false;
  }
  ok(!held, `tampered inclusion refused: ${c.desc}`);
}
for (let i = 0; i < tree.leaves.length; ++i) {
  ok(v.hex(await v.leafHash(v.fromHex(tree.leaves[i]))) === tree.leaf_hashes[i], `leaf hash ${i}`);
}

// Go's signed note: the key id is checked, the signature verifies, a changed text does not.
const note = load("signed_note_vectors.json");
const key = await v.parseVerifierKey(note.verifier_key);
ok(key.keyId === "c74f20a3", "key id of the example");
ok(await v.noteSignedBy(v.parseNote(note.signed_note), key), "the example note verifies");
ok(!(await v.noteSignedBy(v.parseNote(note.signed_note.replace("answer", "Answer")), key)), "an edited note does not");
await assert.rejects(v.parseVerifierKey(note.verifier_key.replace("c74f20a3", "c74f20a4")), /id/);
++checks;

// Canonical JSON as audit-log.md §1: sorted keys at every level, no spaces.
ok(v.canonicalJson({ b: 1, a: [{ d: "é\n", c: null }], "": true }) === '{"":true,"a":[{"c":null,"d":"é\\n"}],"b":1}',
  "canonical JSON");

// A register line proved by a one-entry log signed here, then each step tampered.
const seed = Buffer.alloc(32, 7);
const privateKey = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8",
});
const publicKey = Buffer.from(
  (await crypto.subtle.exportKey("raw", await crypto.subtle.importKey("jwk",
    { ...privateKey.export({ format: "jwk" }), d: undefined }, { name: "Ed25519" }, true, ["verify"])))).toString("base64");
const name = "hdhub/0123456789abcdef";
const raw = Buffer.concat([Buffer.from([1]), Buffer.from(publicKey, "base64")]);
const keyId = createHash("sha256").update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a]), raw])).digest().subarray(0, 4);
const line = { project: "p1", release: 1, fields: { project: "p1", release: 1, outputs: [{ name: "by-sex", bytes: 12 }] } };
const textSha = createHash("sha256").update(v.canonicalJson(line.fields)).digest("hex");
const entries = [
  `{"action":"query.run","actor":"alice","details":{},"objects":{},"outcome":"success","role":"researcher","seq":0,"time":"2026-12-05T10:00:00.000000Z","v":1}`,
  `{"action":"register.publish","actor":"hub","details":{},"objects":{"project":"p1","release":"1"},"outcome":"success","project":"p1","role":"system","seq":1,"text_sha256":"${textSha}","time":"2026-12-05T10:00:01.000000Z","v":1}`,
];
const leaves = await Promise.all(entries.map((e) => v.leafHash(new TextEncoder().encode(e))));
const rootHash = createHash("sha256").update(Buffer.concat([Buffer.from([1]), leaves[0], leaves[1]])).digest();
const text = `${name}\n2\n${rootHash.toString("base64")}\n`;
const signature = sign(null, Buffer.from(text), privateKey);
const proof = {
  index: 1, entry: entries[1], size: 2, proof: [v.hex(leaves[0])],
  checkpoint: `${text}\n\u2014 ${name} ${Buffer.concat([keyId, signature]).toString("base64")}\n`,
  log_key: `${name}+${keyId.toString("hex")}+${raw.toString("base64")}`,
};
const good = await v.verifyRegisterLine(line, proof);
ok(good.ok && good.failed === null && good.steps.every((s) => s.status === "passed"), JSON.stringify(good));
ok(good.facts.checkpointSize === 2 && good.facts.keyId === keyId.toString("hex"), "facts");
const refused = async (changedLine, changedProof) => (await v.verifyRegisterLine(changedLine, changedProof)).failed;
const flip = (h) => (h[0] === "0" ? "1" : "0") + h.slice(1);
ok(await refused({ ...line, fields: { ...line.fields, release: 2 } }, proof) === "content", "an edited line: content");
ok(await refused({ ...line, release: 2 }, proof) === "entry", "another release's entry: entry");
ok(await refused(line, { ...proof, proof: [flip(proof.proof[0])] }) === "inclusion", "a flipped proof hash: inclusion");
ok(await refused(line, { ...proof, index: 0 }) === "entry", "another index: entry");
const badSignature = proof.checkpoint.replace(/ (\S+)\n$/, (m, b64) => {
  const bytes = Buffer.from(b64, "base64");
  bytes[10] ^= 1;
  return ` ${bytes.toString("base64")}\n`;
});
ok(await refused(line, { ...proof, checkpoint: badSignature }) === "signature", "a flipped signature bit: signature");
ok(await refused(line, { ...proof, checkpoint: proof.checkpoint.replace("\n2\n", "\n3\n"), size: 3 }) === "inclusion",
  "a checkpoint of another size: inclusion");
const otherKey = proof.log_key.replace(/\+[^+]+$/, "+" + Buffer.concat([Buffer.from([1]), Buffer.alloc(32, 9)]).toString("base64"));
ok(await refused(line, { ...proof, log_key: otherKey }) === "signature", "another key (id no longer matches): signature");
console.log(`verify.ts: ${checks} checks passed`);
