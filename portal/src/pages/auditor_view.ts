// What the auditor's two pages share: the audit API's reads (through
// session.ts: as the auditor, problem+json errors as ApiError), the page
// frame, and the panel that shows a verdict of verify_audit.ts step by step.
import { ApiError } from "../api";
import { append, clear, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { apiJson, type Role } from "../session";
import type { AuditVerdict, ConsistencyAnswer, InclusionAnswer } from "../verify_audit";

export const kAuditorRoles: Role[] = ["auditor", "operator"];

export async function fetchCheckpoint(role: Role): Promise<string> {
  return (await apiJson<{ checkpoint: string }>("/api/v1/audit/checkpoint", { role })).checkpoint;
}

export async function fetchLogKey(role: Role): Promise<string> {
  return (await apiJson<{ log_key: string }>("/api/v1/audit/log-key", { role })).log_key;
}

export async function fetchProof(role: Role, index: number, size: number): Promise<InclusionAnswer> {
  return apiJson<InclusionAnswer>(`/api/v1/audit/entries/${index}/proof?size=${size}`, { role });
}

export async function fetchConsistency(role: Role, from: number, to: number): Promise<ConsistencyAnswer> {
  return apiJson<ConsistencyAnswer>(`/api/v1/audit/consistency?from=${from}&to=${to}`, { role });
}

// The hero and the region the page fills once loaded (aria-busy meanwhile).
export function auditPage(main: HTMLElement, ctx: PageContext, title: Key, lead: Key): HTMLElement {
  const region = h("div", { "class": "container page audit-page", "aria-busy": "true" },
    h("p", { "class": "muted" }, ctx.t("au.loading")));
  append(main,
    h("section", { "class": "hero hero-compact" },
      h("div", { "class": "container" }, h("h1", {}, ctx.t(title)), h("p", { "class": "lead" }, ctx.t(lead)))),
    region);
  return region;
}

// "0123 4567 …": easier to compare by eye.
export function grouped(hexText: string): string {
  return hexText.replace(/(.{4})(?=.)/g, "$1 ");
}

export function whyText(error: unknown): string {
  if (error instanceof ApiError) return error.detail || error.title;
  return error instanceof Error ? error.message : String(error);
}

export interface VerdictText {
  ok: string;    // the heading when every step passed
  fail: string;  // the heading when one failed
  n?: number;    // the entry's number, for the steps' texts
}

// A verdict, its steps with what each checks, and the technical details.
export function renderVerdict<S extends string>(
  ctx: PageContext, panel: HTMLElement, v: AuditVerdict<S>, text: VerdictText,
): void {
  const marks = { passed: "✓", failed: "✗", skipped: "–" } as const;
  const stepName = (s: S): string => ctx.t(`au.step.${s}` as Key);
  clear(panel);
  append(panel, h("div", {
    "class": `verify-result ${v.ok ? "verify-ok" : "verify-fail"}`,
    "data-verdict": v.ok ? "verified" : "refused",
    "data-failed-step": v.failed ?? undefined,
  },
  h("div", { "class": "verify-head" },
    h("span", { "class": "verify-icon", "aria-hidden": "true" }, v.ok ? "✓" : "✗"),
    h("div", {},
      h("h3", {}, v.ok ? text.ok : text.fail),
      v.failed ? h("p", {}, ctx.t("au.fail.step", { step: stepName(v.failed) })) : null)),
  h("ol", { "class": "verify-steps" }, ...v.steps.map((s) =>
    h("li", { "class": `step step-${s.status}`, "data-step": s.step },
      h("span", { "class": "step-mark", "aria-hidden": "true" }, marks[s.status]),
      h("span", { "class": "step-body" },
        h("strong", {}, stepName(s.step)),
        h("span", { "class": "step-status" }, ` — ${ctx.t(`verify.status.${s.status}`)}`),
        h("span", { "class": "step-text" }, ctx.t(`au.step.${s.step}.text` as Key, { n: text.n ?? 0 })),
        s.status === "failed" ? h("code", { "class": "step-detail" }, s.detail) : null)))),
  h("p", { "class": "hint" }, ctx.t("au.how")),
  h("details", { "class": "verify-details" },
    h("summary", {}, ctx.t("verify.details")),
    h("ul", {}, ...v.steps.filter((s) => s.detail).map((s) => h("li", {}, h("code", {}, s.detail)))))));
}

// A failure to fetch what a check needs (not a failed check).
export function renderUnavailable(ctx: PageContext, panel: HTMLElement, error: unknown): void {
  clear(panel);
  append(panel, h("div", { "class": "verify-result verify-fail", "data-verdict": "unavailable", "role": "alert" },
    h("div", { "class": "verify-head" },
      h("span", { "class": "verify-icon", "aria-hidden": "true" }, "!"),
      h("div", {}, h("p", {}, ctx.t("au.verify.error", { why: whyText(error) }))))));
}

// Runs `check` into `panel` with `button` disabled meanwhile.
export function checking(ctx: PageContext, panel: HTMLElement, button: HTMLButtonElement,
  check: () => Promise<void>): void {
  button.disabled = true;
  clear(panel);
  append(panel, h("p", { "class": "verify-checking" }, ctx.t("verify.checking")));
  check()
    .catch((e: unknown) => renderUnavailable(ctx, panel, e))
    .finally(() => { button.disabled = false; });
}
