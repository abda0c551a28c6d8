// A researcher's project page (issue 11): the project's facts and three
// tabs, each its own address: the data dictionary (here), the SQL console
// (console.ts) and the connection instructions (connect.ts). The
// dictionary is the workspace's own table hdhub_columns
// (docs/formats/projects.md): every table and column with its type, label,
// description and nomenclature, read by a query like any other (audited as
// such), held in memory only, searchable.
import type { Project, SessionInfo } from "../api";
import { ApiError, daysLeft } from "../api";
import { append, clear, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { QueryStreamParser, readQueryStream, type StatementResult } from "../ndjson";
import { apiFetch, apiJson, requireSession } from "../session";
import { errorNotice, formatDay, formatTime, inactiveNotice, phaseBadge } from "./common";

export type Tab = "dictionary" | "console" | "connect";

// Runs `sql` on the project's workspace as its researcher; the parser
// holds the first `maxRows` rows of each statement.
export async function runProjectQuery(
  project: string, sql: string, maxRows: number, signal?: AbortSignal, progress: (parser: QueryStreamParser) => void = () => {},
): Promise<{ parser: QueryStreamParser; whole: boolean }> {
  const response = await apiFetch(`/api/v1/projects/${encodeURIComponent(project)}/queries`, {
    method: "POST", body: { sql }, role: "researcher", accept: "application/x-ndjson", signal,
  });
  const parser = new QueryStreamParser(maxRows);
  if (!response.body) throw new ApiError(500, "no body", "");
  const whole = await readQueryStream(response.body, parser, () => progress(parser));
  return { parser, whole };
}

const kTabs: [Tab, string, Key][] = [
  ["dictionary", "", "project.tab.dictionary"],
  ["console", "/console", "project.tab.console"],
  ["connect", "/connect", "project.tab.connect"],
];

function facts(ctx: PageContext, p: Project): HTMLElement {
  const left = daysLeft(p.end);
  const built = (p.workspaces ?? []).filter((w) => w.state !== "shredded").at(-1);
  const item = (key: Key, ...value: (Node | string)[]): HTMLElement =>
    h("div", { "class": "fact-item" }, h("dt", {}, ctx.t(key)), h("dd", {}, ...value));
  return h("dl", { "class": "project-facts" },
    item("projects.col.state", phaseBadge(ctx, p.phase)),
    item("projects.col.window", ctx.t("register.window", { start: formatDay(ctx, p.start), end: formatDay(ctx, p.end) })),
    item("projects.col.daysLeft", p.phase === "active" && left !== null ? ctx.t("projects.days", { n: left }) : "—"),
    item("project.workspace", built ? ctx.t("project.build", { n: built.build, at: formatTime(ctx, built.built_at) })
      : ctx.t("project.noWorkspace")));
}

// The page's frame: guard, project fetched, title, facts and tabs; then
// `body` fills the tab's region.
export function projectFrame(
  main: HTMLElement, ctx: PageContext, tab: Tab,
  body: (region: HTMLElement, project: Project, session: SessionInfo) => void,
): void {
  const id = ctx.params.id ?? "";
  requireSession(main, ctx, ["researcher"], (session) => {
    const head = h("div", { "class": "container" },
      h("p", { "class": "breadcrumb" }, ctx.link("/projects", ctx.t("nav.myProjects")), " › ", id),
      h("h1", {}, ctx.t("project.heading", { id })));
    const region = h("div", { "class": "container page", "aria-busy": "true" },
      h("p", { "class": "muted" }, ctx.t("project.loading")));
    append(main, h("section", { "class": "hero hero-compact" }, head), region);
    apiJson<Project>(`/api/v1/projects/${encodeURIComponent(id)}`, { role: "researcher" })
      .then((p) => {
        ctx.setTitle(`${ctx.t(kTabs.find((t) => t[0] === tab)![2])} · ${p.id}`);
        append(head, h("p", { "class": "lead" }, p.purpose),
          h("p", { "class": "project-id" }, ctx.t("project.authorisation", { ref: p.authorisation })),
          facts(ctx, p));
        const tabs = h("ul", {});
        for (const [name, suffix, key] of kTabs) {
          const attrs: Record<string, string> = name === tab ? { "aria-current": "page" } : {};
          append(tabs, h("li", {}, ctx.link(`/projects/${encodeURIComponent(p.id)}${suffix}`, ctx.t(key), attrs)));
        }
        append(head, h("nav", { "class": "tabs", "aria-label": ctx.t("project.tabs") }, tabs));
        clear(region);
        region.setAttribute("aria-busy", "false");
        body(region, p, session);
      })
      .catch((e: unknown) => {
        clear(region);
        region.setAttribute("aria-busy", "false");
        append(region, errorNotice(ctx, "project.error.title", e));
      });
  });
}

interface ColumnEntry {
  table: string;
  column: string;
  type: string;
  label: string;
  description: string;
  nomenclature: string;
}

const kDictionarySql =
  "SELECT table_name, column_name, type, label, description, nomenclature FROM hdhub_columns";

function entriesOf(result: StatementResult | undefined): ColumnEntry[] {
  if (!result) return [];
  const at = (name: string): number => result.columns.findIndex((c) => c.name === name);
  const idx = ["table_name", "column_name", "type", "label", "description", "nomenclature"].map(at);
  const text = (row: unknown[], i: number): string => (i >= 0 && row[i] !== null ? String(row[i]) : "");
  return result.rows.map((row) => ({
    table: text(row, idx[0]), column: text(row, idx[1]), type: text(row, idx[2]),
    label: text(row, idx[3]), description: text(row, idx[4]), nomenclature: text(row, idx[5]),
  }));
}

function tableSection(ctx: PageContext, table: string, columns: ColumnEntry[], rows: number | undefined,
  reference: boolean): { section: HTMLElement; items: { text: string; row: HTMLElement }[] } {
  const body = h("tbody", {});
  const items = columns.map((c) => {
    const row = h("tr", {},
      h("th", { "scope": "row" }, h("code", {}, c.column)),
      h("td", {}, h("code", { "class": "type" }, c.type)),
      h("td", {}, c.label || h("span", { "class": "muted" }, "—"),
        c.description && c.description !== c.label ? h("span", { "class": "description" }, c.description) : null),
      h("td", {}, c.nomenclature ? h("code", {}, c.nomenclature) : h("span", { "class": "muted" }, "—")));
    append(body, row);
    return { text: `${c.table} ${c.column} ${c.type} ${c.label} ${c.description} ${c.nomenclature}`.toLowerCase(), row };
  });
  const headingId = `table-${table}`;
  const section = h("section", { "class": "dict-table", "aria-labelledby": headingId },
    h("h3", { "id": headingId }, h("code", {}, table),
      reference ? h("span", { "class": "badge badge-pending" }, ctx.t("dict.reference")) : null,
      rows !== undefined ? h("span", { "class": "muted small" }, ctx.t("dict.rows", { n: rows.toLocaleString(ctx.lang) })) : null),
    h("div", { "class": "table-wrap", "tabindex": "0" },
      h("table", { "class": "data-table compact" },
        h("caption", { "class": "visually-hidden" }, ctx.t("dict.caption", { table })),
        h("thead", {}, h("tr", {},
          h("th", { "scope": "col" }, ctx.t("dict.col.column")),
          h("th", { "scope": "col" }, ctx.t("dict.col.type")),
          h("th", { "scope": "col" }, ctx.t("dict.col.label")),
          h("th", { "scope": "col" }, ctx.t("dict.col.nomenclature")))),
        body)));
  return { section, items };
}

function renderDictionary(ctx: PageContext, region: HTMLElement, p: Project, entries: ColumnEntry[]): void {
  clear(region);
  const tables = new Map<string, ColumnEntry[]>();
  for (const e of entries) tables.set(e.table, [...(tables.get(e.table) ?? []), e]);
  // A reference table is one a column's nomenclature names (the workspace
  // holds it whole, docs/formats/projects.md "Reference tables").
  // (a nomenclature is "TABLE" or "TABLE:COLUMN").
  const named = new Set(entries.map((e) => e.nomenclature.split(":")[0]).filter((n) => n !== ""));
  const rows = p.workspaces?.filter((w) => w.state !== "shredded").at(-1)?.provenance?.rows ?? {};
  const input = h("input", { "type": "search", "id": "dict-search", "class": "search-input", "autocomplete": "off",
    "aria-describedby": "dict-hint dict-count" });
  const count = h("p", { "id": "dict-count", "class": "count", "aria-live": "polite" });
  const noMatch = h("p", { "class": "notice notice-info", "hidden": "" });
  const sections: { section: HTMLElement; items: { text: string; row: HTMLElement }[] }[] = [];
  const list = h("div", { "class": "dict" });
  for (const [table, columns] of [...tables].sort((a, b) => Number(named.has(a[0])) - Number(named.has(b[0])))) {
    const s = tableSection(ctx, table, columns, rows[table], named.has(table));
    sections.push(s);
    append(list, s.section);
  }
  const filter = (): void => {
    const q = input.value.trim().toLowerCase();
    let shown = 0;
    for (const s of sections) {
      let inTable = 0;
      for (const item of s.items) {
        item.row.hidden = q !== "" && !item.text.includes(q);
        if (!item.row.hidden) ++inTable;
      }
      s.section.hidden = inTable === 0;
      shown += inTable;
    }
    count.textContent = ctx.t("dict.count", { shown, total: entries.length, tables: tables.size });
    noMatch.hidden = shown !== 0;
    noMatch.textContent = shown === 0 ? ctx.t("register.nomatch", { q: input.value.trim() }) : "";
  };
  input.addEventListener("input", filter);
  append(region,
    h("h2", {}, ctx.t("dict.title")),
    h("p", { "class": "muted" }, ctx.t("dict.lead")),
    h("div", { "class": "search" },
      h("label", { "for": "dict-search" }, ctx.t("dict.search")),
      h("span", { "id": "dict-hint", "class": "hint" }, ctx.t("dict.search.hint")),
      input),
    count, noMatch, list);
  filter();
}

export function renderProject(main: HTMLElement, ctx: PageContext): void {
  projectFrame(main, ctx, "dictionary", (region, p) => {
    if (p.phase !== "active") {
      append(region, inactiveNotice(ctx));
      return;
    }
    const load = (): void => {
      clear(region);
      region.setAttribute("aria-busy", "true");
      append(region, h("p", { "class": "muted" }, ctx.t("dict.loading")));
      runProjectQuery(p.id, kDictionarySql, 100_000)
        .then(({ parser }) => {
          if (parser.error) throw new ApiError(parser.error.status, parser.error.title, parser.error.detail);
          renderDictionary(ctx, region, p, entriesOf(parser.results[0]));
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "dict.error.title", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
