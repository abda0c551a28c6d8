// The public transparency register (issue 11, EHDS Art. 58): every
// authorised project with its authorisation reference, purpose, data used,
// window and state, and what was released (date, outputs, certificate,
// audit entry), filtered by a search box. Read from
// GET /api/v1/public/register, without an account. Each line with a register
// entry has a Verify button (register_verify.ts).
import { fetchPublicRegister, kPublicRegisterPath, type PublicProject, type Release, type Scope } from "../api";
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import type { RegisterLine } from "../verify";
import { projectLine, releaseLine, verifyInto } from "./register_verify";

const kShortSha = 12;

function formatDate(ctx: PageContext, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(ctx.lang === "fr" ? "fr-FR" : "en-GB", {
    year: "numeric",
    month: "long",
    day: "numeric",
    timeZone: "UTC",
  }).format(date);
}

export function formatBytes(ctx: PageContext, bytes: number): string {
  const units = ctx.lang === "fr" ? ["o", "ko", "Mo", "Go"] : ["B", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    ++unit;
  }
  const number = new Intl.NumberFormat(ctx.lang, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
  return `${number} ${units[unit]}`;
}

function scopeLines(ctx: PageContext, scope: Scope): string[] {
  const lines: string[] = [];
  for (const [table, columns] of Object.entries(scope.tables ?? {})) {
    const all = columns.length === 1 && columns[0] === "*";
    lines.push(`${table}: ${all ? ctx.t("register.allColumns") : columns.join(", ")}`);
  }
  if (scope.years) lines.push(ctx.t("register.years", { from: scope.years.from, to: scope.years.to }));
  const p = scope.population;
  if (p) {
    const parts: string[] = [];
    if (p.sex?.length) parts.push(ctx.t("register.population.sex", { values: p.sex.join(", ") }));
    if (p.birth_year) parts.push(ctx.t("register.population.birth", { from: p.birth_year.from, to: p.birth_year.to }));
    if (p.departments?.length) {
      parts.push(ctx.t("register.population.departments", { values: p.departments.join(", ") }));
    }
    if (parts.length) lines.push(ctx.t("register.population", { what: parts.join("; ") }));
  }
  return lines;
}

// Where a row's verification is shown: the row below it, an aria-live region.
interface VerifyTarget {
  panel: HTMLElement;
}

// The Verify button of a line, or why it cannot be verified.
function verifyControl(
  ctx: PageContext, target: VerifyTarget, line: RegisterLine, entry: number | null, label: string,
): HTMLElement {
  if (entry === null) return h("span", { "class": "unverifiable" }, ctx.t("verify.unavailable"));
  const button = h("button", { "type": "button", "class": "button button-secondary button-small verify-button", "aria-label": label },
    ctx.t("verify.button"));
  button.addEventListener("click", () => void verifyInto(ctx, target.panel, line, entry, button));
  return button;
}

function releaseItem(ctx: PageContext, release: Release, target: VerifyTarget): HTMLElement {
  const outputs = h("ul", { "class": "outputs" });
  for (const o of release.outputs) {
    append(
      outputs,
      h("li", {}, ctx.t("register.output", {
        name: o.name, kind: o.kind, format: o.format, size: formatBytes(ctx, o.bytes),
      })),
    );
  }
  const sha = release.certificate_sha256;
  return h(
    "li",
    { "class": "release" },
    h("p", { "class": "release-date" },
      h("time", { datetime: release.released_at }, ctx.t("register.release", { date: formatDate(ctx, release.released_at) }))),
    outputs,
    h("p", { "class": "release-proof" },
      `${ctx.t("register.certificate")} `,
      h("code", { "class": "sha", "title": ctx.t("register.certificate.full", { sha }) }, `${sha.slice(0, kShortSha)}…`),
      " · ",
      h("span", { "class": "audit" }, ctx.t("register.audit", { n: release.audit_index }))),
    h("p", { "class": "verify-control" },
      verifyControl(ctx, target, releaseLine(release), release.register_entry ?? null,
        ctx.t("verify.button.release", { n: release.release, id: release.project }))),
  );
}

// A project's row and the row below it where its verifications show.
function projectRows(ctx: PageContext, p: PublicProject): HTMLTableRowElement[] {
  const panel = h("div", { "class": "verify-panel", "role": "status", "aria-live": "polite" });
  const target: VerifyTarget = { panel };
  const data = h("ul", { "class": "scope" });
  for (const line of scopeLines(ctx, p.scope)) append(data, h("li", {}, line));
  const releases = p.releases.length
    ? h("ul", { "class": "releases" }, ...p.releases.map((r) => releaseItem(ctx, r, target)))
    : h("p", { "class": "muted" }, ctx.t("register.noRelease"));
  const stateKey = `state.${p.state}` as const;
  const row = h(
    "tr",
    { "class": "project-row" },
    h("th", { "scope": "row", "data-label": ctx.t("register.col.authorisation") },
      h("span", { "class": "ref" }, p.authorisation),
      h("span", { "class": "project-id" }, ctx.t("register.project", { id: p.project })),
      h("span", { "class": "verify-control" },
        verifyControl(ctx, target, projectLine(p), p.register_entry ?? null,
          ctx.t("verify.button.project", { ref: p.authorisation, id: p.project })))),
    h("td", { "data-label": ctx.t("register.col.purpose") }, h("p", { "class": "purpose" }, p.purpose)),
    h("td", { "data-label": ctx.t("register.col.data") }, data),
    h("td", { "data-label": ctx.t("register.col.window") },
      ctx.t("register.window", { start: formatDate(ctx, p.start), end: formatDate(ctx, p.end) })),
    h("td", { "data-label": ctx.t("register.col.state") },
      h("span", { "class": `badge badge-${p.state}` }, ctx.t(stateKey))),
    h("td", { "data-label": ctx.t("register.col.releases") }, releases),
  );
  return [row, h("tr", { "class": "verify-row" }, h("td", { "colspan": "6" }, panel))];
}

// The text a search looks in: identifiers, purpose, tables and columns.
function searchText(p: PublicProject): string {
  const tables = Object.entries(p.scope.tables ?? {}).flat(2).join(" ");
  const outputs = p.releases.flatMap((r) => r.outputs.map((o) => o.name)).join(" ");
  return `${p.project} ${p.authorisation} ${p.purpose} ${tables} ${outputs}`.toLocaleLowerCase();
}

function renderTable(ctx: PageContext, region: HTMLElement, projects: PublicProject[]): void {
  clear(region);
  if (projects.length === 0) {
    append(region, h("div", { "class": "notice notice-info" },
      h("h2", {}, ctx.t("register.empty.title")),
      h("p", {}, ctx.t("register.empty.text"))));
    return;
  }
  const input = h("input", {
    "type": "search",
    "id": "register-search",
    "class": "search-input",
    "autocomplete": "off",
    "aria-describedby": "register-search-hint register-count",
  });
  const count = h("p", { "id": "register-count", "class": "count", "aria-live": "polite" });
  const body = h("tbody", {});
  const noMatch = h("p", { "class": "notice notice-info", "hidden": "" });
  const rows = projects.map((p) => ({ text: searchText(p), rows: projectRows(ctx, p) }));
  for (const r of rows) append(body, ...r.rows);
  const filter = (): void => {
    const q = input.value.trim().toLocaleLowerCase();
    let shown = 0;
    for (const r of rows) {
      const match = q === "" || r.text.includes(q);
      for (const row of r.rows) row.hidden = !match;
      if (match) ++shown;
    }
    count.textContent = ctx.t("register.count", { shown, total: rows.length });
    noMatch.hidden = shown !== 0;
    noMatch.textContent = shown === 0 ? ctx.t("register.nomatch", { q: input.value.trim() }) : "";
  };
  input.addEventListener("input", filter);
  const head = h("tr", {});
  for (const key of ["authorisation", "purpose", "data", "window", "state", "releases"] as const) {
    append(head, h("th", { "scope": "col" }, ctx.t(`register.col.${key}`)));
  }
  append(
    region,
    h("div", { "class": "search" },
      h("label", { "for": "register-search" }, ctx.t("register.search")),
      h("span", { "id": "register-search-hint", "class": "hint" }, ctx.t("register.search.hint")),
      input),
    count,
    noMatch,
    h("div", { "class": "table-wrap" },
      h("table", { "class": "register" },
        h("caption", { "class": "visually-hidden" }, ctx.t("register.caption")),
        h("thead", {}, head),
        body)),
  );
  filter();
}

function renderError(ctx: PageContext, region: HTMLElement, retry: () => void): void {
  clear(region);
  const button = h("button", { "type": "button", "class": "button button-secondary" }, ctx.t("register.retry"));
  button.addEventListener("click", retry);
  append(region, h("div", { "class": "notice notice-error", "role": "alert" },
    h("h2", {}, ctx.t("register.error.title")),
    h("p", {}, ctx.t("register.error.text")),
    h("p", {}, button)));
}

export function renderRegister(main: HTMLElement, ctx: PageContext): void {
  const region = h("div", { "class": "register-region", "aria-busy": "true" },
    h("p", { "class": "muted" }, ctx.t("register.loading")));
  append(
    main,
    h("section", { "class": "hero hero-compact" },
      h("div", { "class": "container" },
        h("h1", {}, ctx.t("register.title")),
        h("p", { "class": "lead" }, ctx.t("register.lead")),
        h("p", {}, h("a", { "href": kPublicRegisterPath, "class": "json-link" }, ctx.t("register.json"))))),
    h("div", { "class": "container page" }, region),
  );
  const load = (): void => {
    region.setAttribute("aria-busy", "true");
    fetchPublicRegister()
      .then((projects) => renderTable(ctx, region, projects))
      .catch(() => renderError(ctx, region, load))
      .finally(() => region.setAttribute("aria-busy", "false"));
  };
  load();
}
