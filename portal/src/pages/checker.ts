// The output checker's review queue (issue 11, issue 13 §4): the export
// requests awaiting review (submitted, partially reviewed) that the
// signed-in checker did not write, with their project, author, state and
// the reviews their current revision has (x of 2), those she reviewed
// already marked. GET /api/v1/export-requests?as=checker&state=…, then
// each request for its reviews (GET /api/v1/export-requests/{rid}).
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { apiAll, apiJson, requireSession } from "../session";
import { errorNotice } from "./common";
import { listPage, requestsTable, summaryCells } from "./export_view";
import {
  kAwaitingReview, kReviewsNeeded, reviewQueue, type ExportRequest, type ExportSummary, type QueueLine,
} from "./export_model";

export function requestPath(id: string): string {
  return `/checker/requests/${encodeURIComponent(id)}`;
}

async function loadQueue(): Promise<ExportRequest[]> {
  const lists = await Promise.all(kAwaitingReview.map((state) =>
    apiAll<ExportSummary>(`/api/v1/export-requests?state=${state}`, { role: "checker" })));
  return Promise.all(lists.flat().map((s) =>
    apiJson<ExportRequest>(`/api/v1/export-requests/${encodeURIComponent(s.id)}`, { role: "checker" })));
}

function queueRow(ctx: PageContext, { request: r, reviews, mine }: QueueLine): HTMLTableRowElement {
  return h("tr", { "class": mine ? "xr-mine" : "" },
    ...summaryCells(ctx, r, ctx.link(requestPath(r.id), r.title || r.id, { "class": "ref" }), r.project),
    h("td", { "data-label": ctx.t("xr.col.reviews") },
      h("span", { "class": "xr-progress" }, ctx.t("xr.reviews", { n: reviews, of: kReviewsNeeded })),
      mine ? h("span", { "class": "badge badge-role xr-you" }, ctx.t("xr.youReviewed")) : null));
}

export function renderCheckerQueue(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["checker"], (session) => {
    const region = listPage(main, ctx, "nav.checkerQueue", "xr.queue.lead", "xr.queue.loading");
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      loadQueue()
        .then((requests) => {
          clear(region);
          const lines = reviewQueue(requests, session.user);
          if (lines.length === 0) {
            append(region, h("div", { "class": "notice notice-info" },
              h("h2", {}, ctx.t("xr.queue.empty.title")), h("p", {}, ctx.t("xr.queue.empty.text"))));
            return;
          }
          const waiting = lines.filter((l) => !l.mine).length;
          append(region, h("p", { "class": "count" }, ctx.t("xr.queue.count", { n: lines.length, waiting })),
            requestsTable(ctx, "xr.queue.caption", "xr.col.reviews", lines.map((l) => queueRow(ctx, l))));
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "xr.queue.error", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
