// The checker's pages end to end in Debian's headless Chromium (issue 11,
// issue 13's review screens): a checker's review queue (the submitted
// request, 0 of 2, in English and French), the request's page (its output
// and the checks' results), the approval (1 of 2), the same checker again from a second tab (refused, the
// server's words shown), the second checker's approval (2 of 2, approved);
// a researcher refused the queue, and her export requests with the
// released files. axe-core on every page, no CSP violation; screenshots.
// Environment: BASE_URL, SCREENSHOTS, REQUEST (a submitted request's id),
// TITLE (its title), OUTPUT (its one output's name), CHECKERS
// ("login1,login2", the provider's logins of two checkers), RESEARCHER (the
// login of the request's author), RELEASED (the title of a released request
// of hers). Prints "N passed, N failed".
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";
import { person, signInAt } from "./sso_lib.mjs";

const env = process.env;
for (const name of ["BASE_URL", "SCREENSHOTS", "REQUEST", "TITLE", "OUTPUT", "CHECKERS", "RESEARCHER", "RELEASED"]) {
  if (!env[name]) throw new Error(`${name} is not set`);
}
const { BASE_URL, SCREENSHOTS, REQUEST, TITLE, OUTPUT, RESEARCHER, RELEASED } = env;
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

  await page.getByRole("link", { name: TITLE }).click();
  await page.locator(".xr-output").first().waitFor({ timeout: 15000 });
  const output = await page.textContent(".xr-output");
  check("the request's page shows its output", output.includes(OUTPUT), output);
  check("... the checks' outcome and the cells by status",
    output.includes("Passed") && /All cells\s*3/.test(output) && /Suppressed\s*0/.test(output), output);
  check("... its tables and dimensions", output.includes("grand total") && output.includes("sex"), output);
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
