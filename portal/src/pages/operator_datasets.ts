// The operator's and steward's catalog pages (issue 11). The list: every
// dataset with its versions, the current one, its rows and size (GET
// /api/v1/catalog; each current version's bytes from GET
// /api/v1/catalog/{dataset}?version=). A dataset's page: each version with
// what its ingest found, the report kept with it (rows read, stored and
// rejected; the values refused per column, first line and why; the columns
// re-keyed, dropped or coarsened; the nomenclatures not checked), its
// withdrawal if any, and for an operator who ingested it (the log's
// ingest.run entries; a steward does not read the log). Never a value.
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import {
  ingestedBy, summariseCatalog, versionStanding, type AuditEntry, type DatasetSummary, type DatasetVersion,
  type IngestReport,
} from "../operator_logic";
import { apiAll, apiJson, requireSession, type Role } from "../session";
import { errorNotice, formatTime } from "./common";
import { badge, dataTable, facts, names, staffPage } from "./operator_staff";
import { formatBytes } from "./register";

const kStanding: Record<string, ["ops.v.current" | "ops.v.earlier" | "ops.v.withdrawn" | "ops.v.shredded" | "ops.v.pending", string]> = {
  current: ["ops.v.current", "approved"],
  earlier: ["ops.v.earlier", "closed"],
  withdrawn: ["ops.v.withdrawn", "expired"],
  shredded: ["ops.v.shredded", "closed"],
  pending: ["ops.v.pending", "pending"],
};

function number(ctx: PageContext, n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : new Intl.NumberFormat(ctx.lang).format(n);
}

function datasetLink(ctx: PageContext, name: string): HTMLAnchorElement {
  return ctx.link(`/operator/datasets/${encodeURIComponent(name)}`, name);
}

function catalogTable(ctx: PageContext, datasets: DatasetSummary[], bytes: Map<string, number>): HTMLElement {
  const rows = datasets.map((d) => {
    const c = d.current;
    const size = bytes.get(d.name);
    return h("tr", {},
      h("th", { "scope": "row", "data-label": ctx.t("ops.col.dataset") }, datasetLink(ctx, d.name)),
      h("td", { "data-label": ctx.t("ops.col.kind") },
        ctx.t((c ?? d.versions[0]).reference ? "ops.kind.reference" : "ops.kind.extract")),
      h("td", { "data-label": ctx.t("ops.col.versions"), "class": "num" }, String(d.versions.length)),
      h("td", { "data-label": ctx.t("ops.col.current") },
        c ? ctx.t("ops.versionN", { n: c.version }) : h("span", { "class": "muted" }, ctx.t("ops.noCurrent"))),
      h("td", { "data-label": ctx.t("ops.col.rows"), "class": "num" }, number(ctx, c?.rows)),
      h("td", { "data-label": ctx.t("ops.col.size"), "class": "num" },
        size === undefined ? "—" : formatBytes(ctx, size)),
      h("td", { "data-label": ctx.t("ops.col.lastIngest") },
        c?.committed_at ? formatTime(ctx, c.committed_at) : "—"));
  });
  return dataTable(ctx, ctx.t("ops.datasets.caption"), ["ops.col.dataset", "ops.col.kind", "ops.col.versions",
    "ops.col.current", "ops.col.rows", "ops.col.size", "ops.col.lastIngest"], rows);
}

export function renderDatasets(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["operator", "steward"], (_session, role) => {
    const region = staffPage(main, ctx, ctx.t("nav.opDatasets"), ctx.t("ops.datasets.lead"));
    const load = async (): Promise<void> => {
      const datasets = summariseCatalog(await apiAll<DatasetVersion>("/api/v1/catalog", { role }));
      const bytes = new Map<string, number>();
      await Promise.all(datasets.filter((d) => d.current).map(async (d) => {
        const shown = await apiJson<DatasetVersion>(
          `/api/v1/catalog/${encodeURIComponent(d.name)}?version=${d.current!.version}`, { role });
        if (typeof shown.bytes === "number") bytes.set(d.name, shown.bytes);
      }));
      clear(region);
      if (datasets.length === 0) {
        append(region, h("div", { "class": "notice notice-info" }, h("p", {}, ctx.t("ops.datasets.empty"))));
        return;
      }
      append(region, h("p", { "class": "count" }, ctx.t("ops.datasets.count", { n: datasets.length })),
        catalogTable(ctx, datasets, bytes));
    };
    const run = (): void => {
      region.setAttribute("aria-busy", "true");
      load()
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "ops.datasets.error", e, run));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    run();
  });
}

function refusedTable(ctx: PageContext, report: IngestReport): HTMLElement {
  const refused = report.refused_values ?? [];
  if (refused.length === 0) return h("p", {}, badge(ctx.t("ops.check.passed"), "approved"), " ", ctx.t("ops.check.noRefused"));
  const rows = refused.map((r) => h("tr", {},
    h("th", { "scope": "row" }, h("code", {}, r.field)),
    h("td", { "class": "num" }, number(ctx, r.refused)),
    h("td", { "class": "num" }, number(ctx, r.first_line)),
    h("td", {}, r.reason)));
  return dataTable(ctx, ctx.t("ops.refused.caption"),
    ["ops.col.column", "ops.col.refused", "ops.col.firstLine", "ops.col.reason"], rows, false);
}

