// An output's file as it would leave the hub, for its checkers (issue 13):
// the CSV as a table (a withheld cell marked, never blank), the file's size
// and SHA-256, then the cells withheld from it with their true values,
// which only checkers see (GET …?evidence=true, policy airlock.evidence).
import { append, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { fromBase64 } from "../verify";
import { parseCsv, withheldCells, type ExportFile, type ExportOutput, type RequestEvidence } from "./export_model";

const kMaxRows = 1000;  // a longer file shows its first rows and says so

function fileTable(ctx: PageContext, o: ExportOutput, file: ExportFile): HTMLElement {
  let rows: string[][];
  try {
    rows = parseCsv(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(file.content_base64)));
  } catch (e) {
    return h("p", { "class": "notice notice-error" },
      ctx.t("xr.file.unreadable", { output: o.name, why: e instanceof Error ? e.message : String(e) }));
  }
  const [header = [], ...body] = rows;
  // A table output's last column is its value, empty where withheld.
  const valueColumn = o.kind === "table" && header[header.length - 1] === "value" ? header.length - 1 : -1;
  const tbody = h("tbody", {});
  for (const row of body.slice(0, kMaxRows)) {
    append(tbody, h("tr", {}, ...row.map((field, i) => {
      if (i === valueColumn && field === "") {
        return h("td", { "class": "num" }, h("span", { "class": "xr-withheld" }, ctx.t("xr.file.withheld")));
      }
      return h("td", { "class": i === valueColumn ? "num" : undefined }, field);
    })));
  }
  return h("div", {},
    h("div", { "class": "table-wrap", "tabindex": "0" },
      h("table", { "class": "data-table compact xr-file-table" },
        h("caption", { "class": "xr-caption" }, ctx.t("xr.file.caption", { output: o.name })),
        h("thead", {}, h("tr", {}, ...header.map((name, i) =>
          h("th", { "scope": "col", "class": i === valueColumn ? "num" : undefined }, name)))),
        tbody)),
    body.length > kMaxRows ? h("p", { "class": "muted small" }, ctx.t("xr.file.firstRows", { n: kMaxRows, of: body.length }))
      : null);
}

function reasonLabel(ctx: PageContext, reason: string): string {
  const known: Record<string, Key> = { primary: "xr.withheld.primary", secondary: "xr.withheld.secondary" };
  return known[reason] ? ctx.t(known[reason]) : reason;
}

function withheldTable(ctx: PageContext, r: RequestEvidence, o: ExportOutput): HTMLElement {
  const cells = withheldCells(r, o.name);
  if (cells.length === 0) return h("p", { "class": "muted small xr-withheld-none" }, ctx.t("xr.withheld.none"));
  // -0 (an interval's lower end) shows as 0; a missing number as a dash.
  const num = (n: number | null): string => (typeof n === "number" ? (n === 0 ? 0 : n).toLocaleString(ctx.lang) : "—");
  return h("div", { "class": "table-wrap", "tabindex": "0" },
    h("table", { "class": "data-table compact xr-withheld-table" },
      h("caption", { "class": "xr-caption" }, ctx.t("xr.withheld.caption", { output: o.name })),
      h("thead", {}, h("tr", {},
        h("th", { "scope": "col" }, ctx.t("xr.tables.id")),
        h("th", { "scope": "col" }, ctx.t("xr.withheld.codes")),
        h("th", { "scope": "col" }, ctx.t("xr.withheld.status")),
        h("th", { "scope": "col" }, ctx.t("xr.withheld.reason")),
        h("th", { "scope": "col", "class": "num xr-true" }, ctx.t("xr.withheld.value")),
        h("th", { "scope": "col" }, ctx.t("xr.withheld.interval")))),
      h("tbody", {}, ...cells.map((c) => h("tr", {},
        h("th", { "scope": "row" }, h("code", {}, c.tableId)),
        h("td", {}, c.codes.length ? c.codes.join(", ") : ctx.t("xr.tables.total")),
        h("td", {}, c.status === "suppressed" ? ctx.t("xr.withheld.suppressed") : c.status),
        h("td", {}, reasonLabel(ctx, c.reason), c.rule ? " " : null, c.rule ? h("code", { "class": "xr-rule" }, c.rule) : null),
        h("td", { "class": "num xr-true" }, num(c.value)),
        h("td", {}, c.interval ? `${num(c.interval[0])} – ${num(c.interval[1])}` : "—"))))));
}

// The file of output `o` as it would leave and the cells withheld from it,
// or null when the answer carries no files (a request made before them).
export function asItWouldLeave(ctx: PageContext, r: RequestEvidence, o: ExportOutput): HTMLElement | null {
  if (r.files === undefined) return null;
  const file = r.files.find((f) => f.name === o.name);
  const section = h("div", { "class": "xr-leaving" },
    h("h4", {}, ctx.t("xr.file.title")));
  if (!file) {
    append(section, h("p", { "class": "notice notice-info" }, ctx.t("xr.file.none")));
    return section;
  }
  append(section,
    file.format === "csv" ? fileTable(ctx, o, file) : null,
    h("p", { "class": "muted small xr-file-facts" },
      ctx.t("xr.file.facts", { bytes: file.bytes.toLocaleString(ctx.lang), format: file.format }), " ",
      h("code", { "class": "xr-sha" }, file.sha256)),
    h("h4", {}, ctx.t("xr.withheld.title")),
    h("p", { "class": "muted small" }, ctx.t("xr.withheld.lead")),
    withheldTable(ctx, r, o));
  return section;
}
