// The portal as an anonymous visitor, in Debian's headless Chromium driven
// by playwright-core (no browser download): the home page, the public
// register with the project set up by portal_e2e_test.sh, its search, the
// switch to French, the empty and error states; axe-core on every page (no
// serious or critical violation), the CSP header present and no CSP
// violation reported by the browser; a screenshot of each page.
//
// Environment: BASE_URL (https://127.0.0.1:PORT), SCREENSHOTS (a
// directory), EXPECT_REF and EXPECT_PURPOSE (of the released project),
// DRAFT_REF (of a draft, which must not show). Prints "N passed, N failed".
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { BASE_URL, SCREENSHOTS, EXPECT_REF, EXPECT_PURPOSE, DRAFT_REF } = process.env;
for (const [name, value] of Object.entries({ BASE_URL, SCREENSHOTS, EXPECT_REF, EXPECT_PURPOSE, DRAFT_REF })) {
  if (!value) throw new Error(`${name} is not set`);
}
mkdirSync(SCREENSHOTS, { recursive: true });

let passed = 0;
let failed = 0;
function check(what, ok, detail = "") {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    console.log(`FAILED: ${what}${detail ? `\n  ${detail}` : ""}`);
  }
}

// axe-core evaluated through the DevTools protocol (page.evaluate), which
// the page's CSP does not govern: the page itself keeps its strict policy.
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(`axe: no serious or critical violation on ${name}`, serious.length === 0, JSON.stringify(serious));
  const minor = result.filter((v) => !serious.includes(v));
  if (minor.length) console.log(`axe (${name}, moderate or minor): ${JSON.stringify(minor)}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const profile = mkdtempSync(path.join(tmpdir(), "hdhub-portal-chromium-"));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    `--disk-cache-dir=${path.join(profile, "cache")}`,
  ],
});
try {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    locale: "en-GB",
    viewport: { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  const cspViolations = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on("pageerror", (e) => cspViolations.push(`page error: ${e.message}`));

  // Home, in English (the browser's language).
  const home = await page.goto(`${BASE_URL}/`);
  check("the home page answers 200", home?.status() === 200, String(home?.status()));
  const headers = home?.headers() ?? {};
  check("the CSP header is sent", /script-src 'self'/.test(headers["content-security-policy"] ?? ""),
    headers["content-security-policy"]);
  check("nosniff is sent", headers["x-content-type-options"] === "nosniff");
  check("frames are refused", headers["x-frame-options"] === "DENY");
  await page.getByRole("heading", { level: 1 }).waitFor();
  check("the page is in English", (await page.getAttribute("html", "lang")) === "en");
  check("the home page says what hdhub is",
    (await page.textContent("main")).includes("pseudonymised health data"));
  await accessible(page, "home (en)");
  await shot(page, "home-en");

  // The register, reached through the navigation.
  await page.getByRole("navigation").getByRole("link", { name: "Transparency register" }).click();
  await page.locator("table.register").waitFor({ timeout: 15000 });
  check("the register's URL", new URL(page.url()).pathname === "/register");
  const table = await page.textContent("table.register");
  check("the register shows the authorisation reference", table.includes(EXPECT_REF));
  check("the register shows the purpose", table.includes(EXPECT_PURPOSE));
  check("the register shows the data used", table.includes("IR_BEN_R"));
  check("a draft project is not in the register", !table.includes(DRAFT_REF));
  check("the release is linked to its audit entry", /audit entry #\d+/.test(table));
  const title = await page.locator("code.sha").first().getAttribute("title");
  check("the certificate's full SHA-256 is in its title", /[0-9a-f]{64}/.test(title ?? ""), title);
  check("no account name in the register", !/\b(rita|carl|cleo|olga|omar|stan)\b/.test(table));
  await accessible(page, "register (en)");
  await shot(page, "register-en");

  // The search box filters the table.
  const search = page.getByLabel("Search the register");
  await search.fill("no-such-project-zzz");
  check("a search that matches nothing says so", await page.getByText(/No project matches/).isVisible());
  await search.fill(EXPECT_REF);
  check("a search by reference keeps its project",
    (await page.locator("table.register tbody tr:visible").count()) === 1);
  await search.fill("");

  // French: the switch, the lang attribute, the labels; kept in the tab.
  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { name: "Registre public de transparence" }).waitFor();
  check("the page is in French", (await page.getAttribute("html", "lang")) === "fr");
  check("the columns are in French", (await page.textContent("table.register thead")).includes("Finalité"));
  check("the choice is in the URL", new URL(page.url()).searchParams.get("lang") === "fr");
  const storage = await page.evaluate(() => ({
    session: window.sessionStorage.getItem("hdhub.lang"),
    local: window.localStorage.length,
  }));
  check("the choice is kept in sessionStorage, nothing in localStorage",
    storage.session === "fr" && storage.local === 0, JSON.stringify(storage));
  await accessible(page, "register (fr)");
  await shot(page, "register-fr");
  await page.getByRole("navigation").getByRole("link", { name: "Accueil" }).click();
  await page.getByRole("heading", { level: 1 }).waitFor();
  check("the home page in French", (await page.textContent("h1")).includes("données de santé"));
  await shot(page, "home-fr");

  // A phone's width: the table folds into cards.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE_URL}/register?lang=en`);
  await page.locator("table.register").waitFor();
  await accessible(page, "register (narrow)");
  await shot(page, "register-narrow");
  await page.setViewportSize({ width: 1280, height: 860 });

  // The empty and the error states, the API's answer replaced.
  await page.route("**/api/v1/public/register*", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: '{"items":[],"next":null}' }));
  await page.goto(`${BASE_URL}/register?lang=en`);
  await page.getByRole("heading", { name: "No project yet" }).waitFor();
  check("the empty state is a message", true);
  await accessible(page, "register (empty)");
  await shot(page, "register-empty");
  await page.unroute("**/api/v1/public/register*");
  await page.route("**/api/v1/public/register*", (route) =>
    route.fulfill({ status: 503, contentType: "application/problem+json", body: "{}" }));
  await page.goto(`${BASE_URL}/register?lang=en`);
  await page.getByRole("alert").waitFor();
  check("the error state is an alert",
    (await page.getByRole("alert").textContent()).includes("could not be loaded"));
  await accessible(page, "register (error)");
  await shot(page, "register-error");

  // An unknown page.
  await page.unroute("**/api/v1/public/register*");
  await page.goto(`${BASE_URL}/no-such-page?lang=en`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  check("an unknown page says so", true);

  check("the browser reported no CSP violation or script error", cspViolations.length === 0,
    cspViolations.join("\n  "));
  await context.close();
} catch (e) {
  check("the visit ran to its end", false, String(e?.stack ?? e));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
