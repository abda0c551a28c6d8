// The auditor's audit log (issue 11): the entries of GET
// /api/v1/audit/entries, filtered by action, account, project and time and
// paged by the API's cursor, each shown in words; "Verify" fetches the
// entry's inclusion proof, the signed checkpoint and the log key and checks
// them in the browser (verify_audit.ts), step by step.
import { append, clear, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { apiJson, requireSession, roleLabel, type Role } from "../session";
import { checkpointSize, verifyAuditEntry } from "../verify_audit";
import { errorNotice, formatTime } from "./common";
import {
  auditPage, checking, fetchCheckpoint, fetchLogKey, fetchProof, kAuditorRoles, renderVerdict,
} from "./auditor_view";

const kPageSize = 25;

// An entry as the API lists it (docs/formats/audit-log.md §1).
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  role: string;
  action: string;
  project?: string;
  objects?: Record<string, string>;
  outcome: string;
  details?: Record<string, unknown>;
  request_id?: string;
  text_sha256?: string;
  [field: string]: unknown;
}

interface Filters {
  action: string;
  actor: string;
  project: string;
  since: string;  // RFC 3339, or ""
  until: string;
}

function entriesPath(f: Filters, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(kPageSize) });
  for (const name of ["action", "actor", "project", "since", "until"] as const) {
    if (f[name] !== "") query.set(name, f[name]);
  }
  if (cursor !== null) query.set("cursor", cursor);
  return `/api/v1/audit/entries?${query}`;
}

// A datetime-local value (the browser's local time) as RFC 3339 UTC.
function rfc3339(local: string): string {
  if (local === "") return "";
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function outcomeBadge(ctx: PageContext, outcome: string): HTMLElement {
  const known: Record<string, [Key, string]> = {
    success: ["au.outcome.success", "approved"], denied: ["au.outcome.denied", "expired"],
    error: ["au.outcome.error", "closed"],
  };
  const [key, style] = known[outcome] ?? [null, "closed"];
  return h("span", { "class": `badge badge-${style}` }, key ? ctx.t(key) : outcome);
}

// Objects, then details, then the request id and the text's hash, as "name value" pairs.
function whatList(ctx: PageContext, e: AuditEntry): HTMLElement {
  const list = h("ul", { "class": "audit-kv" });
  const pair = (name: string, value: string): void => {
    append(list, h("li", {}, h("span", { "class": "audit-k" }, name), " ", h("span", { "class": "audit-v" }, value)));
  };
  for (const [k, v] of Object.entries(e.objects ?? {})) pair(k, String(v));
  for (const [k, v] of Object.entries(e.details ?? {})) {
    const text = Array.isArray(v) ? v.join(", ") : String(v);
    pair(k, text === "" ? "—" : text);
  }
  if (e.request_id) append(list, h("li", { "class": "muted" }, ctx.t("au.request", { id: e.request_id })));
  if (e.text_sha256) {
    append(list, h("li", { "class": "muted audit-sha" }, ctx.t("au.textHash", { sha: e.text_sha256.slice(0, 16) + "…" })));
  }
  return list;
}

function verifyEntry(ctx: PageContext, role: Role, e: AuditEntry, panel: HTMLElement, button: HTMLButtonElement): void {
  panel.closest(".verify-row")?.classList.add("open");
  checking(ctx, panel, button, async () => {
    const [checkpoint, logKey] = await Promise.all([fetchCheckpoint(role), fetchLogKey(role)]);
    const size = checkpointSize(checkpoint) ?? 0;
    const proof = await fetchProof(role, e.seq, size);
    const verdict = await verifyAuditEntry(e, e.seq, proof, checkpoint, logKey);
    renderVerdict(ctx, panel, verdict, {
      ok: ctx.t("au.entry.ok", { n: e.seq }), fail: ctx.t("au.entry.fail", { n: e.seq }), n: e.seq,
    });
  });
}

function entriesTable(ctx: PageContext, role: Role, entries: AuditEntry[]): HTMLElement {
  const cols: Key[] = ["au.col.seq", "au.col.time", "au.col.actor", "au.col.action", "au.col.project",
    "au.col.what", "au.col.outcome", "au.col.check"];
  const head = h("tr", {}, ...cols.map((k) => h("th", { "scope": "col" }, ctx.t(k))));
  const body = h("tbody", {});
  for (const e of entries) {
    const panel = h("div", { "class": "verify-panel", "aria-live": "polite" });
    const button = h("button", {
      "type": "button", "class": "button button-secondary button-small", "aria-label": ctx.t("au.verify.label", { n: e.seq }),
    }, ctx.t("au.verify"));
    button.addEventListener("click", () => verifyEntry(ctx, role, e, panel, button));
    const actor = e.role === "system" ? ctx.t("au.role.system") : e.role === "none" ? ctx.t("au.role.none")
      : roleLabel(ctx, e.role);
    append(body,
      h("tr", { "data-seq": String(e.seq) },
        h("th", { "scope": "row", "class": "num", "data-label": ctx.t("au.col.seq") }, String(e.seq)),
        h("td", { "data-label": ctx.t("au.col.time") }, h("time", { datetime: e.time }, formatTime(ctx, e.time, true))),
        h("td", { "data-label": ctx.t("au.col.actor") }, h("strong", {}, e.actor), h("span", { "class": "muted small audit-role" }, actor)),
        h("td", { "data-label": ctx.t("au.col.action") }, h("code", {}, e.action)),
        h("td", { "data-label": ctx.t("au.col.project") }, e.project ?? "—"),
        h("td", { "data-label": ctx.t("au.col.what") }, whatList(ctx, e)),
        h("td", { "data-label": ctx.t("au.col.outcome") }, outcomeBadge(ctx, e.outcome)),
        h("td", { "data-label": ctx.t("au.col.check") }, button)),
      h("tr", { "class": "verify-row" }, h("td", { "colspan": String(cols.length) }, panel)));
  }
  return h("div", { "class": "table-wrap" },
    h("table", { "class": "register data-table compact audit-table" },
      h("caption", { "class": "visually-hidden" }, ctx.t("au.caption")),
      h("thead", {}, head), body));
}

function field(id: string, label: string, input: HTMLInputElement, hint?: string): HTMLElement {
  input.id = id;
  if (hint) input.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { "class": "audit-field" },
    h("label", { "for": id }, label), input,
    hint ? h("span", { "class": "hint", "id": `${id}-hint` }, hint) : null);
}

