// The portal's signed-in pages end to end in Debian's headless Chromium
// (playwright-core): a visitor sent to sign in and back; a researcher's
// projects, the project's data dictionary (search), the SQL console (a
// query's rows, the history in sessionStorage only, a cancelled query),
// the connection snippets, French; two operators approving a draft project
// one after the other; signing out. axe-core on every page (no serious or
// critical violation), no CSP violation; screenshots.
//
// Signing in goes through the real provider (sso_lib.mjs).
// Environment: BASE_URL, SCREENSHOTS, PROJECT (an active project of the
// researcher, its workspace built), EXPECT_TABLE (a table of it), DRAFT (a
// draft project neither operator is a member of), RESEARCHER (the
// provider's login of the researcher's account) and OPERATORS
// ("login1,login2", of two operators), PGPORT (the server's PG wire port,
// which the connection snippets must name); REAUTH_WINDOW (optional, the
// server's reauth_window in seconds: the first operator then waits it out
// and must sign in again to approve). Prints "N passed, N failed".
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";
import { atProvider, person as newPerson, providerForm, signInAt as signInAtBase } from "./sso_lib.mjs";

const env = process.env;
for (const name of [
  "BASE_URL", "SCREENSHOTS", "PROJECT", "EXPECT_TABLE", "DRAFT", "RESEARCHER", "OPERATORS", "PGPORT",
]) {
  if (!env[name]) throw new Error(`${name} is not set`);
}
const operators = env.OPERATORS.split(",").filter(Boolean);
if (operators.length !== 2) throw new Error("OPERATORS must name two logins");
const { BASE_URL, SCREENSHOTS, PROJECT, EXPECT_TABLE, DRAFT, RESEARCHER: researcher } = env;
const reauthWindow = Number(env.REAUTH_WINDOW ?? 0);  // seconds, the server's [serve.oidc] reauth_window
const shot = screenshots(SCREENSHOTS);
const problems = [];
let browser;

// A browser context of its own for each person; signing in at the
// provider (sso_lib.mjs).
const person = () => newPerson(browser, BASE_URL, problems);
const signInAt = (page, target, login) => signInAtBase(page, BASE_URL, target, login);

