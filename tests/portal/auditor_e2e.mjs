// The auditor's pages end to end in Debian's headless Chromium
// (playwright-core), signed in through the real LemonLDAP::NG: the audit
// log filtered by action; an entry verified in the page (every step
// passed), then its proof tampered on the way (page.route) and refused at
// the inclusion step; the current checkpoint's signature; the witness's
// cosigned checkpoint verified (its signature and the log's, consistency to
// the current one); a pasted checkpoint consistent, a forged one refused;
// the checkpoint remembered in localStorage and checked again at the next
// visit; the server's whole-log check; French; axe-core on every page, no
// CSP violation; screenshots.
// Environment: BASE_URL, SCREENSHOTS, AUDITOR (the provider's login of an
// auditor's account), WITNESS (the witness's key name), WITNESSED (the file
// of its cosigned checkpoint), ACTION and PROJECT (an action the log holds
// for that project). Prints "N passed, N failed".
import { readFileSync } from "node:fs";
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";
import { person, signInAt } from "./sso_lib.mjs";

const env = process.env;
for (const name of ["BASE_URL", "SCREENSHOTS", "AUDITOR", "WITNESS", "WITNESSED", "ACTION", "PROJECT"]) {
  if (!env[name]) throw new Error(`${name} is not set`);
}
const { BASE_URL, SCREENSHOTS, AUDITOR, WITNESS, WITNESSED, ACTION, PROJECT } = env;
const shot = screenshots(SCREENSHOTS);
const problems = [];
const kProof = /\/api\/v1\/audit\/entries\/\d+\/proof/;

async function verdictOf(panel) {
  const result = panel.locator(".verify-result");
  await result.waitFor({ timeout: 20000 });
  return {
    verdict: await result.getAttribute("data-verdict"),
    failed: await result.getAttribute("data-failed-step"),
    steps: await result.locator(".step").evaluateAll((items) =>
      items.map((li) => `${li.getAttribute("data-step")}:${li.className.replace(/.*step-/, "")}`)),
  };
}

async function logPage(page) {
  // The log, filtered by action and project.
  await page.locator("table.audit-table").waitFor({ timeout: 20000 });
  check("the log lists entries", (await page.locator("table.audit-table tbody tr[data-seq]").count()) > 0);
  await page.getByLabel("Action", { exact: true }).fill(ACTION);
  await page.getByLabel("Project", { exact: true }).fill(PROJECT);
  await page.getByRole("button", { name: "Apply the filters" }).click();
  await page.waitForFunction((action) => {
    const codes = [...document.querySelectorAll("table.audit-table tbody tr[data-seq] td:nth-of-type(3) code")];
    return codes.length > 0 && codes.every((c) => c.textContent === action);
  }, ACTION, { timeout: 15000 });
  const rows = page.locator("table.audit-table tbody tr[data-seq]");
  const n = await rows.count();
  const text = await page.textContent("table.audit-table");
  check(`the filter keeps only ${ACTION} of ${PROJECT}`, n >= 1 && text.includes(PROJECT), text.slice(0, 400));
  check("... an entry shows its account and outcome in words", /Operator|Data steward/.test(text) && text.includes("Success"));
  await accessible(page, "audit log");
  await shot(page, "auditor-log-en");

  // Verify the first: every step passes.
  const first = rows.first();
  const seq = await first.getAttribute("data-seq");
  await first.getByRole("button", { name: `Verify entry ${seq} in your browser` }).click();
  const panel = page.locator("tr.verify-row.open .verify-panel").first();
  const good = await verdictOf(panel);
  check(`entry ${seq} verifies in the page`, good.verdict === "verified" &&
    good.steps.join() === "entry:passed,inclusion:passed,signature:passed", JSON.stringify(good));
  await accessible(page, "audit log, entry verified");
  await shot(page, "auditor-verify-en");

  // The same entry with its proof tampered on the way: refused at inclusion.
  await page.route(kProof, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    const hashes = body.proof.split(",");
    hashes[0] = (hashes[0][0] === "0" ? "1" : "0") + hashes[0].slice(1);
    await route.fulfill({ response, json: { ...body, proof: hashes.join(",") } });
  });
  await first.getByRole("button", { name: `Verify entry ${seq} in your browser` }).click();
  await page.waitForFunction(() => document.querySelector("tr.verify-row.open .verify-result[data-verdict='refused']"),
    null, { timeout: 20000 });
  const bad = await verdictOf(panel);
  check("a tampered proof is refused at the inclusion step", bad.verdict === "refused" && bad.failed === "inclusion" &&
    bad.steps.join() === "entry:passed,inclusion:failed,signature:skipped", JSON.stringify(bad));
  check("... and the page says which step failed", (await panel.textContent()).includes("Inclusion in the log"));
  await shot(page, "auditor-tampered-en");
  await page.unroute(kProof);
}

