// The register page's "Verify" buttons: fetches a line's register entry with
// its proof (GET /api/v1/public/register/proofs/{n}), checks it in the
// browser (verify.ts) and says in plain words what was checked, the log key's
// fingerprint, the checkpoint, and which step failed if one did.
import { fetchRegisterProof, type PublicProject, type Release } from "../api";
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { verifyRegisterLine, type RegisterLine, type StepResult, type Verdict } from "../verify";

// A line's public fields as the server sent them (docs/formats/audit-log.md §9).
export function projectLine(p: PublicProject): RegisterLine {
  return {
    project: p.project,
    release: null,
    fields: {
      project: p.project, authorisation: p.authorisation, purpose: p.purpose, scope: p.scope, start: p.start, end: p.end,
    },
  };
}

export function releaseLine(r: Release): RegisterLine {
  return {
    project: r.project,
    release: r.release,
    fields: {
      project: r.project,
      authorisation: r.authorisation,
      release: r.release,
      released_at: r.released_at,
      outputs: r.outputs.map((o) => ({ name: o.name, kind: o.kind, format: o.format, bytes: o.bytes })),
      certificate_sha256: r.certificate_sha256,
    },
  };
}

// "0123 4567 …": easier to compare by eye.
function grouped(hexText: string): string {
  return hexText.replace(/(.{4})(?=.)/g, "$1 ");
}

function formatTime(ctx: PageContext, iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(ctx.lang === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "long", timeStyle: "medium", timeZone: "UTC",
  }).format(date) + " UTC";
}

function stepItem(ctx: PageContext, s: StepResult, index: number): HTMLLIElement {
  const marks = { passed: "✓", failed: "✗", skipped: "–" } as const;
  const text = ctx.t(`verify.step.${s.step}.text`, { n: index });
  return h("li", { "class": `step step-${s.status}`, "data-step": s.step },
    h("span", { "class": "step-mark", "aria-hidden": "true" }, marks[s.status]),
    h("span", { "class": "step-body" },
      h("strong", {}, ctx.t(`verify.step.${s.step}`)),
      h("span", { "class": "step-status" }, ` — ${ctx.t(`verify.status.${s.status}`)}`),
      h("span", { "class": "step-text" }, text),
      s.status === "failed" ? h("code", { "class": "step-detail" }, s.detail) : null));
}

function factsList(ctx: PageContext, v: Verdict): HTMLElement | null {
  const f = v.facts;
  const rows: [string, string, string?][] = [];
  if (f.keyName && f.keyId) rows.push([ctx.t("verify.fact.key"), ctx.t("verify.fact.keyValue", { name: f.keyName, id: f.keyId })]);
  if (f.keyFingerprint) rows.push([ctx.t("verify.fact.fingerprint"), grouped(f.keyFingerprint), "mono"]);
  if (f.checkpointSize !== undefined) {
    rows.push([ctx.t("verify.fact.checkpoint"), ctx.t("verify.fact.checkpointValue", { size: f.checkpointSize })]);
  }
  if (f.recordedAt) rows.push([ctx.t("verify.fact.recorded"), formatTime(ctx, f.recordedAt)]);
  if (rows.length === 0) return null;
  const list = h("dl", { "class": "verify-facts" });
  for (const [term, value, style] of rows) {
    append(list, h("div", {}, h("dt", {}, term), h("dd", style ? { "class": style } : {}, value)));
  }
  return list;
}

function renderVerdict(ctx: PageContext, panel: HTMLElement, line: RegisterLine, v: Verdict, close: HTMLElement): void {
  const ok = v.ok;
  const failedName = v.failed ? ctx.t(`verify.step.${v.failed}`) : "";
  const summary = ok
    ? (line.release === null
      ? ctx.t("verify.ok.project", { id: line.project })
      : ctx.t("verify.ok.release", { id: line.project, n: line.release }))
    : ctx.t("verify.fail.text", { step: failedName });
  const details = h("details", { "class": "verify-details" },
    h("summary", {}, ctx.t("verify.details")),
    h("ul", {}, ...v.steps.filter((s) => s.detail).map((s) => h("li", {}, h("code", {}, s.detail)))));
  clear(panel);
  append(panel, h("div", {
    "class": `verify-result ${ok ? "verify-ok" : "verify-fail"}`,
    "data-verdict": ok ? "verified" : "refused",
    "data-failed-step": v.failed ?? undefined,
  },
  h("div", { "class": "verify-head" },
    h("span", { "class": "verify-icon", "aria-hidden": "true" }, ok ? "✓" : "✗"),
    h("div", {},
      h("h2", {}, ctx.t(ok ? "verify.ok.title" : "verify.fail.title")),
      h("p", {}, summary)),
    close),
  h("ol", { "class": "verify-steps" }, ...v.steps.map((s) => stepItem(ctx, s, v.facts.index ?? 0))),
  factsList(ctx, v),
  h("p", { "class": "hint" }, ctx.t("verify.how")),
  details));
}

function renderFetchError(ctx: PageContext, panel: HTMLElement, why: string, close: HTMLElement): void {
  clear(panel);
  append(panel, h("div", { "class": "verify-result verify-fail", "data-verdict": "unavailable" },
    h("div", { "class": "verify-head" },
      h("span", { "class": "verify-icon", "aria-hidden": "true" }, "!"),
      h("div", {},
        h("h2", {}, ctx.t("verify.error.title")),
        h("p", {}, ctx.t("verify.error.text", { why }))),
      close)));
}

// Fetches and checks `line`'s register entry `index`, showing the verdict in
// `panel` (an aria-live region that stays in the page).
export async function verifyInto(
  ctx: PageContext, panel: HTMLElement, line: RegisterLine, index: number, trigger: HTMLButtonElement,
): Promise<void> {
  const close = h("button", { "type": "button", "class": "verify-close", "aria-label": ctx.t("verify.close") }, "×");
  close.addEventListener("click", () => {
    clear(panel);
    panel.closest(".verify-row")?.classList.remove("open");
    trigger.focus();
  });
  panel.closest(".verify-row")?.classList.add("open");
  clear(panel);
  append(panel, h("p", { "class": "verify-checking" }, ctx.t("verify.checking")));
  trigger.disabled = true;
  try {
    const proof = await fetchRegisterProof(index);
    renderVerdict(ctx, panel, line, await verifyRegisterLine(line, proof), close);
  } catch (error) {
    renderFetchError(ctx, panel, error instanceof Error ? error.message : String(error), close);
  } finally {
    trigger.disabled = false;
  }
}
