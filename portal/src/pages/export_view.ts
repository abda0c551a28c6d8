// Pieces of the airlock's pages (checker.ts, checker_request.ts,
// exports.ts): a request's state and an output's outcome as badges, an
// output's checks as a readable table, and the history of reviews and
// decisions.
import { append, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { formatDay, formatTime } from "./common";
import {
  declarationOf, verdictOf, type ExportOutput, type ExportRequest, type ExportSummary, type OutputDecision,
  type RequestState,
} from "./export_model";

const kStates: Record<RequestState, [Key, string]> = {
  draft: ["xr.state.draft", "draft"],
  submitted: ["xr.state.submitted", "pending"],
  partially_reviewed: ["xr.state.partially_reviewed", "pending"],
  reviewed: ["xr.state.reviewed", "expired"],
  approved: ["xr.state.approved", "approved"],
  released: ["xr.state.released", "approved"],
  returned: ["xr.state.returned", "expired"],
  rejected: ["xr.state.rejected", "refused"],
  withdrawn: ["xr.state.withdrawn", "closed"],
};

export function stateBadge(ctx: PageContext, state: string): HTMLElement {
  const [key, style] = kStates[state as RequestState] ?? [null, "closed"];
  return h("span", { "class": `badge badge-${style}` }, key ? ctx.t(key) : state);
}

export function outcomeBadge(ctx: PageContext, outcome: string | undefined): HTMLElement {
  const known: Record<string, [Key, string]> = {
    pass: ["xr.outcome.pass", "approved"],
    review: ["xr.outcome.review", "expired"],
    refuse: ["xr.outcome.refuse", "refused"],
  };
  const [key, style] = known[outcome ?? ""] ?? ["xr.outcome.unknown", "closed"];
  return h("span", { "class": `badge badge-${style}` }, ctx.t(key));
}

export function decisionLabel(ctx: PageContext, d: OutputDecision | string): string {
  switch (d) {
    case "approve": return ctx.t("xr.decision.approve");
    case "changes": return ctx.t("xr.decision.changes");
    case "reject": return ctx.t("xr.decision.reject");
    case "return": return ctx.t("xr.decision.return");
    default: return d;
  }
}

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const out = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; ++i) out[i] = text.charCodeAt(i);
  return out;
}

// A link saving a file (base64) as `name`, handed to the browser as a blob,
// never kept in storage. Throws when `base64` is not base64.
export function fileLink(name: string, type: string, base64: string, label: string): HTMLAnchorElement {
  const url = URL.createObjectURL(new Blob([bytesOf(base64)], { type }));
  return h("a", { "href": url, "download": name, "class": "xr-file" }, label);
}

function numberCell(ctx: PageContext, n: number | undefined): string {
  return n === undefined ? "—" : n.toLocaleString(ctx.lang);
}