await withChromium(async (b) => {
  browser = b;
  // A visitor: "Sign in" in the header; a signed-in page sends to /auth/login.
  {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "en-GB" });
    const page = await context.newPage();
    let loginTarget = "";
    page.on("request", (r) => { if (new URL(r.url()).pathname === "/auth/login") loginTarget = r.url(); });
    await page.goto(`${BASE_URL}/?lang=en`);
    const signIn = page.getByRole("banner").getByRole("link", { name: "Sign in" });
    await signIn.waitFor();
    check("a visitor sees Sign in", await signIn.isVisible());
    check("the home page offers to sign in",
      await page.getByRole("heading", { name: "Researchers and hub staff" }).isVisible());
    await accessible(page, "home, signed out");
    await page.goto(`${BASE_URL}/projects?lang=en`);
    await atProvider(page);
    check("... and on to the provider's form", await page.locator("input[name=password]").isVisible());
    const target = new URL(loginTarget || "http://x/");
    check("a visitor of a signed-in page is sent to /auth/login, to come back",
      target.pathname === "/auth/login" && target.searchParams.get("return_to") === "/projects?lang=en", loginTarget);
    await context.close();
  }

  // The researcher: her projects.
  const { context, page } = await person();
  await signInAt(page, "/projects?lang=en", researcher);
  await page.locator("table.data-table").waitFor({ timeout: 15000 });
  const list = await page.textContent("table.data-table");
  check("My projects lists the project", list.includes(PROJECT), list);
  check("... with its data", list.includes(EXPECT_TABLE));
  check("... active, with days left", list.includes("Active") && /\b\d+\b/.test(list));
  check("the header names the account", (await page.textContent(".session-slot")).length > 0);
  await accessible(page, "my projects");
  await shot(page, "researcher-projects-en");

  // The project: its data dictionary, searchable.
  await page.getByRole("link", { name: PROJECT, exact: true }).click();
  await page.locator(".dict-table").first().waitFor({ timeout: 20000 });
  const dict = await page.textContent(".dict");
  check("the dictionary lists the table", dict.includes(EXPECT_TABLE));
  check("... its columns with their types", /BEN_SEX_COD/.test(dict) && /(INTEGER|VARCHAR|BIGINT|UUID)/.test(dict));
  check("... and labels", (await page.locator(".dict-table td").allTextContents()).some((t) => t.length > 12));
  await page.getByLabel("Search the dictionary").fill("BEN_SEX");
  const visible = await page.locator(".dict-table tbody tr:visible").count();
  check("the search keeps the matching columns", visible >= 1 && visible < 5, String(visible));
  await page.getByLabel("Search the dictionary").fill("");
  await accessible(page, "data dictionary");
  await shot(page, "researcher-dictionary-en");

  // The SQL console: rows, count, history in sessionStorage only.
  await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "SQL console" }).click();
  const editor = page.getByLabel("SQL", { exact: true });
  await editor.waitFor();
  await editor.fill(`SELECT BEN_SEX_COD, count(*) AS n\nFROM ${EXPECT_TABLE}\nGROUP BY BEN_SEX_COD\nORDER BY 1`);
  check("the SQL is highlighted", (await page.locator(".sql-highlight .tok-keyword").count()) >= 4);
  await page.getByRole("button", { name: "Run" }).click();
  await page.getByRole("status").filter({ hasText: /rows in/ }).waitFor({ timeout: 30000 });
  const rows = await page.locator("table.results tbody tr").count();
  check("the query's rows are shown", rows >= 1 && rows <= 3, String(rows));
  check("the header names the columns", (await page.textContent("table.results thead")).includes("BEN_SEX_COD"));
  const stored = await page.evaluate(() => ({
    keys: Object.keys(window.sessionStorage), local: window.localStorage.length,
    history: window.sessionStorage.getItem(Object.keys(window.sessionStorage).find((k) => k.startsWith("hdhub.history.")) ?? ""),
  }));
  check("the history is in sessionStorage, nothing in localStorage",
    stored.local === 0 && (stored.history ?? "").includes("GROUP BY"), JSON.stringify(stored));
  const rowCells = await page.locator("table.results tbody td").allTextContents();
  check("no result in the history", !rowCells.some((c) => c.length > 2 && (stored.history ?? "").includes(`"${c}"`)));
  await accessible(page, "SQL console");
  await shot(page, "researcher-console-en");

  await editor.fill("SELECT count(*) FROM no_such_table");
  await page.getByRole("button", { name: "Run" }).click();
  await page.getByRole("alert").waitFor({ timeout: 20000 });
  check("an error is shown as the server words it", /no_such_table/i.test(await page.getByRole("alert").textContent()));
  await shot(page, "researcher-console-error");

  // Long enough on any machine (the server's statement timeout, 20 s in
  // portal_e2e_test.sh, ends it: the server does not stop a statement whose
  // client went away); Cancel is clicked as soon as it is enabled.
  await editor.fill("SELECT count(*) FROM range(30000000000) t(i) WHERE hash(i) % 7 = 0");
  await page.getByRole("button", { name: "Run" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("status").filter({ hasText: /Cancelled/ }).waitFor({ timeout: 10000 });
  check("Cancel stops waiting for the query", await page.getByRole("button", { name: "Run" }).isEnabled());

  // The connection snippets.
  await page.getByRole("link", { name: "Connect" }).click();
  await page.locator("pre.code").first().waitFor();
  const code = (await page.locator("pre.code").allTextContents()).join("\n");
  check("three snippets: psql, Python, R", (await page.locator("pre.code").count()) === 3);
  check("... for the project's database", code.includes(`dbname=${PROJECT}`) && code.includes(`dbname="${PROJECT}"`));
  check("... on the server's PG port", code.includes(`port=${env.PGPORT}`), env.PGPORT);
  await accessible(page, "connect");
  await shot(page, "researcher-connect-en");

  // French.
  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { name: "Se connecter depuis vos outils" }).waitFor();
  check("the project page in French", (await page.getAttribute("html", "lang")) === "fr");
  await accessible(page, "connect (fr)");
  await shot(page, "researcher-connect-fr");
  await page.getByRole("link", { name: "Dictionnaire de données" }).click();
  await page.locator(".dict-table").first().waitFor({ timeout: 20000 });
  await shot(page, "researcher-dictionary-fr");

  // A phone's width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE_URL}/projects?lang=en`);
  await page.locator("table.data-table").waitFor({ timeout: 15000 });
  await accessible(page, "my projects (narrow)");
  await shot(page, "researcher-projects-narrow");

  // Signing out ends the session here (and at the provider).
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.origin !== BASE_URL || u.pathname === "/", { timeout: 15000 });
  const after = await page.request.get(`${BASE_URL}/api/v1/session`);
  check("after signing out the session is gone", after.status() === 401, String(after.status()));
  await context.close();

  // Two operators approve the draft, one after the other.
  for (const [i, operator] of operators.entries()) {
    let op = await person();
    await signInAt(op.page, "/operator/projects?lang=en", operator);
    let row = op.page.locator("table.data-table tbody tr").filter({ hasText: DRAFT });
    await row.waitFor({ timeout: 15000 });
    check(`operator ${i + 1}: the draft shows ${2 - i} approval(s) missing`,
      (await row.textContent()).includes(`${2 - i} more approval`), await row.textContent());
    if (i === 0) {
      await accessible(op.page, "operator projects");
      await shot(op.page, "operator-projects-en");
    }
    if (i === 0 && reauthWindow > 0) {
      // The login is now older than [serve.oidc] reauth_window: the server
      // answers 401 "reauth" and the portal sends the browser to sign in
      // again with reauth=1, to come back here.
      let login = "";
      op.page.on("request", (r) => { if (new URL(r.url()).pathname === "/auth/login") login = r.url(); });
      await op.page.waitForTimeout((reauthWindow + 1) * 1000);
      await row.getByRole("button", { name: "Approve" }).click();
      await row.getByRole("button", { name: "Confirm the approval" }).click();
      await atProvider(op.page);
      const asked = new URL(login || "http://x/");
      check("an operator action after the reauth window asks to sign in again, then come back",
        asked.searchParams.get("reauth") === "1" && asked.searchParams.get("return_to") === "/operator/projects?lang=en",
        login);
      // At the provider: its "renew session" page, then the form, then
      // back on the page the action was refused on, signed in anew.
      await providerForm(op.page, operator);
      await op.page.waitForURL((u) => u.origin === BASE_URL && u.pathname === "/operator/projects", { timeout: 15000 })
        .catch(async () => {
          throw new Error(`not back from the provider: at ${op.page.url()}: ${(await op.page.textContent("body"))?.slice(0, 300)}`);
        });
      row = op.page.locator("table.data-table tbody tr").filter({ hasText: DRAFT });
      await row.waitFor({ timeout: 15000 });
      check("... back from the provider, signed in again, the refused approval not recorded",
        (await row.textContent()).includes("2 more approval"));
    }
    await row.getByRole("button", { name: "Approve" }).click();
    await row.getByRole("button", { name: "Confirm the approval" }).click();
    await op.page.waitForFunction((id) => {
      const r = [...document.querySelectorAll("table.data-table tbody tr")].find((t) => t.textContent.includes(id));
      return r && /Approved by/.test(r.textContent) && !r.querySelector(".confirm:not([hidden])");
    }, DRAFT, { timeout: 15000 });
    const after = await op.page.locator("table.data-table tbody tr").filter({ hasText: DRAFT }).textContent();
    check(`operator ${i + 1}: the approval is recorded`, (after.match(/Approved by/g) ?? []).length === i + 1, after);
    if (i === 1) {
      check("after two approvals the project is no longer a draft", !/Draft/.test(after), after);
      await shot(op.page, "operator-projects-approved");
      await op.page.goto(`${BASE_URL}/operator/users?lang=en`);
      await op.page.locator("table.data-table").waitFor({ timeout: 15000 });
      check("the users page lists the accounts and roles", /Researcher/.test(await op.page.textContent("table.data-table")));
      await accessible(op.page, "operator users");
      await shot(op.page, "operator-users-en");
    }
    await op.context.close();
  }

  check("the browser reported no CSP violation or script error", problems.length === 0, problems.join("\n  "));
});