function filterForm(ctx: PageContext, apply: (f: Filters) => void): HTMLFormElement {
  const text = (name: string): HTMLInputElement => h("input", { "type": "text", "name": name, "class": "search-input", "autocomplete": "off" });
  const action = text("action");
  const actor = text("actor");
  const project = text("project");
  const since = h("input", { "type": "datetime-local", "name": "since", "class": "search-input", "step": "1" });
  const until = h("input", { "type": "datetime-local", "name": "until", "class": "search-input", "step": "1" });
  const clearButton = h("button", { "type": "button", "class": "button button-secondary" }, ctx.t("au.filter.clear"));
  const form = h("form", { "class": "audit-filters", "role": "search", "aria-labelledby": "audit-filter-title" },
    h("h2", { "id": "audit-filter-title", "class": "audit-filter-title" }, ctx.t("au.filter.title")),
    h("div", { "class": "audit-fields" },
      field("audit-action", ctx.t("au.filter.action"), action, ctx.t("au.filter.action.hint")),
      field("audit-actor", ctx.t("au.filter.actor"), actor),
      field("audit-project", ctx.t("au.filter.project"), project),
      field("audit-since", ctx.t("au.filter.since"), since),
      field("audit-until", ctx.t("au.filter.until"), until)),
    h("div", { "class": "audit-form-actions" },
      h("button", { "type": "submit", "class": "button" }, ctx.t("au.filter.apply")), " ", clearButton));
  const current = (): Filters => ({
    action: action.value.trim(), actor: actor.value.trim(), project: project.value.trim(),
    since: rfc3339(since.value), until: rfc3339(until.value),
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply(current());
  });
  clearButton.addEventListener("click", () => {
    form.reset();
    apply(current());
  });
  return form;
}

export function renderAuditLog(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, kAuditorRoles, (_session, role) => {
    const region = auditPage(main, ctx, "nav.auditLog", "au.log.lead");
    const results = h("div", { "class": "audit-results" });
    let filters: Filters = { action: "", actor: "", project: "", since: "", until: "" };
    let cursors: (string | null)[] = [null];  // the cursor of each page up to the current one
    const load = (): void => {
      results.setAttribute("aria-busy", "true");
      const cursor = cursors[cursors.length - 1];
      apiJson<{ items: AuditEntry[]; next: string | null }>(entriesPath(filters, cursor), { role })
        .then((page) => {
          clear(results);
          if (page.items.length === 0) {
            append(results, h("div", { "class": "notice notice-info", "role": "status" }, h("p", {}, ctx.t("au.empty"))));
            return;
          }
          const first = (cursors.length - 1) * kPageSize + 1;
          const prev = h("button", { "type": "button", "class": "button button-secondary button-small" }, ctx.t("au.prev"));
          const next = h("button", { "type": "button", "class": "button button-secondary button-small" }, ctx.t("au.next"));
          prev.disabled = cursors.length === 1;
          next.disabled = page.next === null;
          prev.addEventListener("click", () => { cursors.pop(); load(); });
          next.addEventListener("click", () => { cursors.push(page.next); load(); });
          const pager = (): HTMLElement => h("nav", { "class": "audit-pager", "aria-label": ctx.t("au.caption") }, prev, next);
          append(results,
            h("p", { "class": "count", "id": "audit-count", "role": "status" },
              ctx.t("au.count", { from: first, to: first + page.items.length - 1, page: cursors.length })),
            entriesTable(ctx, role, page.items), pager());
        })
        .catch((e: unknown) => {
          clear(results);
          append(results, errorNotice(ctx, "au.error", e, load));
        })
        .finally(() => results.setAttribute("aria-busy", "false"));
    };
    clear(region);
    region.setAttribute("aria-busy", "false");
    append(region, filterForm(ctx, (f) => {
      filters = f;
      cursors = [null];
      load();
    }), results);
    load();
  });
}