async function checkpointsPage(page) {
  await page.goto(`${BASE_URL}/audit/checkpoints?lang=en`);
  await page.locator("#audit-current").waitFor({ timeout: 20000 });
  check("the current checkpoint's signature verifies in the page",
    await page.locator("[data-signed='yes']").isVisible());
  const stored = await page.evaluate(() => Object.keys(window.localStorage));
  check("localStorage holds the checkpoint and nothing else", stored.join() === "hdhub.audit.checkpoint", stored.join());

  // The witness: its signature, the log's, consistency to the current one.
  const witness = page.locator(`li[data-witness='${WITNESS}']`);
  await witness.waitFor();
  await witness.getByRole("button", { name: "Verify this witness" }).click();
  const w = await verdictOf(witness);
  check("the witness's cosigned checkpoint verifies", w.verdict === "verified" &&
    w.steps.join() === "witness:passed,older:passed,newer:passed,consistency:passed", JSON.stringify(w));

  // A pasted checkpoint (the witnessed one) is consistent; a forged one is refused.
  const cosigned = readFileSync(WITNESSED, "utf8");
  const consistency = page.locator("section[aria-labelledby='audit-consistency']");
  await page.getByRole("textbox", { name: "An older checkpoint" }).fill(cosigned);
  await page.getByRole("button", { name: "Check the pasted checkpoint" }).click();
  const pasted = await verdictOf(consistency);
  check("a pasted older checkpoint is consistent with the current one", pasted.verdict === "verified" &&
    pasted.steps.join() === "older:passed,newer:passed,consistency:passed", JSON.stringify(pasted));
  const lines = cosigned.split("\n");
  lines[2] = Buffer.alloc(32, 1).toString("base64");
  await page.getByRole("textbox", { name: "An older checkpoint" }).fill(lines.join("\n"));
  await page.getByRole("button", { name: "Check the pasted checkpoint" }).click();
  await page.waitForFunction(() =>
    document.querySelector("section[aria-labelledby='audit-consistency'] .verify-result[data-verdict='refused']"),
  null, { timeout: 20000 });
  const forged = await verdictOf(consistency);
  check("a forged older checkpoint is refused (its signature)", forged.failed === "older", JSON.stringify(forged));

  // The whole log, checked by the server.
  await page.getByRole("button", { name: "Check the whole log" }).click();
  await page.locator(".audit-whole-ok").waitFor({ timeout: 30000 });
  check("the server's whole-log check holds", (await page.textContent(".audit-whole-ok")).includes("entries checked"));
  await accessible(page, "checkpoints and witnesses");
  await shot(page, "auditor-checkpoints-en");

  // The next visit checks the remembered checkpoint by itself.
  await page.reload();
  await page.locator("#audit-check-remembered").waitFor({ timeout: 20000 });
  const again = await verdictOf(consistency);
  check("the checkpoint remembered at the last visit is consistent with the current one",
    again.verdict === "verified", JSON.stringify(again));
}

await withChromium(async (browser) => {
  const { context, page } = await person(browser, BASE_URL, problems);
  await signInAt(page, BASE_URL, "/audit?lang=en", AUDITOR);
  const main = page.getByRole("navigation", { name: "Main" });
  await main.getByRole("link", { name: "Checkpoints and witnesses" }).waitFor({ timeout: 15000 });
  const nav = await main.textContent();
  check("the auditor's navigation names the log and the checkpoints",
    nav.includes("Audit log") && nav.includes("Checkpoints and witnesses"), nav);
  await logPage(page);
  await checkpointsPage(page);

  // French.
  await page.goto(`${BASE_URL}/audit?lang=fr`);
  await page.locator("table.audit-table").waitFor({ timeout: 20000 });
  check("the log in French", await page.getByRole("heading", { name: "Journal d’audit", level: 1 }).isVisible());
  await accessible(page, "audit log, French");
  await shot(page, "auditor-log-fr");
  await page.goto(`${BASE_URL}/audit/checkpoints?lang=fr`);
  await page.locator("#audit-current").waitFor({ timeout: 20000 });
  check("the checkpoints in French", (await page.textContent("main")).includes("Témoins"));
  await accessible(page, "checkpoints, French");
  await shot(page, "auditor-checkpoints-fr");
  check("the browser reported no CSP violation or script error", problems.length === 0, problems.join("\n  "));
  await context.close();
});
