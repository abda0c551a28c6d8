// "My projects" (issue 11, researcher): the projects the signed-in
// researcher is a member of, with their authorisation, purpose, data,
// window, days left and state; each links to its page (data dictionary,
// SQL console, connection). GET /api/v1/projects?as=researcher.
import type { Project } from "../api";
import { daysLeft } from "../api";
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { apiAll, requireSession } from "../session";
import { errorNotice, formatDay, phaseBadge, scopeSummary } from "./common";

function projectRow(ctx: PageContext, p: Project): HTMLTableRowElement {
  const left = daysLeft(p.end);
  const active = p.phase === "active";
  return h(
    "tr",
    {},
    h("th", { "scope": "row", "data-label": ctx.t("projects.col.project") },
      ctx.link(`/projects/${encodeURIComponent(p.id)}`, p.id, { "class": "ref" }),
      h("span", { "class": "project-id" }, p.authorisation)),
    h("td", { "data-label": ctx.t("projects.col.purpose") }, h("p", { "class": "purpose" }, p.purpose)),
    h("td", { "data-label": ctx.t("projects.col.scope") }, scopeSummary(ctx, p.scope)),
    h("td", { "data-label": ctx.t("projects.col.window") },
      ctx.t("register.window", { start: formatDay(ctx, p.start), end: formatDay(ctx, p.end) })),
    h("td", { "data-label": ctx.t("projects.col.daysLeft"), "class": "num" },
      active && left !== null ? ctx.t("projects.days", { n: left }) : h("span", { "class": "muted" }, "—")),
    h("td", { "data-label": ctx.t("projects.col.state") }, phaseBadge(ctx, p.phase)),
  );
}

function renderList(ctx: PageContext, region: HTMLElement, projects: Project[]): void {
  clear(region);
  if (projects.length === 0) {
    append(region, h("div", { "class": "notice notice-info" },
      h("h2", {}, ctx.t("projects.empty.title")),
      h("p", {}, ctx.t("projects.empty.text"))));
    return;
  }
  const head = h("tr", {});
  for (const key of ["project", "purpose", "scope", "window", "daysLeft", "state"] as const) {
    append(head, h("th", { "scope": "col" }, ctx.t(`projects.col.${key}`)));
  }
  append(region,
    h("p", { "class": "count" }, ctx.t("projects.count", { n: projects.length })),
    h("div", { "class": "table-wrap" },
      h("table", { "class": "register data-table" },
        h("caption", { "class": "visually-hidden" }, ctx.t("projects.caption")),
        h("thead", {}, head),
        h("tbody", {}, ...projects.map((p) => projectRow(ctx, p))))));
}

export function renderMyProjects(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["researcher"], () => {
    const region = h("div", { "aria-busy": "true" }, h("p", { "class": "muted" }, ctx.t("projects.loading")));
    append(main,
      h("section", { "class": "hero hero-compact" },
        h("div", { "class": "container" },
          h("h1", {}, ctx.t("projects.title")),
          h("p", { "class": "lead" }, ctx.t("projects.lead")))),
      h("div", { "class": "container page" }, region));
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      apiAll<Project>("/api/v1/projects", { role: "researcher" })
        .then((projects) => renderList(ctx, region, projects))
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "projects.error.title", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