function reportSection(ctx: PageContext, v: DatasetVersion): HTMLElement {
  const r = v.report;
  const section = h("div", { "class": "ops-report" }, h("h3", {}, ctx.t("ops.report.title")));
  if (!r || r.rows_read === undefined) {
    append(section, h("p", { "class": "muted" }, ctx.t("ops.report.none")));
    return section;
  }
  const policy: Record<string, "ops.policy.fail" | "ops.policy.reject" | "ops.policy.null"> = {
    "fail": "ops.policy.fail", "reject-row": "ops.policy.reject", "set-null": "ops.policy.null",
  };
  const rejected = r.rows_rejected ?? 0;
  append(section,
    facts([
      [ctx.t("ops.report.read"), number(ctx, r.rows_read)],
      [ctx.t("ops.report.stored"), number(ctx, r.rows_stored)],
      [ctx.t("ops.report.rejected"), rejected > 0 ? badge(number(ctx, rejected), "expired") : "0"],
      [ctx.t("ops.report.policy"), r.on_invalid && policy[r.on_invalid] ? ctx.t(policy[r.on_invalid]) : (r.on_invalid ?? "—")],
    ]),
    h("h4", {}, ctx.t("ops.checks.title")),
    refusedTable(ctx, r),
    (r.unchecked_nomenclatures ?? []).length === 0
      ? h("p", {}, badge(ctx.t("ops.check.passed"), "approved"), " ", ctx.t("ops.check.nomenclaturesOk"))
      : h("p", {}, badge(ctx.t("ops.check.unchecked"), "expired"), " ",
        ctx.t("ops.check.nomenclaturesUnchecked", { columns: (r.unchecked_nomenclatures ?? []).join(", ") })),
    h("h4", {}, ctx.t("ops.columns.title")),
    facts([
      [ctx.t("ops.columns.pseudonymized"), names(ctx, r.pseudonymized)],
      [ctx.t("ops.columns.identifiers"), names(ctx, r.record_identifiers)],
      [ctx.t("ops.columns.generalised"), names(ctx, r.generalised)],
      [ctx.t("ops.columns.dropped"), names(ctx, r.dropped)],
    ]));
  return section;
}

function versionCard(ctx: PageContext, v: DatasetVersion, current: DatasetVersion | undefined, role: Role,
  who: Map<string, { actor: string; time: string }> | null): HTMLElement {
  const [key, style] = kStanding[versionStanding(v, current)];
  const by = who?.get(`${v.dataset}#${v.version}`);
  const card = h("section", { "class": "card ops-version", "aria-labelledby": `version-${v.version}` },
    h("h2", { "id": `version-${v.version}` }, ctx.t("ops.versionN", { n: v.version }), " ", badge(ctx.t(key), style)),
    facts([
      [ctx.t("ops.v.ingestedAt"), v.committed_at ? formatTime(ctx, v.committed_at) : formatTime(ctx, v.created)],
      [ctx.t("ops.v.ingestedBy"), by ? by.actor
        : h("span", { "class": "muted" }, ctx.t(role === "operator" ? "ops.v.byUnknown" : "ops.v.byAuditors"))],
      [ctx.t("ops.col.rows"), number(ctx, v.rows)],
      [ctx.t("ops.v.objects"), number(ctx, v.objects)],
      [ctx.t("ops.v.source"), h("code", { "class": "sha" }, v.source_sha256 || "—")],
    ]));
  if (v.withdrawn) {
    append(card, h("div", { "class": "notice notice-info" },
      h("p", {}, ctx.t("ops.v.withdrawnBy", { by: v.withdrawn.by, at: formatTime(ctx, v.withdrawn.at) })),
      h("p", {}, ctx.t("ops.v.reason", { reason: v.withdrawn.reason }))));
  }
  append(card, reportSection(ctx, v));
  return card;
}

// Who ingested each version, for an operator (audit.read); null otherwise
// or when the log cannot be read (the page says "unknown").
async function ingesters(role: Role): Promise<Map<string, { actor: string; time: string }> | null> {
  if (role !== "operator") return null;
  try {
    return ingestedBy(await apiAll<AuditEntry>("/api/v1/audit/entries?action=ingest.run", { role }));
  } catch {
    return null;
  }
}

export function renderDataset(main: HTMLElement, ctx: PageContext): void {
  const name = ctx.params.name ?? "";
  requireSession(main, ctx, ["operator", "steward"], (_session, role) => {
    const crumb = h("p", { "class": "breadcrumb" }, ctx.link("/operator/datasets", ctx.t("nav.opDatasets")), " › ", name);
    const region = staffPage(main, ctx, ctx.t("ops.dataset.title", { name }), ctx.t("ops.dataset.lead"), crumb);
    ctx.setTitle(ctx.t("ops.dataset.title", { name }));
    Promise.all([apiAll<DatasetVersion>("/api/v1/catalog", { role }), ingesters(role)])
      .then(([all, who]) => {
        clear(region);
        const d = summariseCatalog(all).find((s) => s.name === name);
        if (!d) {
          append(region, h("div", { "class": "notice notice-error", "role": "alert" },
            h("h2", {}, ctx.t("ops.dataset.unknown", { name })),
            h("p", {}, ctx.link("/operator/datasets", ctx.t("ops.dataset.back")))));
          return;
        }
        append(region, h("p", { "class": "count" }, d.current
          ? ctx.t("ops.dataset.summary", { n: d.versions.length, current: d.current.version })
          : ctx.t("ops.dataset.summaryNone", { n: d.versions.length })));
        for (const v of d.versions) append(region, versionCard(ctx, v, d.current, role, who));
      })
      .catch((e: unknown) => {
        clear(region);
        append(region, errorNotice(ctx, "ops.datasets.error", e));
      })
      .finally(() => region.setAttribute("aria-busy", "false"));
  });
}
