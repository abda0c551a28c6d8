// The operator's catalog, host and workspace build pages end to end in
// Debian's headless Chromium (issue 11): an operator signed in through the
// provider sees the datasets (in English and French) and a dataset's page
// with its version's ingest report and who ingested it; the host registry
// with the hub's host and another's qualifications (in force, expired), and
// today's sovereignty decision on each with its evidence;
// each project's builds, then builds an approved project's workspace: from
// a page left open past the reauth window she is sent to sign in again
// (nothing built), then, signed in again, the build is made. A researcher gets a readable
// refusal on each page and a 403 from the API behind it. axe-core on every
// page, no CSP violation; screenshots.
// Environment: BASE_URL, SCREENSHOTS, OPERATOR (the provider's login of an
// operator), RESEARCHER (of a researcher), DATASET (a dataset of the
// catalog), INGESTED_BY (the account that ingested its version 1), BUILT (a
// project with a built workspace), TO_BUILD (an approved active project
// without one), SECOND_HOST (a host declared with a qualification in force
// and one expired); REAUTH_WINDOW (optional, seconds). Prints "N passed, N failed".
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";
import { atProvider, person, providerForm, signInAt } from "./sso_lib.mjs";

const env = process.env;
for (const name of [
  "BASE_URL", "SCREENSHOTS", "OPERATOR", "RESEARCHER", "DATASET", "INGESTED_BY", "BUILT", "TO_BUILD", "SECOND_HOST",
]) {
  if (!env[name]) throw new Error(`${name} is not set`);
}
const { BASE_URL, SCREENSHOTS, OPERATOR, RESEARCHER, DATASET, INGESTED_BY, BUILT, TO_BUILD, SECOND_HOST } = env;
const reauthWindow = Number(env.REAUTH_WINDOW ?? 0);
const shot = screenshots(SCREENSHOTS);
const problems = [];

const rowOf = (page, text) => page.locator("table.data-table tbody tr").filter({ hasText: text });

