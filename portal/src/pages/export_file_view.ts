// An output's file as it would leave the hub, for its checkers (issue 13):
// a CSV as a table (a table output's withheld cell marked, never blank), a
// text as text, a PNG as an image, a PDF or Parquet file as a link to
// download it; the file's size and SHA-256; then, for a table output, the
// cells withheld from it with their true values, which only checkers see
// (GET …?evidence=true, policy airlock.evidence), and for a file output
// (model, figure, custom) what its checks and its author say of it.
import { append, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { fromBase64 } from "../verify";
import {
  declarationOf, fileName, mediaType, modelFacts, parseCsv, previewOf, textLines, verdictOf, withheldCells,
  type ExportFile, type ExportOutput, type RequestEvidence,
} from "./export_model";
import { fileLink } from "./export_view";

const kMaxRows = 1000;  // a longer file shows its first rows (a text its first lines) and says so

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

function unreadable(ctx: PageContext, o: ExportOutput, e: unknown): HTMLElement {
  return h("p", { "class": "notice notice-error" },
    ctx.t("xr.file.unreadable", { output: o.name, why: e instanceof Error ? e.message : String(e) }));
}

// A text file's first lines, as UTF-8 (anything else is refused, not guessed).
function fileText(ctx: PageContext, o: ExportOutput, file: ExportFile): HTMLElement {
  let text: { lines: string[]; total: number };
  try {
    text = textLines(fromBase64(file.content_base64), kMaxRows);
  } catch (e) {
    return e instanceof TypeError ? h("p", { "class": "notice notice-error" }, ctx.t("xr.file.notUtf8", { output: o.name }))
      : unreadable(ctx, o, e);
  }
  return h("figure", { "class": "xr-file-figure" },
    h("figcaption", { "class": "xr-caption" }, ctx.t("xr.file.caption", { output: o.name })),
    h("pre", { "class": "xr-file-text", "tabindex": "0" }, text.lines.join("\n")),
    text.total > kMaxRows ? h("p", { "class": "muted small" }, ctx.t("xr.file.firstLines", { n: kMaxRows, of: text.total }))
      : null);
}

// A PNG as an image from a data: URL (the CSP allows data: images, not blob:).
function fileImage(ctx: PageContext, o: ExportOutput, file: ExportFile): HTMLElement {
  try {
    fromBase64(file.content_base64);
  } catch (e) {
    return unreadable(ctx, o, e);
  }
  const figureOf = verdictOf(o).figure_of ?? declarationOf(o).figure_of;
  const alt = o.kind === "figure" && figureOf ? ctx.t("xr.file.figureAlt", { output: o.name, table: figureOf })
    : ctx.t("xr.file.imageAlt", { output: o.name });
  return h("figure", { "class": "xr-file-figure" },
    h("figcaption", { "class": "xr-caption" }, ctx.t("xr.file.caption", { output: o.name })),
    h("img", { "class": "xr-file-image", "src": `data:image/png;base64,${file.content_base64}`, "alt": alt }));
}

// No preview: the file to download, named as its release would name it.
function fileDownload(ctx: PageContext, r: RequestEvidence, o: ExportOutput, file: ExportFile): HTMLElement {
  const name = fileName(r.id, o.name, file.format);
  let link: HTMLAnchorElement;
  try {
    link = fileLink(name, mediaType(file.format), file.content_base64,
      ctx.t("xr.file.download", { name, bytes: file.bytes.toLocaleString(ctx.lang), format: file.format }));
  } catch (e) {
    return unreadable(ctx, o, e);
  }
  return h("p", { "class": "xr-file-download" }, ctx.t("xr.file.noPreview", { format: file.format }), " ", link);
}

// What the checks and the author say of a file output: a model's N, P and
// N − P, the table a figure draws, a custom file's explanation, the
// columns refused.
function fileFacts(ctx: PageContext, o: ExportOutput): HTMLElement | null {
  const v = verdictOf(o);
  const facts = h("dl", { "class": "xr-facts xr-file-about" });
  const fact = (key: Key, ...value: (Node | string)[]): void => {
    append(facts, h("div", {}, h("dt", {}, ctx.t(key)), h("dd", {}, ...value)));
  };
  const model = o.kind === "model" ? modelFacts(v) : null;
  if (model) {
    fact("xr.model.observations", model.observations.toLocaleString(ctx.lang));
    fact("xr.model.parameters", model.parameters.toLocaleString(ctx.lang));
    fact("xr.model.residual", model.residual.toLocaleString(ctx.lang));
  }
  const figureOf = v.figure_of ?? declarationOf(o).figure_of;
  if (o.kind === "figure" && figureOf) fact("xr.figure.of", h("code", {}, figureOf));
  if (v.columns && v.columns.length) fact("xr.file.refusedColumns", ...v.columns.map((c) => h("code", { "class": "xr-rule" }, c)));
  if (o.kind === "custom") {
    const explanation = declarationOf(o).explanation?.trim() ?? "";
    fact("xr.custom.explanation", explanation ? h("span", { "class": "xr-explanation" }, explanation)
      : h("span", { "class": "muted" }, ctx.t("xr.custom.noExplanation")));
  }
  return facts.childElementCount ? facts : null;
}

function fileView(ctx: PageContext, r: RequestEvidence, o: ExportOutput, file: ExportFile): HTMLElement {
  switch (previewOf(file.format)) {
    case "table": return fileTable(ctx, o, file);
    case "text": return fileText(ctx, o, file);
    case "image": return fileImage(ctx, o, file);
    default: return fileDownload(ctx, r, o, file);
  }
}

// The file of output `o` as it would leave and, for a table output, the
// cells withheld from it, or null when the answer carries no files (a
// request made before them).
export function asItWouldLeave(ctx: PageContext, r: RequestEvidence, o: ExportOutput): HTMLElement | null {
  if (r.files === undefined) return null;
  const file = r.files.find((f) => f.name === o.name);
  const section = h("div", { "class": "xr-leaving" },
    h("h4", {}, ctx.t("xr.file.title")));
  if (!file) {
    append(section, h("p", { "class": "notice notice-info" }, ctx.t("xr.file.none")));
    return section;
  }
  const table = o.kind === "table";
  append(section,
    table ? (file.format === "csv" ? fileTable(ctx, o, file) : null) : fileView(ctx, r, o, file),
    h("p", { "class": "muted small xr-file-facts" },
      ctx.t("xr.file.facts", { bytes: file.bytes.toLocaleString(ctx.lang), format: file.format }), " ",
      h("code", { "class": "xr-sha" }, file.sha256)));
  if (!table) {
    append(section, fileFacts(ctx, o));
    return section;
  }
  append(section,
    h("h4", {}, ctx.t("xr.withheld.title")),
    h("p", { "class": "muted small" }, ctx.t("xr.withheld.lead")),
    withheldTable(ctx, r, o));
  return section;
}
