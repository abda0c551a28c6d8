// The checker's pages end to end in Debian's headless Chromium (issue 11,
// issue 13's review screens): a checker's review queue (the submitted
// request, 0 of 2, in English and French), the request's page (its output
// and the checks' results), the approval (1 of 2), the same checker again from a second tab (refused, the
// server's words shown), the second checker's approval (2 of 2, approved);
// a researcher refused the queue, and her export requests with the
// released files. Each output's file as it would leave and the true values
// of its withheld cells, as `hdhub airlock show --evidence --json` gives
// them, for checkers only. axe-core on every page, no CSP violation;
// screenshots.
// Environment: BASE_URL, SCREENSHOTS, REQUEST (a submitted request's id),
// TITLE (its title), OUTPUT (its one output's name), CHECKERS
// ("login1,login2", the provider's logins of two checkers), RESEARCHER (the
// login of the request's author), RELEASED (the title of a released request
// of hers), EVIDENCE (the CLI's evidence of REQUEST, a file),
// WITHHELD_REQUEST (another submitted request of hers, one output with
// withheld cells) and WITHHELD_EVIDENCE (its evidence). Prints "N passed,
// N failed".
import { readFileSync } from "node:fs";
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";
import { person, signInAt } from "./sso_lib.mjs";

const env = process.env;
for (const name of ["BASE_URL", "SCREENSHOTS", "REQUEST", "TITLE", "OUTPUT", "CHECKERS", "RESEARCHER", "RELEASED",
  "EVIDENCE", "WITHHELD_REQUEST", "WITHHELD_EVIDENCE"]) {
  if (!env[name]) throw new Error(`${name} is not set`);
}
const { BASE_URL, SCREENSHOTS, REQUEST, TITLE, OUTPUT, RESEARCHER, RELEASED, WITHHELD_REQUEST } = env;
const evidence = JSON.parse(readFileSync(env.EVIDENCE, "utf8"));
const withheldEvidence = JSON.parse(readFileSync(env.WITHHELD_EVIDENCE, "utf8"));
const checkers = env.CHECKERS.split(",").filter(Boolean);
if (checkers.length !== 2) throw new Error("CHECKERS must name two logins");
const requestPage = `/checker/requests/${encodeURIComponent(REQUEST)}?lang=en`;
const shot = screenshots(SCREENSHOTS);
const problems = [];

// Chooses `decision` (its radio's label) with `comment` and sends the review.
async function review(page, decision, comment = "") {
  await page.getByRole("radio", { name: decision }).check();
  if (comment) await page.getByLabel("Comment").fill(comment);
  await page.getByRole("button", { name: "Send my review" }).click();
}

// What the page must show of `evidence`'s only output: its file's header
// and rows (a withheld value as `marker`), its size and digest, and its
// withheld cells (table, codes, status, true value).
function expected(evidence, marker) {
  const [file] = evidence.files;
  const text = Buffer.from(file.content_base64, "base64").toString("utf8");
  if (text.includes('"')) throw new Error(`${file.name}: a quoted CSV field, which this test does not parse`);
  const [header, ...rows] = text.trimEnd().split("\n").map((line) => line.split(","));
  const cells = Object.values(evidence.checks.runs).flatMap((r) => r.cells)
    .filter((c) => c.table.startsWith(`${file.name}/`) && c.status !== "published")
    .map((c) => [c.table.slice(file.name.length + 1), c.codes.length ? c.codes.join(", ") : "grand total",
      c.value.toLocaleString("en")]);
  return { file, header, rows: rows.map((r) => r.map((v, i) => (i === r.length - 1 && v === "" ? marker : v))), cells };
}

