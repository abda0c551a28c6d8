// What the portal's browser tests share: the pass/fail tally, axe-core on a
// page (no serious or critical violation), screenshots, and Debian's
// headless Chromium started without a download, its profile in a
// temporary directory.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const tally = { passed: 0, failed: 0 };

export function check(what, ok, detail = "") {
  if (ok) {
    ++tally.passed;
  } else {
    ++tally.failed;
    console.log(`FAILED: ${what}${detail ? `\n  ${detail}` : ""}`);
  }
}

// axe-core evaluated through the DevTools protocol (page.evaluate), which
// the page's CSP does not govern: the page itself keeps its strict policy.
export async function accessible(page, name) {
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

export function screenshots(dir) {
  mkdirSync(dir, { recursive: true });
  return (page, name) => page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// Runs `visit(browser)` in a fresh headless Chromium, then prints the tally
// and exits 0 only when nothing failed.
export async function withChromium(visit) {
  const profile = mkdtempSync(path.join(tmpdir(), "hdhub-portal-chromium-"));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
      `--disk-cache-dir=${path.join(profile, "cache")}`],
  });
  try {
    await visit(browser);
  } catch (e) {
    check("the visit ran to its end", false, String(e?.stack ?? e));
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 ? 0 : 1);
}
