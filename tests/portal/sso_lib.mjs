// Signing in to the portal through the real provider, for the browser
// tests of the signed-in pages: /auth/login sends the browser to
// LemonLDAP::NG (scripts/lemonldap-start; demo users whose password is
// their login), whose form is filled, and the callback brings it back with
// hdhub's session cookie. The same steps as signed_in_e2e.mjs's, as a
// module (checker_e2e.mjs; signed_in_e2e.mjs may import it too).

// A browser context of its own for one person (cookies apart); CSP
// violations and script errors of the portal's own pages go to `problems`.
export async function person(browser, baseUrl, problems, locale = "en-GB") {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true, locale, viewport: { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  const ours = () => page.url().startsWith(baseUrl);
  page.on("console", (m) => { if (ours() && /Content Security Policy/i.test(m.text())) problems.push(m.text()); });
  page.on("pageerror", (e) => { if (ours()) problems.push(`page error: ${e.message}`); });
  return { context, page };
}

// Waits for the provider's page (the portal sent the browser there).
export async function atProvider(page) {
  await page.waitForURL((u) => u.hostname === "auth.localhost", { timeout: 15000 }).catch(async () => {
    throw new Error(`not sent to the provider: at ${page.url()}: ${(await page.textContent("body"))?.slice(0, 300)}`);
  });
}

// Fills the provider's form as `login` (password = login) and sends it,
// past LemonLDAP::NG's "Upgrade session" page when it shows one.
export async function providerForm(page, login) {
  for (let step = 0; step < 3; ++step) {
    const submit = page.locator("button[type=submit], input[type=submit]").first();
    await submit.waitFor({ timeout: 15000 });
    const password = page.locator("input[name=password]");
    if (await password.isVisible()) {
      if (await page.locator("input[name=user]").isVisible()) await page.locator("input[name=user]").fill(login);
      await password.fill(login);
      await submit.click();
      return;
    }
    await Promise.all([page.waitForNavigation({ timeout: 15000 }), submit.click()]);
  }
  throw new Error(`no password field at the provider: ${page.url()}`);
}

// Opens `target` as a visitor, signs in as `login` at the provider and
// waits to be back on `target`.
export async function signInAt(page, baseUrl, target, login) {
  const path = target.split("?")[0];
  await page.goto(`${baseUrl}${target}`);
  await atProvider(page);
  await providerForm(page, login);
  await page.waitForURL((u) => u.origin === baseUrl && u.pathname === path, { timeout: 15000 });
}