// An output's automatic checks: its tables (dimensions, codes, filters)
// and what the checks found, cell counts by status and the rules applied.
export function outputChecks(ctx: PageContext, o: ExportOutput): HTMLElement {
  const v = verdictOf(o);
  const d = declarationOf(o);
  const facts = h("dl", { "class": "xr-facts" });
  const fact = (key: Key, ...value: (Node | string)[]): void => {
    append(facts, h("div", {}, h("dt", {}, ctx.t(key)), h("dd", {}, ...value)));
  };
  fact("xr.col.outcome", outcomeBadge(ctx, v.outcome));
  fact("xr.col.kind", `${o.kind} · ${o.format}`);
  if (v.frame) fact("xr.col.frame", h("code", {}, v.frame), v.measure ? ` · ${v.measure}` : "");
  fact("xr.col.rules", v.rules && v.rules.length ? h("span", {}, ...v.rules.map((r) => h("code", { "class": "xr-rule" }, r)))
    : ctx.t("xr.rules.none"));
  if (v.cross_frame) fact("xr.col.crossFrame", ctx.t("xr.crossFrame.yes"));
  if ((v.repair_rounds ?? 0) > 0) fact("xr.col.repair", numberCell(ctx, v.repair_rounds));
  // A file output (model, figure, custom) has no cells: its file says the rest.
  if (o.kind !== "table") return h("div", { "class": "xr-checks" }, facts);

  const cells = v.cells ?? 0;
  const suppressed = v.suppressed_cells ?? 0;
  const review = v.review_cells ?? 0;
  const counts = h("table", { "class": "data-table compact xr-counts" },
    h("caption", { "class": "xr-caption" }, ctx.t("xr.cells.caption", { output: o.name })),
    h("thead", {}, h("tr", {},
      h("th", { "scope": "col" }, ctx.t("xr.cells.status")),
      h("th", { "scope": "col", "class": "num" }, ctx.t("xr.cells.n")),
      h("th", { "scope": "col" }, ctx.t("xr.cells.meaning")))),
    h("tbody", {},
      h("tr", {}, h("th", { "scope": "row" }, ctx.t("xr.cells.published")),
        h("td", { "class": "num" }, numberCell(ctx, Math.max(0, cells - suppressed - review))),
        h("td", {}, ctx.t("xr.cells.published.text"))),
      h("tr", { "class": review > 0 ? "xr-attention" : "" }, h("th", { "scope": "row" }, ctx.t("xr.cells.review")),
        h("td", { "class": "num" }, numberCell(ctx, review)),
        h("td", {}, ctx.t("xr.cells.review.text"))),
      h("tr", {}, h("th", { "scope": "row" }, ctx.t("xr.cells.suppressed")),
        h("td", { "class": "num" }, numberCell(ctx, suppressed)),
        h("td", {}, ctx.t("xr.cells.suppressed.text"))),
      h("tr", { "class": "xr-total" }, h("th", { "scope": "row" }, ctx.t("xr.cells.total")),
        h("td", { "class": "num" }, numberCell(ctx, v.cells)), h("td", {}, ""))));

  const tables = h("table", { "class": "data-table compact xr-tables" },
    h("caption", { "class": "xr-caption" }, ctx.t("xr.tables.caption")),
    h("thead", {}, h("tr", {},
      h("th", { "scope": "col" }, ctx.t("xr.tables.id")),
      h("th", { "scope": "col" }, ctx.t("xr.tables.dimensions")))),
    h("tbody", {}, ...(d.tables ?? []).map((t) => h("tr", {},
      h("th", { "scope": "row" }, h("code", {}, t.id)),
      h("td", {}, (t.dimensions ?? []).length === 0 ? ctx.t("xr.tables.total")
        : h("ul", { "class": "xr-dims" }, ...(t.dimensions ?? []).map((dim) => h("li", {},
          h("code", {}, dim.dimension),
          dim.filter !== undefined ? ` = ${dim.filter}`
            : dim.codes ? ` (${dim.codes.join(", ")})` : ` (${ctx.t("xr.tables.allCodes")})`))))))));
  return h("div", { "class": "xr-checks" }, facts,
    h("div", { "class": "xr-check-tables" },
      h("div", { "class": "table-wrap", "tabindex": "0" }, counts),
      (d.tables ?? []).length ? h("div", { "class": "table-wrap", "tabindex": "0" }, tables) : null),
    h("p", { "class": "muted small" }, ctx.t("xr.cells.note", { sha: o.sha256.slice(0, 12), bytes: o.bytes })));
}