// What the page shows of `output`: the file table's header and rows, the
// file's facts, the withheld cells (table, codes, true value).
async function shown(page, output) {
  const section = page.locator(".xr-output").filter({ has: page.locator("h3", { hasText: output }) });
  const table = section.locator("table.xr-file-table");
  await table.waitFor({ timeout: 15000 });
  const texts = (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim()));
  const withheld = await section.locator("table.xr-withheld-table tbody tr").evaluateAll(texts);
  return {
    caption: await table.locator("caption").textContent(),
    header: (await table.locator("thead tr").evaluateAll(texts))[0],
    rows: await table.locator("tbody tr").evaluateAll(texts),
    facts: await section.locator(".xr-file-facts").textContent(),
    cells: withheld.map((r) => [r[0], r[1], r[4]]),
    intervals: withheld.map((r) => r[5]),
    status: withheld.map((r) => r[2]),
    text: await section.textContent(),
  };
}

await withChromium(async (browser) => {
  // The first checker: the queue, in both languages, the request, her
  // approval, then the same again from a second tab.
  let { context, page } = await person(browser, BASE_URL, problems);
  await signInAt(page, BASE_URL, "/checker?lang=en", checkers[0]);
  const row = page.locator("table.data-table tbody tr").filter({ hasText: REQUEST });
  await row.waitFor({ timeout: 15000 });
  const line = await row.textContent();
  check("the queue lists the submitted request", line.includes(TITLE) && line.includes("Submitted"), line);
  check("... with its project and author, and 0 of 2 reviews", line.includes("p1") && line.includes("0 of 2"), line);
  check("... and not the released request", !(await page.textContent("table.data-table")).includes(RELEASED));
  check("the navigation offers the review queue",
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Review queue" }).isVisible());
  await accessible(page, "checker queue");
  await shot(page, "checker-queue-en");
  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { name: "Demandes à vérifier" }).waitFor();
  await page.locator("table.data-table tbody tr").filter({ hasText: REQUEST }).waitFor({ timeout: 15000 });
  check("the queue in French", (await page.textContent("table.data-table")).includes("0 sur 2"));
  await accessible(page, "checker queue (fr)");
  await shot(page, "checker-queue-fr");
  await page.getByRole("button", { name: "English" }).click();

  // The request with withheld cells: its file as it would leave and the
  // true values, in both languages.
  await page.goto(`${BASE_URL}/checker/requests/${encodeURIComponent(WITHHELD_REQUEST)}?lang=en`);
  const want = expected(withheldEvidence, "withheld");
  let got = await shown(page, want.file.name);
  check("the file as it would leave: caption, header and rows as the CLI's evidence",
    got.caption.includes(`${want.file.name} as it would leave`) && JSON.stringify(got.header) === JSON.stringify(want.header) &&
    JSON.stringify(got.rows) === JSON.stringify(want.rows), JSON.stringify([got.caption, got.header, got.rows, want.rows]));
  check("... a withheld cell marked, never blank", got.rows.some((r) => r.at(-1) === "withheld") &&
    got.rows.every((r) => r.at(-1) !== ""), JSON.stringify(got.rows));
  check("... the published values shown", got.rows.some((r) => /^\d+$/.test(r.at(-1))), JSON.stringify(got.rows));
  check("... its size and SHA-256", got.facts.includes(`${want.file.bytes} bytes`) && got.facts.includes(want.file.sha256),
    got.facts);
  check("the withheld cells with their true values, as the CLI's evidence",
    want.cells.length > 0 && JSON.stringify(got.cells) === JSON.stringify(want.cells) &&
    got.status.every((s) => s === "Suppressed"), JSON.stringify([got.cells, want.cells, got.status]));
  check("... each with the interval the file reveals", got.intervals.every((i) => /^\d[\d,]* – \d[\d,]*$/.test(i)),
    JSON.stringify(got.intervals));
  check("... labelled as true and confidential", got.text.includes("True value (confidential)") &&
    got.text.includes("never leave the hub"));
  await accessible(page, "checker request, withheld cells");
  await shot(page, "checker-withheld-en");
  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { name: "Résultats (1)" }).waitFor({ timeout: 15000 });
  got = await shown(page, want.file.name);
  check("... in French: the marker and the true values", got.rows.some((r) => r.at(-1) === "masqué") &&
    got.text.includes("Vraie valeur (confidentielle)") && got.caption.includes("tel qu’il sortirait"), got.text);
  await accessible(page, "checker request, withheld cells (fr)");
  await shot(page, "checker-withheld-fr");
  await page.getByRole("button", { name: "English" }).click();
  await page.goto(`${BASE_URL}/checker?lang=en`);
  await page.locator("table.data-table tbody tr").filter({ hasText: REQUEST }).waitFor({ timeout: 15000 });

  await page.getByRole("link", { name: TITLE }).click();
  await page.locator(".xr-output").first().waitFor({ timeout: 15000 });
  const output = await page.textContent(".xr-output");
  check("the request's page shows its output", output.includes(OUTPUT), output);
  check("... the checks' outcome and the cells by status",
    output.includes("Passed") && /All cells\s*3/.test(output) && /Suppressed\s*0/.test(output), output);
  check("... its tables and dimensions", output.includes("grand total") && output.includes("sex"), output);
  const plain = expected(evidence, "withheld");
  const file = await shown(page, OUTPUT);
  check("... its file as it would leave, as the CLI's evidence", JSON.stringify(file.header) === JSON.stringify(plain.header) &&
    JSON.stringify(file.rows) === JSON.stringify(plain.rows) && file.facts.includes(plain.file.sha256),
  JSON.stringify([file.header, file.rows, plain.rows]));
  check("... and no cell withheld", plain.cells.length === 0 && file.cells.length === 0 &&
    file.text.includes("No cell of this output is withheld."), file.text);
  check("... 0 of 2 reviews and an empty history", (await page.textContent("#xr-progress")) === "0 of 2" &&
    (await page.textContent(".xr-history")).includes("No review"));
  await accessible(page, "checker request");
  await shot(page, "checker-request-en");
  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { name: "Résultats (1)" }).waitFor({ timeout: 15000 });
  check("the request's page in French", (await page.textContent(".xr-output")).includes("Toutes les cellules"));
  await accessible(page, "checker request (fr)");
  await shot(page, "checker-request-fr");
  await page.getByRole("button", { name: "English" }).click();
  await page.locator(".xr-fieldset").waitFor({ timeout: 15000 });
  await page.getByRole("button", { name: "Send my review" }).click();
  const missing = await page.locator(".xr-result .notice-error").textContent();
  check("a review without a decision is not sent, and says for which output", missing.includes(OUTPUT), missing);

  const second = await context.newPage();
  await second.goto(`${BASE_URL}${requestPage}`);
  await second.locator(".xr-fieldset").waitFor({ timeout: 15000 });
  await review(page, "Approve");
  await page.getByText("Your review is recorded.").waitFor({ timeout: 15000 });
  check("after the first approval: 1 of 2", (await page.textContent("#xr-progress")) === "1 of 2");
  check("... the form gives way to why not again", (await page.locator(".xr-fieldset").count()) === 0 &&
    (await page.textContent(".xr-cannot")).includes("already reviewed"));
  check("... the history names the checker's approval", /Approved/.test(await page.textContent(".xr-history")));
  await review(second, "Approve");
  const refused = second.getByRole("alert");
  await refused.waitFor({ timeout: 15000 });
  const said = await refused.textContent();
  check("the same checker twice is refused, the server's reason shown",
    said.includes("Your review was not recorded") && (await second.locator(".problem-detail").textContent()).length > 10, said);
  await accessible(second, "checker request, review refused");
  await shot(second, "checker-request-refused");
  await page.goto(`${BASE_URL}/checker?lang=en`);
  const mine = page.locator("table.data-table tbody tr").filter({ hasText: REQUEST });
  await mine.waitFor({ timeout: 15000 });
  check("the queue marks it reviewed by her, 1 of 2",
    /1 of 2/.test(await mine.textContent()) && /You reviewed it/.test(await mine.textContent()));
  await context.close();

  // The second checker approves: approved.
  ({ context, page } = await person(browser, BASE_URL, problems));
  await signInAt(page, BASE_URL, requestPage, checkers[1]);
  await page.locator(".xr-fieldset").waitFor({ timeout: 15000 });
  check("the second checker sees 1 of 2", (await page.textContent("#xr-progress")) === "1 of 2");
  await review(page, "Approve", "Counts by sex and their total: nothing to add.");
  await page.getByText("Your review is recorded.").waitFor({ timeout: 15000 });
  check("after the second approval: 2 of 2, approved", (await page.textContent("#xr-progress")) === "2 of 2" &&
    (await page.textContent(".project-facts")).includes("Approved"));
  check("... the comment in the history", (await page.textContent(".xr-history")).includes("nothing to add"));
  check("... the file as it would leave still shown after the review",
    (await page.locator("table.xr-file-table").count()) === 1);
  await accessible(page, "checker request, approved");
  await shot(page, "checker-request-approved");
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("the request's page fits a phone's width", overflow <= 0, String(overflow));
  await accessible(page, "checker request (narrow)");
  await shot(page, "checker-request-narrow");
  await context.close();

  // The researcher: no queue; her export requests and the released files.
  ({ context, page } = await person(browser, BASE_URL, problems));
  await signInAt(page, BASE_URL, "/checker?lang=en", RESEARCHER);
  await page.getByRole("alert").waitFor({ timeout: 15000 });
  check("a researcher is refused the review queue", /not for your role/.test(await page.getByRole("alert").textContent()));
  check("... and shows no request", (await page.locator("table.data-table").count()) === 0);
  const asChecker = await page.request.get(`${BASE_URL}/api/v1/export-requests?as=checker`);
  check("... nor does the API answer her as a checker", asChecker.status() === 403, String(asChecker.status()));
  await page.goto(`${BASE_URL}/checker/requests/${encodeURIComponent(WITHHELD_REQUEST)}?lang=en`);
  await page.getByRole("alert").waitFor({ timeout: 15000 });
  check("her own request's checker page is refused her, no file nor true value shown",
    (await page.locator("table.xr-file-table, table.xr-withheld-table").count()) === 0);
  const own = `${BASE_URL}/api/v1/export-requests/${encodeURIComponent(WITHHELD_REQUEST)}`;
  const withEvidence = await page.request.get(`${own}?evidence=true&as=researcher`);
  check("... the API refuses her its evidence", withEvidence.status() === 403, String(withEvidence.status()));
  const bare = await page.request.get(`${own}?as=researcher`);
  const body = bare.status() === 200 ? await bare.json() : {};
  check("... and answers her own request without files nor checks", bare.status() === 200 &&
    body.id === WITHHELD_REQUEST && !("files" in body) && !("checks" in body) && !("evidence" in body),
  `${bare.status()} ${Object.keys(body)}`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My export requests" }).click();
  const released = page.locator("table.data-table tbody tr").filter({ hasText: RELEASED }).first();
  await released.waitFor({ timeout: 15000 });
  check("her requests: the released one", /Released/.test(await released.textContent()));
  const approved = page.locator("table.data-table tbody tr").filter({ hasText: REQUEST });
  check("... and the one just approved", /Approved/.test(await approved.textContent()));
  await released.getByRole("button", { name: "Get the files" }).click();
  await released.locator("a.xr-file").first().waitFor({ timeout: 15000 });
  const files = await released.locator("a.xr-file").allTextContents();
  check("a released request's files and certificate to save",
    files.some((f) => f.endsWith(".csv")) && files.includes("Certificate bundle"), files.join(", "));
  const stored = await page.evaluate(() => window.localStorage.length);
  check("nothing in localStorage", stored === 0);
  await accessible(page, "my export requests");
  await shot(page, "researcher-exports-en");
  await context.close();

  check("the browser reported no CSP violation or script error", problems.length === 0, problems.join("\n  "));
});
