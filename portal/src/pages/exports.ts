// "My export requests" (issue 11, researcher side of issue 13): the
// requests of the signed-in researcher's projects with their state and
// the reviews of their revision; once released, the files and the
// certificate bundle to save (GET /api/v1/export-requests/{rid}/release,
// the author only). The files are handed to the browser as blobs, never
// kept in storage.
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { apiAll, apiJson, requireSession } from "../session";
import { errorNotice } from "./common";
import { fileLink, listPage, requestsTable, summaryCells } from "./export_view";
import { fileName, mediaType, type ExportSummary, type ReleasedFiles } from "./export_model";

function downloads(ctx: PageContext, s: ExportSummary): HTMLElement {
  const cell = h("div", { "class": "xr-downloads" });
  const button = h("button", { "type": "button", "class": "button button-secondary button-small" }, ctx.t("xr.files.get"));
  button.addEventListener("click", () => {
    button.disabled = true;
    apiJson<ReleasedFiles>(`/api/v1/export-requests/${encodeURIComponent(s.id)}/release`, { role: "researcher" })
      .then((r) => {
        clear(cell);
        const list = h("ul", { "class": "outputs" });
        for (const f of r.files) {
          const name = fileName(r.request, f.name, f.format);
          append(list, h("li", {}, fileLink(name, mediaType(f.format),
            f.content_base64, name), h("span", { "class": "muted small" }, ` ${ctx.t("xr.files.bytes", { n: f.bytes })}`)));
        }
        append(list, h("li", {}, fileLink(`${r.request}.hdhub-cert`, "application/octet-stream", r.bundle_base64,
          ctx.t("xr.files.bundle"))));
        append(cell, list, h("p", { "class": "muted small" }, ctx.t("xr.files.release", { n: r.release })));
      })
      .catch((e: unknown) => {
        button.disabled = false;
        append(cell, errorNotice(ctx, "xr.files.error", e));
      });
  });
  append(cell, button);
  return cell;
}

function requestRow(ctx: PageContext, s: ExportSummary, user: string): HTMLTableRowElement {
  return h("tr", {},
    ...summaryCells(ctx, s, h("span", { "class": "ref" }, s.title || s.id),
      ctx.link(`/projects/${encodeURIComponent(s.project)}`, s.project)),
    h("td", { "data-label": ctx.t("xr.col.files") },
      s.state === "released" && s.author === user ? downloads(ctx, s)
        : h("span", { "class": "muted small" }, ctx.t(s.state === "released" ? "xr.files.author" : "xr.files.none"))));
}

export function renderMyExports(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["researcher"], (session) => {
    const region = listPage(main, ctx, "nav.myExports", "xr.mine.lead", "xr.mine.loading");
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      apiAll<ExportSummary>("/api/v1/export-requests", { role: "researcher" })
        .then((items) => {
          clear(region);
          if (items.length === 0) {
            append(region, h("div", { "class": "notice notice-info" }, h("p", {}, ctx.t("xr.mine.empty"))));
            return;
          }
          append(region, h("p", { "class": "count" }, ctx.t("xr.mine.count", { n: items.length })),
            requestsTable(ctx, "nav.myExports", "xr.col.files",
              [...items].reverse().map((s) => requestRow(ctx, s, session.user))));
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "xr.mine.error", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