// Who reviewed which revision, deciding what, and every return or rejection.
export function history(ctx: PageContext, r: ExportRequest): HTMLElement {
  const section = h("section", { "class": "xr-history", "aria-labelledby": "xr-history-title" },
    h("h2", { "id": "xr-history-title" }, ctx.t("xr.history.title")));
  if (r.reviews.length === 0 && r.decisions.length === 0) {
    append(section, h("p", { "class": "muted" }, ctx.t("xr.history.empty")));
    return section;
  }
  const body = h("tbody", {});
  const events = [
    ...r.reviews.map((v) => ({ at: v.at, row: h("tr", {},
      h("td", {}, formatTime(ctx, v.at)),
      h("th", { "scope": "row" }, v.checker),
      h("td", { "class": "num" }, String(v.revision)),
      h("td", {}, h("ul", { "class": "xr-decisions" }, ...v.decisions.map((d) => h("li", {},
        h("code", {}, d.output), " — ",
        h("span", { "class": `xr-decision xr-decision-${d.decision}` }, decisionLabel(ctx, d.decision)),
        d.comment ? h("span", { "class": "xr-comment" }, d.comment) : null))))) })),
    ...r.decisions.map((d) => ({ at: d.at, row: h("tr", {},
      h("td", {}, formatTime(ctx, d.at)),
      h("th", { "scope": "row" }, d.actor),
      h("td", { "class": "num" }, String(d.revision)),
      h("td", {}, h("span", { "class": `xr-decision xr-decision-${d.decision}` }, decisionLabel(ctx, d.decision)),
        d.reason !== "checker" ? ` (${d.reason})` : "",
        d.text ? h("span", { "class": "xr-comment" }, d.text) : null)) })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  for (const e of events) append(body, e.row);
  append(section, h("div", { "class": "table-wrap", "tabindex": "0" },
    h("table", { "class": "data-table compact" },
      h("caption", { "class": "visually-hidden" }, ctx.t("xr.history.title")),
      h("thead", {}, h("tr", {},
        h("th", { "scope": "col" }, ctx.t("xr.history.when")),
        h("th", { "scope": "col" }, ctx.t("xr.history.who")),
        h("th", { "scope": "col", "class": "num" }, ctx.t("xr.history.revision")),
        h("th", { "scope": "col" }, ctx.t("xr.history.what")))),
      body)));
  return section;
}

// A list page's frame: its title and lead, and the region (busy, "loading")
// its content replaces.
export function listPage(main: HTMLElement, ctx: PageContext, title: Key, lead: Key, loading: Key): HTMLElement {
  const region = h("div", { "class": "container page", "aria-busy": "true" },
    h("p", { "class": "muted" }, ctx.t(loading)));
  append(main,
    h("section", { "class": "hero hero-compact" },
      h("div", { "class": "container" }, h("h1", {}, ctx.t(title)), h("p", { "class": "lead" }, ctx.t(lead)))),
    region);
  return region;
}

// A table of requests: the columns request, project, author, created,
// state, then `last`; each row's first cells from `summaryCells`.
export function requestsTable(ctx: PageContext, caption: Key, last: Key, rows: HTMLTableRowElement[]): HTMLElement {
  const head = h("tr", {});
  for (const key of ["xr.col.request", "xr.col.project", "xr.col.author", "xr.col.created", "xr.col.state", last] as const) {
    append(head, h("th", { "scope": "col" }, ctx.t(key)));
  }
  return h("div", { "class": "table-wrap" },
    h("table", { "class": "register data-table" },
      h("caption", { "class": "visually-hidden" }, ctx.t(caption)),
      h("thead", {}, head), h("tbody", {}, ...rows)));
}

export function summaryCells(ctx: PageContext, s: ExportSummary, title: Node, project: Node | string): HTMLElement[] {
  return [
    h("th", { "scope": "row", "data-label": ctx.t("xr.col.request") },
      title, h("span", { "class": "project-id" }, ctx.t("xr.idRevision", { id: s.id, n: s.revision }))),
    h("td", { "data-label": ctx.t("xr.col.project") }, project),
    h("td", { "data-label": ctx.t("xr.col.author") }, s.author),
    h("td", { "data-label": ctx.t("xr.col.created") }, formatDay(ctx, s.created_at)),
    h("td", { "data-label": ctx.t("xr.col.state") }, stateBadge(ctx, s.state)),
  ];
}