await withChromium(async (browser) => {
  let { context, page } = await person(browser, BASE_URL, problems);
  await signInAt(page, BASE_URL, "/operator/datasets?lang=en", OPERATOR);

  // The datasets, in English then French.
  let row = rowOf(page, DATASET);
  await row.waitFor({ timeout: 15000 });
  const line = await row.textContent();
  check("the datasets list the dataset with its current version and kind",
    line.includes("Version 1") && line.includes("Extract"), line);
  check("... its rows and its encrypted size", /\d/.test(await row.locator("td").nth(3).textContent())
    && /\d+(\.\d)? (B|kB|MB)/.test(await row.locator("td").nth(4).textContent()), line);
  check("the navigation offers the datasets, builds and hosts",
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).isVisible());
  await accessible(page, "operator datasets (en)");
  await shot(page, "operator-datasets-en");
  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { level: 1, name: "Jeux de données" }).waitFor({ timeout: 15000 });
  row = rowOf(page, DATASET);
  await row.waitFor({ timeout: 15000 });
  check("... in French", (await row.textContent()).includes("Extraction"), await row.textContent());
  await accessible(page, "operator datasets (fr)");
  await shot(page, "operator-datasets-fr");
  await page.getByRole("button", { name: "English" }).click();

  // A dataset's page: its version and what the ingest found.
  await rowOf(page, DATASET).getByRole("link", { name: DATASET }).click();
  await page.waitForURL((u) => u.pathname === `/operator/datasets/${DATASET}`, { timeout: 15000 });
  const card = page.locator("section.ops-version").filter({ hasText: "Version 1" });
  await card.waitFor({ timeout: 15000 });
  const text = await card.textContent();
  check("a dataset's version shows its ingest report",
    text.includes("Ingest report") && text.includes("Rows read") && text.includes("Rows stored")
      && text.includes("Rows rejected") && text.includes("Checks"), text);
  check("... in force, and who ingested it", text.includes("In force") && text.includes(`By${INGESTED_BY}`), text);
  check("... no check failed on a clean extract", text.includes("Every value matched"), text);
  await accessible(page, "a dataset's page");
  await shot(page, "operator-dataset-en");

  // The hosts: the hub's own, with today's decision and its evidence.
  await page.goto(`${BASE_URL}/operator/hosts?lang=en`);
  const second = page.locator("section.ops-host").filter({ hasText: SECOND_HOST });
  await second.waitFor({ timeout: 15000 });
  const secondText = await second.textContent();
  check("a declared host's qualifications with their validity, in force or expired",
    secondText.includes("In force") && secondText.includes("Expired") && secondText.includes("Valid"), secondText);
  check("... refused today, its expired qualification the evidence", /Refused/.test(secondText)
    && (await second.locator(".ops-criteria li").filter({ hasText: "Not met" }).count()) > 0, secondText);
  const host = page.locator("section.ops-host").filter({ hasText: "This hub’s host" });
  await host.waitFor({ timeout: 15000 });
  const hostText = await host.textContent();
  check("the hosts show the hub's host, its address and jurisdiction",
    hostText.includes("Address") && hostText.includes("Jurisdiction") && hostText.includes("Operated by"), hostText);
  check("... and today's sovereignty decision with each criterion's evidence",
    /Sovereignty decision of .*(Allowed|Refused)/.test(hostText)
      && (await host.locator(".ops-criteria li").count()) > 0, hostText);
  check("... no secret in an address", !/@|secret_access_key=[^…&]/.test(await host.locator("dd code").first().textContent()));
  await accessible(page, "operator hosts");
  await shot(page, "operator-hosts-en");

  // The builds: each project's, and a build asked from a page left open past
  // the reauth window: back to the provider, nothing built.
  await page.goto(`${BASE_URL}/operator/builds?lang=en`);
  await rowOf(page, BUILT).waitFor({ timeout: 15000 });
  const built = await rowOf(page, BUILT).textContent();
  check("the builds list a project's build, its state and the version of its data",
    /Build #1/.test(built) && built.includes("Ready") && built.includes(`${DATASET} version 1`), built);
  const toBuild = rowOf(page, TO_BUILD);
  check("an approved project without a workspace offers the build",
    (await toBuild.textContent()).includes("No build yet")
      && await toBuild.getByRole("button", { name: "Build workspace" }).isVisible(), await toBuild.textContent());
  await accessible(page, "operator builds");
  if (reauthWindow > 0) {
    let login = "";
    page.on("request", (r) => { if (new URL(r.url()).pathname === "/auth/login") login = r.url(); });
    await page.waitForTimeout((reauthWindow + 1) * 1000);
    await toBuild.getByRole("button", { name: "Build workspace" }).click();
    await toBuild.getByRole("button", { name: "Confirm the build" }).click();
    await atProvider(page);
    const asked = new URL(login || "http://x/");
    check("a build after the reauth window asks to sign in again",
      asked.searchParams.get("reauth") === "1" && asked.searchParams.get("return_to") === "/operator/builds?lang=en", login);
    // At the provider: its "renew session" page, the form, and back.
    await providerForm(page, OPERATOR);
    await page.waitForURL((u) => u.origin === BASE_URL && u.pathname === "/operator/builds", { timeout: 15000 })
      .catch(async () => {
        throw new Error(`not back from the provider: at ${page.url()}: ${(await page.textContent("body"))?.slice(0, 300)}`);
      });
    await rowOf(page, TO_BUILD).waitFor({ timeout: 15000 });
    check("... signed in again, nothing was built", (await rowOf(page, TO_BUILD).textContent()).includes("No build yet"));
  }
  await rowOf(page, TO_BUILD).getByRole("button", { name: "Build workspace" }).click();
  await rowOf(page, TO_BUILD).getByRole("button", { name: "Confirm the build" }).click();
  await page.waitForFunction((id) => {
    const r = [...document.querySelectorAll("table.data-table tbody tr")].find((t) => t.textContent.includes(id));
    return r && /Build #1/.test(r.textContent);
  }, TO_BUILD, { timeout: 60000 }).catch(() => {});
  const after = await rowOf(page, TO_BUILD).textContent();
  check("the build is made and listed, ready, with its data's version",
    /Build #1/.test(after) && after.includes("Ready") && after.includes(`${DATASET} version`), after);
  check("... and now offers a rebuild", await rowOf(page, TO_BUILD).getByRole("button", { name: "Rebuild workspace" }).isVisible());
  await accessible(page, "operator builds, after a build");
  await shot(page, "operator-builds-en");
  await context.close();

  // A researcher: a readable refusal on each page, a 403 behind it.
  ({ context, page } = await person(browser, BASE_URL, problems));
  await signInAt(page, BASE_URL, "/operator/datasets?lang=en", RESEARCHER);
  for (const path of ["/operator/datasets", `/operator/datasets/${DATASET}`, "/operator/hosts", "/operator/builds"]) {
    await page.goto(`${BASE_URL}${path}?lang=en`);
    const refusal = page.getByRole("alert").filter({ hasText: "This page is not for your role" });
    await refusal.waitFor({ timeout: 15000 }).catch(() => {});
    check(`a researcher is refused ${path}, readably`, await refusal.isVisible(), await page.textContent("main"));
    check(`... and sees none of its data`, !(await page.textContent("main")).includes("Ingest report")
      && (await page.locator("table.data-table, section.ops-host").count()) === 0);
  }
  await accessible(page, "a researcher refused an operator page");
  for (const api of ["/api/v1/catalog?as=researcher", `/api/v1/catalog/${DATASET}?as=researcher`,
    "/api/v1/hosts?as=researcher"]) {
    const r = await page.request.get(`${BASE_URL}${api}`);
    check(`the API refuses a researcher ${api}`, r.status() === 403, `${r.status()} ${(await r.text()).slice(0, 200)}`);
  }
  await context.close();

  check("the browser reported no CSP violation or script error", problems.length === 0, problems.join("\n  "));
});
