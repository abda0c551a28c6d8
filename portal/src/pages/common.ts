// Pieces the signed-in pages share: dates, the state badge of a project's
// phase, its scope in short, an error notice that says plainly what the
// server said, and a copy button.
import type { Scope } from "../api";
import { ApiError } from "../api";
import { append, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";

export function formatDay(ctx: PageContext, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(ctx.lang === "fr" ? "fr-FR" : "en-GB", {
    year: "numeric", month: "short", day: "numeric", timeZone: "UTC",
  }).format(date);
}

// A date and time in the page's language; `seconds` for the audit log.
export function formatTime(ctx: PageContext, iso: string, seconds = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(ctx.lang === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "medium", timeStyle: seconds ? "medium" : "short",
  }).format(date);
}

// The phase of `project show` ("approved (not started)"...) as a badge.
export function phaseBadge(ctx: PageContext, phase: string): HTMLElement {
  const known: Record<string, [Key, string]> = {
    "draft": ["phase.draft", "draft"],
    "approved (not started)": ["phase.notStarted", "pending"],
    "active": ["phase.active", "approved"],
    "ended (awaiting shredding)": ["phase.ended", "expired"],
    "closed": ["phase.closed", "closed"],
    "expired": ["phase.expired", "expired"],
  };
  const [key, style] = known[phase] ?? [null, "closed"];
  return h("span", { "class": `badge badge-${style}` }, key ? ctx.t(key) : phase);
}

export function scopeSummary(ctx: PageContext, scope: Scope): HTMLElement {
  const list = h("ul", { "class": "scope" });
  for (const [table, columns] of Object.entries(scope.tables ?? {})) {
    const all = columns.length === 1 && columns[0] === "*";
    append(list, h("li", {}, all ? `${table} (${ctx.t("register.allColumns")})`
      : `${table} (${ctx.t("projects.columns", { n: columns.length })})`));
  }
  if (scope.years) append(list, h("li", {}, ctx.t("register.years", { from: scope.years.from, to: scope.years.to })));
  return list;
}

// What went wrong, in words: the server's own detail when it gave one
// (problem+json), with its request id to quote to an operator.
export function errorNotice(ctx: PageContext, title: Key, error: unknown, retry?: () => void): HTMLElement {
  const notice = h("div", { "class": "notice notice-error", "role": "alert" }, h("h2", {}, ctx.t(title)));
  if (error instanceof ApiError) {
    append(notice, h("p", { "class": "problem-detail" }, error.detail || error.title));
    if (error.status === 403) append(notice, h("p", {}, ctx.t("error.forbidden")));
    if (error.requestId) append(notice, h("p", { "class": "muted small" }, ctx.t("error.requestId", { id: error.requestId })));
  } else {
    append(notice, h("p", {}, ctx.t("error.network")));
  }
  if (retry) {
    const button = h("button", { "type": "button", "class": "button button-secondary" }, ctx.t("register.retry"));
    button.addEventListener("click", retry);
    append(notice, h("p", {}, button));
  }
  return notice;
}

// A button that copies `text()` to the clipboard and says so.
export function copyButton(ctx: PageContext, label: string, text: () => string): HTMLElement {
  const button = h("button", { "type": "button", "class": "button button-secondary button-small copy" }, label);
  const status = h("span", { "class": "copy-status", "role": "status" });
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(text()).then(
      () => { status.textContent = ctx.t("copy.done"); },
      () => { status.textContent = ctx.t("copy.failed"); },
    );
    window.setTimeout(() => { status.textContent = ""; }, 4000);
  });
  return h("span", { "class": "copy-wrap" }, button, status);
}

// A project's workspace answers only while the project is active.
export function inactiveNotice(ctx: PageContext): HTMLElement {
  return h("div", { "class": "notice notice-info" },
    h("h2", {}, ctx.t("dict.inactive.title")),
    h("p", {}, ctx.t("dict.inactive.text")));
}
