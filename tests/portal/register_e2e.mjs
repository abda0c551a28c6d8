// The portal as an anonymous visitor, in Debian's headless Chromium driven
// by playwright-core (no browser download): the home page, the public
// register with the project set up by portal_e2e_test.sh, its search, the
// switch to French, the empty and error states; axe-core on every page (no
// serious or critical violation), the CSP header present and no CSP
// violation reported by the browser; a screenshot of each page. Each line's
// Verify button (verifyLines): verified, and refused when tampered with.
//
// Environment: BASE_URL (https://127.0.0.1:PORT), SCREENSHOTS (a
// directory), EXPECT_REF and EXPECT_PURPOSE (of the released project),
// DRAFT_REF (of a draft, which must not show). Prints "N passed, N failed".
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";

const { BASE_URL, SCREENSHOTS, EXPECT_REF, EXPECT_PURPOSE, DRAFT_REF } = process.env;
for (const [name, value] of Object.entries({ BASE_URL, SCREENSHOTS, EXPECT_REF, EXPECT_PURPOSE, DRAFT_REF })) {
  if (!value) throw new Error(`${name} is not set`);
}
const shot = screenshots(SCREENSHOTS);

// The register's Verify buttons (docs/formats/audit-log.md §9): a release and
// an approval verified in the page with WebCrypto; then the proof, the
// checkpoint's signature and the line itself tampered in transit, each
// refused at its step.
async function verifyLines(page) {
  const panel = page.locator(".verify-panel").first();
  check("the verification panel is a polite live region", (await panel.getAttribute("aria-live")) === "polite");
  const result = page.locator(".verify-result");
  const verify = async (button, verdict) => {
    await page.getByRole("button", { name: button }).click();
    await page.locator(`.verify-result[data-verdict="${verdict}"]`).waitFor({ timeout: 15000 });
    return { step: await result.getAttribute("data-failed-step"), text: await result.textContent() };
  };
  const release = /^Verify release 1 of project p1 /;
  const approval = new RegExp(`^Verify the authorisation ${EXPECT_REF} of project p1 `);
  let r = await verify(release, "verified");
  check("a release line is verified in the browser", r.step === null, r.text);
  check("... each of the four steps passed", (await page.locator(".verify-steps .step-passed").count()) === 4, r.text);
  check("... the panel names the log key, its fingerprint and the checkpoint",
    /hdhub\/[0-9a-f]{16}, key id [0-9a-f]{8}/.test(r.text) && /([0-9a-f]{4} ){15}[0-9a-f]{4}/.test(r.text) &&
    /\d+ entries/.test(r.text), r.text);
  check("... and no account name", !/\b(rita|carl|cleo|olga|omar|stan)\b/.test(r.text), r.text);
  await accessible(page, "register (verified)");
  await page.locator(".verify-row.open").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/register-verified.png` });
  r = await verify(approval, "verified");
  check("an approval line is verified in the browser", r.text.includes("authorisation of project p1"), r.text);

  const tamper = async (what, change, step) => {
    await page.route("**/api/v1/public/register/proofs/*", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      change(body);
      await route.fulfill({ response, body: JSON.stringify(body) });
    });
    const got = await verify(release, "refused");
    check(`${what}: refused at the ${step} step`, got.step === step, JSON.stringify(got));
    await page.unroute("**/api/v1/public/register/proofs/*");
  };
  const flipHex = (h) => (h[5] === "0" ? `${h.slice(0, 5)}1` : `${h.slice(0, 5)}0`) + h.slice(6);
  await tamper("one hex digit of a proof hash flipped", (b) => { b.proof[0] = flipHex(b.proof[0]); }, "inclusion");
  await tamper("the checkpoint's signature altered", (b) => {
    b.checkpoint = b.checkpoint.replace(/ (\S+)\n$/, (m, sig) => {
      const bytes = Buffer.from(sig, "base64");
      bytes[20] ^= 0x01;
      return ` ${bytes.toString("base64")}\n`;
    });
  }, "signature");
  await accessible(page, "register (refused)");
  await page.locator(".verify-row.open").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/register-refused.png` });

  // The line itself changed in transit: its purpose no longer hashes to the entry's.
  await page.route("**/api/v1/public/register*", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    for (const p of body.items) p.purpose = `${p.purpose} (and more)`;
    await route.fulfill({ response, body: JSON.stringify(body) });
  });
  await page.reload();
  await page.locator("table.register").waitFor();
  r = await verify(approval, "refused");
  check("an altered purpose: refused at the content step", r.step === "content", r.text);
  await page.unroute("**/api/v1/public/register*");
  await page.reload();
  await page.locator("table.register").waitFor();
}

await withChromium(async (browser) => {
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
    (await page.locator("table.register tbody tr.project-row:visible").count()) === 1);
  await search.fill("");

  await verifyLines(page);

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
  const empty = page.getByRole("heading", { name: "No project yet" });
  await empty.waitFor();
  check("the empty state is a message", await empty.isVisible());
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
  const notFound = page.getByRole("heading", { name: "Page not found" });
  await notFound.waitFor();
  check("an unknown page says so", await notFound.isVisible());

  check("the browser reported no CSP violation or script error", cspViolations.length === 0,
    cspViolations.join("\n  "));
  await context.close();
});
