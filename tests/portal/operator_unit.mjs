// The pure logic of the operator's catalog, build and host pages
// (portal/src/operator_logic.ts): versions grouped by dataset with the one
// in force, who ingested which version, a qualification's state on a day,
// a host's address without secrets, when a build is offered.
// Usage: node operator_unit.mjs <operator_logic.mjs built by esbuild>
import { strict as assert } from "node:assert";

const [logicModule] = process.argv.slice(2);
const l = await import(logicModule);
let checks = 0;
const eq = (actual, expected, what) => {
  assert.deepEqual(actual, expected, what);
  ++checks;
};

const v = (dataset, version, state, extra = {}) => ({
  dataset, version, state, rows: 1, created: "", committed_at: null, source_sha256: "", reference: false, objects: 1,
  ...extra,
});
const catalog = l.summariseCatalog([
  v("IR_BEN_R", 1, "committed"), v("ER_PRS_F", 1, "committed"), v("IR_BEN_R", 3, "shredded",
    { withdrawn: { at: "", by: "olga", reason: "mistake" } }), v("IR_BEN_R", 2, "committed"),
]);
eq(catalog.map((d) => d.name), ["ER_PRS_F", "IR_BEN_R"], "datasets by name");
eq(catalog[1].versions.map((x) => x.version), [3, 2, 1], "versions newest first");
eq(catalog[1].current.version, 2, "the withdrawn version is not in force: the newest committed one is");
eq(catalog[1].versions.map((x) => l.versionStanding(x, catalog[1].current)), ["withdrawn", "current", "earlier"],
  "each version's standing");
eq(l.summariseCatalog([v("A", 1, "shredded")])[0].current, undefined, "no version in force");
eq(l.versionStanding(v("A", 4, "pending"), undefined), "pending", "a version not committed");

const who = l.ingestedBy([
  { action: "ingest.run", outcome: "denied", actor: "rita", time: "t0", objects: { dataset: "A", version: "1" } },
  { action: "ingest.run", outcome: "success", actor: "olga", time: "t1", objects: { dataset: "A", version: "1" } },
  { action: "ingest.run", outcome: "success", actor: "omar", time: "t2", objects: { dataset: "A", version: "1" } },
  { action: "ingest.run", outcome: "failure", actor: "omar", time: "t3", objects: { dataset: "A" } },
  { action: "catalog.read", outcome: "success", actor: "stan", time: "t4", objects: { dataset: "A", version: "2" } },
]);
eq(who.get("A#1"), { actor: "olga", time: "t1" }, "the first successful ingest of a version names who");
eq(who.size, 1, "refused, failed and other entries name nobody");

const q = { valid_from: "2026-01-01", valid_until: "2026-12-31" };
eq(l.qualificationState(q, "2026-06-01"), "in-force", "within its validity");
eq(l.qualificationState(q, "2026-12-31"), "in-force", "on its last day");
eq(l.qualificationState(q, "2027-01-01"), "expired", "the day after");
eq(l.qualificationState(q, "2025-12-31"), "not-yet", "the day before");

eq(l.displayUri("file:/var/lib/hdhub/objects"), "file:/var/lib/hdhub/objects", "a local path as it is");
eq(l.displayUri("s3://ak:sk@s3.example.fr/bucket?region=fr&secret_access_key=x&X-Amz-Signature=y"),
  "s3://s3.example.fr/bucket?region=fr&secret_access_key=…&X-Amz-Signature=…", "no user, password or secret parameter");
eq(l.displayUri("memory:"), "memory:", "memory");

eq(l.mayBuild({ state: "approved", phase: "active" }), true, "an approved project within its window");
eq(l.mayBuild({ state: "approved", phase: "approved (not started)" }), false, "not before its start");
eq(l.mayBuild({ state: "draft", phase: "draft" }), false, "not a draft");
eq(l.mayBuild({ state: "closed", phase: "closed" }), false, "not a closed project");
console.log(`operator_logic: ${checks} checks passed`);
