// A request's file outputs on the checker's page, end to end in Debian's
// headless Chromium (issue 13): a figure (PNG) shown as an image naming the
// table it draws, a custom text shown as text, a custom PDF offered as a
// download named <request>.<output>.pdf, each custom file with its author's
// explanation, none with withheld cells; the figure and the custom files
// flagged as needing the checkers' reasons, and a review approving them
// without one not sent. Everything compared with `hdhub airlock show
// --evidence --json`, in English and French; axe-core, no CSP violation;
// screenshots checker-files-en and checker-files-fr.
// Environment: BASE_URL, SCREENSHOTS, REQUEST (a submitted request with a
// table output, a figure of it, a custom txt and a custom pdf), CHECKER
// (the provider's login of a checker), EVIDENCE (the CLI's evidence of
// REQUEST, a file). Prints "N passed, N failed".
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { accessible, check, screenshots, withChromium } from "./e2e_lib.mjs";
import { person, signInAt } from "./sso_lib.mjs";

const env = process.env;
for (const name of ["BASE_URL", "SCREENSHOTS", "REQUEST", "CHECKER", "EVIDENCE"]) {
  if (!env[name]) throw new Error(`${name} is not set`);
}
const { BASE_URL, REQUEST, CHECKER } = env;
const evidence = JSON.parse(readFileSync(env.EVIDENCE, "utf8"));
const shot = screenshots(env.SCREENSHOTS);
const problems = [];

// The evidence's file output of `format` and its file.
function fileOutput(kind, format) {
  const output = evidence.outputs.find((o) => o.kind === kind && o.format === format);
  if (!output) throw new Error(`the evidence has no ${kind} ${format} output`);
  const file = evidence.files.find((f) => f.name === output.name);
  if (!file) throw new Error(`the evidence has no file for ${output.name}`);
  return { output, file, bytes: Buffer.from(file.content_base64, "base64") };
}
const figure = fileOutput("figure", "png");
const text = fileOutput("custom", "txt");
const pdf = fileOutput("custom", "pdf");
const textLines = text.bytes.toString("utf8").replace(/\n$/, "");

const sectionOf = (page, name) => page.locator(".xr-output").filter({ has: page.locator("h3 code", { hasText: new RegExp(`^${name}$`) }) });

// What the page shows of each file output, in the page's language.
async function shown(page) {
  const fig = sectionOf(page, figure.output.name);
  const img = fig.locator("img.xr-file-image");
  await img.waitFor({ timeout: 15000 });
  await page.waitForFunction((el) => el.complete, await img.elementHandle());
  const txt = sectionOf(page, text.output.name);
  const doc = sectionOf(page, pdf.output.name);
  return {
    src: await img.getAttribute("src"),
    alt: await img.getAttribute("alt"),
    width: await img.evaluate((el) => el.naturalWidth),
    figFacts: await fig.locator(".xr-file-facts").textContent(),
    figAbout: await fig.locator(".xr-file-about").textContent(),
    pre: await txt.locator("pre.xr-file-text").textContent(),
    txtCaption: await txt.locator("figcaption").textContent(),
    txtAbout: await txt.locator(".xr-file-about").textContent(),
    link: doc.locator("a.xr-file"),
    pdfAbout: await doc.locator(".xr-file-about").textContent(),
    withheld: await page.locator(".xr-output").filter({ hasNot: page.locator("table.xr-file-table") })
      .locator(".xr-withheld-table, .xr-withheld-none").count(),
    badges: await Promise.all([figure, text, pdf].map((f) => sectionOf(page, f.output.name).locator("h3 .badge").count())),
  };
}

await withChromium(async (browser) => {
  const { context, page } = await person(browser, BASE_URL, problems);
  await signInAt(page, BASE_URL, `/checker/requests/${encodeURIComponent(REQUEST)}?lang=en`, CHECKER);
  let got = await shown(page);
  check("the figure as an image of its own bytes", got.src === `data:image/png;base64,${figure.file.content_base64}` &&
    got.width > 0, `${got.src.slice(0, 60)}… ${got.width}`);
  check("... its alt text names it and the table it draws, as the evidence's verdict",
    got.alt.includes(figure.output.name) && got.alt.includes(figure.output.verdict.figure_of), got.alt);
  check("... its size and SHA-256", got.figFacts.includes(`${figure.file.bytes} bytes`) &&
    got.figFacts.includes(figure.file.sha256), got.figFacts);
  check("... and what it draws", got.figAbout.includes(`Draws the table output${figure.output.verdict.figure_of}`),
    got.figAbout);
  check("the custom text as text, as the evidence's file", got.pre === textLines,
    JSON.stringify([got.pre, textLines]));
  check("... captioned, with its author's explanation", got.txtCaption.includes(`${text.output.name} as it would leave`) &&
    got.txtAbout.includes(text.output.declaration.explanation), `${got.txtCaption} | ${got.txtAbout}`);
  const linkText = await got.link.textContent();
  const pdfName = `${REQUEST}.${pdf.output.name}.pdf`;
  check("the custom PDF: no preview, a link with its name, size and format",
    linkText.includes(pdfName) && linkText.includes(`${pdf.file.bytes} bytes`) && linkText.includes("pdf") &&
    (await got.link.getAttribute("href")).startsWith("blob:"), linkText);
  const [download] = await Promise.all([page.waitForEvent("download"), got.link.click()]);
  const saved = readFileSync(await download.path());
  check("... which saves its bytes under that name", download.suggestedFilename() === pdfName &&
    createHash("sha256").update(saved).digest("hex") === pdf.file.sha256, download.suggestedFilename());
  check("... with its author's explanation", got.pdfAbout.includes(pdf.output.declaration.explanation), got.pdfAbout);
  check("no withheld cells shown for a file output", got.withheld === 0, String(got.withheld));
  check("the figure and the custom files need the checkers' reasons", got.badges.every((n) => n === 1),
    JSON.stringify(got.badges));

  // Approving everything without a word: not sent, the figure and the
  // custom files named.
  for (const o of evidence.outputs) {
    await sectionOf(page, o.name).getByRole("radio", { name: "Approve" }).check();
  }
  const hint = await sectionOf(page, text.output.name).locator(".hint").textContent();
  check("approving a custom file asks for a reason", hint.startsWith("Required"), hint);
  await page.getByRole("button", { name: "Send my review" }).click();
  const missing = await page.locator(".xr-result .notice-error").textContent();
  const table = evidence.outputs.find((o) => o.kind === "table").name;
  check("... the review is not sent, naming the figure and the custom files, not the table",
    [figure, text, pdf].every((f) => missing.includes(f.output.name)) && !missing.includes(table), missing);
  await accessible(page, "checker request, file outputs");
  await shot(page, "checker-files-en");

  await page.getByRole("button", { name: "Français" }).click();
  await page.getByRole("heading", { name: `Résultats (${evidence.outputs.length})` }).waitFor({ timeout: 15000 });
  got = await shown(page);
  check("in French: the figure's alt text, the text's caption, the explanation, the link",
    got.alt.startsWith(`La figure ${figure.output.name}`) && got.txtCaption.includes("tel qu’il sortirait") &&
    got.txtAbout.includes("L’explication de l’auteur") && got.pre === textLines &&
    (await got.link.textContent()).startsWith("télécharger"), JSON.stringify([got.alt, got.txtCaption, got.txtAbout]));
  await accessible(page, "checker request, file outputs (fr)");
  await shot(page, "checker-files-fr");
  await context.close();

  check("the browser reported no CSP violation or script error", problems.length === 0, problems.join("\n  "));
});
