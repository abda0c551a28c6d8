// The operator's and steward's workspace builds (issue 11): every project
// with its builds, newest first (state, the version of each table it was
// built from, its rows, who built it and when: GET /api/v1/projects/{id}),
// and for an approved project within its window a "Build workspace" button
// (POST /api/v1/projects/{id}/workspaces: a state change, with the CSRF
// token and a fresh sign-in when the server asks for one, as Approve).
import type { Project, ProjectWorkspace } from "../api";
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { mayBuild } from "../operator_logic";
import { apiAll, apiJson, requireSession, type Role } from "../session";
import { errorNotice, formatDay, formatTime, phaseBadge } from "./common";
import { badge, confirmedAction, dataTable, staffPage } from "./operator_staff";

interface Provenance {
  datasets?: Record<string, number>;
  rows?: Record<string, number>;
}

const kBuildState: Record<string, ["ops.b.ready" | "ops.b.building" | "ops.b.discarded" | "ops.b.shredded", string]> = {
  ready: ["ops.b.ready", "approved"],
  building: ["ops.b.building", "pending"],
  discarded: ["ops.b.discarded", "closed"],
  shredded: ["ops.b.shredded", "closed"],
};

function buildItem(ctx: PageContext, w: ProjectWorkspace): HTMLElement {
  const [key, style] = kBuildState[w.state] ?? [null, "closed"];
  const p = (w.provenance ?? {}) as Provenance;
  const data = h("ul", { "class": "ops-names" });
  for (const [table, version] of Object.entries(p.datasets ?? {})) {
    const rows = p.rows?.[table];
    append(data, h("li", {}, ctx.link(`/operator/datasets/${encodeURIComponent(table)}`, table), " ",
      ctx.t("ops.b.tableVersion", { n: version }),
      rows === undefined ? "" : ` · ${ctx.t("ops.b.rows", { n: new Intl.NumberFormat(ctx.lang).format(rows) })}`));
  }
  return h("li", { "class": "ops-build" },
    h("p", {}, h("strong", {}, ctx.t("ops.b.build", { n: w.build })), " ", badge(key ? ctx.t(key) : w.state, style)),
    h("p", { "class": "muted small" }, ctx.t("ops.b.by", { user: w.built_by, at: formatTime(ctx, w.built_at) })),
    data.childElementCount ? data : null);
}

function actionCell(ctx: PageContext, p: Project, role: Role, reload: () => void): HTMLElement {
  if (!mayBuild(p)) {
    const why = p.state === "draft" ? ctx.t("ops.b.needsApproval")
      : p.phase === "approved (not started)" ? ctx.t("ops.b.notStarted", { at: formatDay(ctx, p.start) })
        : ctx.t("ops.b.over");
    return h("p", { "class": "muted small" }, why);
  }
  const built = (p.workspaces ?? []).some((w) => w.state === "ready");
  return confirmedAction(ctx, ctx.t(built ? "ops.b.rebuild" : "ops.b.buildAction"),
    ctx.t("ops.b.confirmText", { id: p.id, ref: p.authorisation }), ctx.t("ops.b.confirm"), "ops.b.error",
    async () => {
      await apiJson<{ workspace: number }>(`/api/v1/projects/${encodeURIComponent(p.id)}/workspaces`,
        { method: "POST", role });
      reload();
    });
}

function buildsTable(ctx: PageContext, projects: Project[], role: Role, reload: () => void): HTMLElement {
  const rows = projects.map((p) => {
    const builds = [...(p.workspaces ?? [])].sort((a, b) => b.build - a.build);
    const list = h("ul", { "class": "ops-builds" });
    for (const w of builds) append(list, buildItem(ctx, w));
    return h("tr", {},
      h("th", { "scope": "row", "data-label": ctx.t("op.col.project") },
        h("span", { "class": "ref" }, p.id), h("span", { "class": "project-id" }, p.authorisation)),
      h("td", { "data-label": ctx.t("projects.col.state") }, phaseBadge(ctx, p.phase)),
      h("td", { "data-label": ctx.t("ops.col.builds") },
        builds.length ? list : h("span", { "class": "muted" }, ctx.t("ops.b.none"))),
      h("td", { "data-label": ctx.t("ops.col.action") }, actionCell(ctx, p, role, reload)));
  });
  return dataTable(ctx, ctx.t("ops.builds.caption"),
    ["op.col.project", "projects.col.state", "ops.col.builds", "ops.col.action"], rows);
}

export function renderBuilds(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["operator", "steward"], (_session, role) => {
    const region = staffPage(main, ctx, ctx.t("nav.opBuilds"), ctx.t("ops.builds.lead"));
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      apiAll<Project>("/api/v1/projects", { role })
        .then((list) => Promise.all(list.map((p) =>
          apiJson<Project>(`/api/v1/projects/${encodeURIComponent(p.id)}`, { role }))))
        .then((projects) => {
          clear(region);
          if (projects.length === 0) {
            append(region, h("div", { "class": "notice notice-info" }, h("p", {}, ctx.t("op.projects.empty"))));
            return;
          }
          const ready = projects.filter((p) => (p.workspaces ?? []).some((w) => w.state === "ready")).length;
          append(region, h("p", { "class": "count" }, ctx.t("ops.builds.count", { n: projects.length, ready })),
            buildsTable(ctx, projects, role, load));
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "ops.builds.error", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
